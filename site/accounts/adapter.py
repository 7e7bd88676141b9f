from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction


class AccountAdapter(DefaultAccountAdapter):
    """Allauth hooks for Assosolos accounts."""

    def send_mail(self, template_prefix, email, context):
        # Render now, while the request is known; send only once the transaction
        # commits, so no email announces an account that was rolled back.
        message = self.render_mail(template_prefix, email, context)
        transaction.on_commit(message.send)
