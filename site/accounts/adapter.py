from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from assosolos.emails import absolute_url, email_site, message_queue
from assosolos.ratelimit import client_address

from . import login_limits


def _login_of(credentials: dict) -> str:
    return credentials.get("email") or credentials.get("username") or ""


class AccountAdapter(DefaultAccountAdapter):
    """Allauth hooks for Assosolos accounts."""

    def get_client_ip(self, request):
        # Allauth's own rate limits (signup, password reset) read the address as ours do.
        return client_address(request)

    def pre_authenticate(self, request, **credentials):
        # Failed passwords are counted by login_limits, per address and account
        # together; allauth's "login_failed" limit is left to second-factor codes.
        self._login_failed_rl_usage = None
        try:
            login_limits.login_attempt_check(request=request, login=_login_of(credentials))
        except login_limits.LoginRefused as refused:
            raise forms.ValidationError(refused.message, code="too_many_login_attempts") from None

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            login_limits.login_success_record(request=request, login=_login_of(credentials))
        return user

    def authentication_failed(self, request, **credentials):
        login_limits.login_failure_record(request=request, login=_login_of(credentials))

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # Called by allauth once a password reset succeeds.
        super()._delete_login_attempts_cached_email(request, **credentials)
        login_limits.login_failures_forget(request=request, login=_login_of(credentials))

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
