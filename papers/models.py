"""The lottery's papers: what the mayor's request declares, the costs, the use of the funds.

The figures themselves (issue capital, thresholds, the 15 % rule, the funds raised)
are computed from these rows and from the orders, in `selectors`; nothing here
stores a total.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from associations.storage import private_storage


class Cause(models.TextChoices):
    # The three ends the law allows a lottery for (CSI L322-3).
    CHARITY = "charity", _("Acts of charity (bienfaisance)")
    ARTS = "arts", _("Encouragement of the arts")
    SPORT = "sport", _("Financing of non-profit sport")


class LotteryRequest(models.Model):
    """What the authorisation request declares beyond the lottery's own fields."""

    lottery = models.OneToOneField(
        "lottery.Lottery",
        on_delete=models.CASCADE,
        related_name="request",
        verbose_name=_("lottery"),
    )
    cause = models.CharField(
        _("purpose"), max_length=10, choices=Cause.choices, default=Cause.CHARITY
    )
    funds_use = models.TextField(
        _("precise use of the funds"),
        help_text=_("What the money raised will pay for, as you will account for it."),
    )
    sales_places = models.TextField(
        _("places of sale"),
        blank=True,
        help_text=_("Where tickets are sold in person, besides this website."),
    )
    draw_place = models.CharField(_("place of the draw"), max_length=255, blank=True)
    public_utility_decree = models.CharField(
        _("public-utility recognition (decree number)"), max_length=100, blank=True
    )
    public_utility_date = models.DateField(
        _("public-utility recognition date"), null=True, blank=True
    )
    subsidies = models.TextField(
        _("public subsidies received"),
        blank=True,
        help_text=_("Who granted them and how much, over the last financial year."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("authorisation request")
        verbose_name_plural = _("authorisation requests")

    def __str__(self) -> str:
        return str(self.lottery)


class CostLine(models.Model):
    """An organisation cost the association recorded (the payment fees are counted apart)."""

    class Kind(models.TextChoices):
        PRIZES = "prizes", _("Prizes bought")
        PRINTING = "printing", _("Printing")
        OTHER = "other", _("Other")

    lottery = models.ForeignKey(
        "lottery.Lottery",
        on_delete=models.CASCADE,
        related_name="cost_lines",
        verbose_name=_("lottery"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    label = models.CharField(_("label"), max_length=150)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.label


def proof_upload_to(instance: FundUse, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "pdf"
    return f"papers/proofs/{instance.lottery_id}/{get_random_string(24)}.{extension}"


class FundUse(models.Model):
    """How part of the money raised was used, recorded by the association after the draw."""

    lottery = models.ForeignKey(
        "lottery.Lottery",
        on_delete=models.CASCADE,
        related_name="fund_uses",
        verbose_name=_("lottery"),
    )
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    used_on = models.DateField(_("date"))
    beneficiary = models.CharField(_("beneficiary"), max_length=200)
    description = models.CharField(_("what it paid for"), max_length=255, blank=True)
    # An invoice or receipt: private to the association's managers and staff.
    proof = models.FileField(
        _("proof"), upload_to=proof_upload_to, storage=private_storage, max_length=255, blank=True
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("use of the funds")
        verbose_name_plural = _("uses of the funds")
        ordering = ["used_on", "pk"]

    def __str__(self) -> str:
        return f"{self.beneficiary} ({self.used_on})"
