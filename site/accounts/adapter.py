from allauth.account.adapter import DefaultAccountAdapter

from assosolos.emails import message_queue


class AccountAdapter(DefaultAccountAdapter):
    """Allauth hooks for Assosolos accounts."""

    def send_mail(self, template_prefix, email, context):
        # Queued in the current transaction, sent once it commits: no email announces
        # an account that was rolled back.
        message_queue(self.render_mail(template_prefix, email, context))
