"""Each association's own Stripe account, connected to the platform with Stripe Connect.

The platform never holds an association's money: every PaymentIntent is a direct
charge on the association's account (see docs/payments.md). An account row stays
after a disconnection, so the orders paid on it still name where their money is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PaymentAccount(models.Model):
    association = models.ForeignKey(
        "associations.Association",
        on_delete=models.PROTECT,
        related_name="payment_accounts",
        verbose_name=_("association"),
    )
    account_id = models.CharField(_("Stripe account"), max_length=255, unique=True)
    charges_enabled = models.BooleanField(_("can take payments"), default=False)
    payouts_enabled = models.BooleanField(_("can receive payouts"), default=False)
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    requirements_due = models.JSONField(_("information due"), default=list, blank=True)
    disabled_reason = models.CharField(_("why payments are off"), max_length=255, blank=True)
    connected_at = models.DateTimeField(_("connected at"), default=timezone.now)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("connected by"),
    )
    disconnected_at = models.DateTimeField(_("disconnected at"), null=True, blank=True)
    synced_at = models.DateTimeField(_("last read from Stripe"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")
        constraints = [
            # One live account per association: events name it, charges go to it.
            models.UniqueConstraint(
                fields=["association"],
                condition=Q(disconnected_at__isnull=True),
                name="one_connected_account_per_association",
            )
        ]

    def __str__(self) -> str:
        return self.account_id

    @property
    def connected(self) -> bool:
        return self.disconnected_at is None

    @property
    def ready(self) -> bool:
        return self.connected and self.charges_enabled


class ConnectState(models.Model):
    """The OAuth `state` of one connection attempt: one association, one person, once."""

    token = models.CharField(max_length=64, unique=True)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe connection attempt")
        verbose_name_plural = _("Stripe connection attempts")

    def __str__(self) -> str:
        return f"{self.association_id} by {self.actor_id}"
