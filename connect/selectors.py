"""Reads about payment accounts: may this association sell online, its balance, payouts."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import stripe
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import PaymentAccount
from .stripe_api import PaymentError, on_account, stripe_client

logger = logging.getLogger(__name__)

# A rush on a lottery must not ask Stripe per page view: balances are read at most
# this often per account, and on every account event.
BALANCE_CACHE_SECONDS = 300
BALANCE_KEY = "connect:balance:{account_id}"

# What Stripe's requirement names mean, for the treasurer who has to provide them.
REQUIREMENT_LABELS = {
    "external_account": gettext_noop("a bank account for payouts"),
    "business_profile.url": gettext_noop("the association's website"),
    "business_profile.mcc": gettext_noop("the kind of activity"),
    "tos_acceptance.date": gettext_noop("acceptance of Stripe's terms"),
}


def account_of(*, association_id: int) -> PaymentAccount | None:
    """The association's connected account, or None."""
    return PaymentAccount.objects.filter(
        association_id=association_id, disconnected_at__isnull=True
    ).first()


def payments_ready_exists(*, association_ref: Any) -> Exists:
    """An expression: the association (`association_ref`, an OuterRef) can take payments."""
    return Exists(
        PaymentAccount.objects.filter(
            association_id=association_ref, disconnected_at__isnull=True, charges_enabled=True
        )
    )


def account_by_stripe_id(*, account_id: str) -> PaymentAccount | None:
    return PaymentAccount.objects.filter(account_id=account_id).first()


def accounts_connected() -> list[PaymentAccount]:
    return list(PaymentAccount.objects.filter(disconnected_at__isnull=True))


def requirement_label(name: str) -> str:
    if name in REQUIREMENT_LABELS:
        return _(REQUIREMENT_LABELS[name])
    if name.startswith(("representative.", "person_")):
        return _("details of the association's legal representative")
    if name.startswith("company."):
        return _("the association's legal details")
    return name


@dataclass(frozen=True)
class Readiness:
    """May an association take payments online, and if not, what is missing."""

    ready: bool
    account: PaymentAccount | None
    missing: list[str] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return self.account is not None

    @property
    def reason(self) -> str:
        """One sentence for the association's managers."""
        if self.ready:
            return ""
        if self.account is None:
            return _("Connect the association's Stripe account to sell tickets online.")
        if self.missing:
            return _("Stripe cannot take payments for this account yet. Still needed: %s.") % (
                ", ".join(self.missing)
            )
        return _("Stripe cannot take payments for this account yet: finish its onboarding.")


def payments_readiness(*, association_id: int) -> Readiness:
    account = account_of(association_id=association_id)
    if account is None:
        return Readiness(ready=False, account=None)
    missing = sorted({requirement_label(name) for name in account.requirements_due})
    return Readiness(ready=account.charges_enabled, account=account, missing=missing)


def platform_fee_cents(*, amount_cents: int) -> int:
    """The platform's share of a payment, `PLATFORM_FEE_PERCENT` of it rounded half up."""
    hundredths = int(round(settings.PLATFORM_FEE_PERCENT * 100))
    return (amount_cents * hundredths + 5000) // 10000


@dataclass(frozen=True)
class Payout:
    amount_cents: int
    status: str
    arrival_date: int


@dataclass(frozen=True)
class Balance:
    available_cents: int
    pending_cents: int
    payouts: list[Payout]


def _balance_from_stripe(account_id: str) -> Balance:
    client = stripe_client()
    options = on_account(account_id)
    balance = client.v1.balance.retrieve(options=options)
    payouts = client.v1.payouts.list(params={"limit": 5}, options=options)
    return Balance(
        available_cents=sum(b.amount for b in balance.available if b.currency == "eur"),
        pending_cents=sum(b.amount for b in balance.pending if b.currency == "eur"),
        payouts=[
            Payout(amount_cents=p.amount, status=p.status, arrival_date=p.arrival_date)
            for p in payouts.data
        ],
    )


def account_balance(*, account: PaymentAccount) -> Balance | None:
    """The account's balance and recent payouts, from Stripe through the cache."""
    key = BALANCE_KEY.format(account_id=account.account_id)
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        balance = _balance_from_stripe(account.account_id)
    except (stripe.StripeError, PaymentError) as exc:
        logger.warning("Balance of %s not read: %s", account.account_id, exc)
        return None
    cache.set(key, balance, BALANCE_CACHE_SECONDS)
    return balance


def account_balance_forget(*, account_id: str) -> None:
    cache.delete(BALANCE_KEY.format(account_id=account_id))


@dataclass(frozen=True)
class PaymentsPanel:
    readiness: Readiness
    balance: Balance | None
    connect_url: str
    disconnect_url: str
    refresh_url: str
    fee_percent: object


def payments_panel(*, association) -> PaymentsPanel:
    readiness = payments_readiness(association_id=association.pk)
    balance = None
    if readiness.account is not None:
        balance = account_balance(account=readiness.account)
    return PaymentsPanel(
        readiness=readiness,
        balance=balance,
        connect_url=reverse("connect:start", args=[association.slug]),
        disconnect_url=reverse("connect:disconnect", args=[association.slug]),
        refresh_url=reverse("connect:refresh", args=[association.slug]),
        fee_percent=settings.PLATFORM_FEE_PERCENT,
    )
