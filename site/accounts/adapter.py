from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter

from assosolos.emails import absolute_url, email_site, message_queue


class AccountAdapter(DefaultAccountAdapter):
    """Allauth hooks for Assosolos accounts."""

    def send_mail(self, template_prefix, email, context):
        context = {**context, "current_site": email_site()}
        # Links point at SITE_URL, whatever host the request came through.
        for key in ("activate_url", "password_reset_url", "signup_url"):
            if context.get(key):
                parts = urlsplit(context[key])
                context[key] = absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""))
        # Queued in the current transaction, sent once it commits: no email announces
        # an account that was rolled back.
        message_queue(self.render_mail(template_prefix, email, context))
