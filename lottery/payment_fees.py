"""What each online payment cost: Stripe's fee and the platform's, from Stripe's books.

A payment's balance transaction on the association's account lists its fees
(`fee_details`): `application_fee` is the platform's share, everything else
(`stripe_fee`, `tax`) is Stripe's. They are read once after the payment is served,
by a task, and again by the reconciliation while they are still unknown; the
figures of a lottery add up what was recorded and say how many are still missing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import stripe
from django.db.models import Q
from django.utils import timezone

from connect.selectors import account_balance_forget
from connect.stripe_api import PaymentError, on_account, stripe_client
from connect.stripe_api import stripe_unavailable as _unavailable

from .models import Order

logger = logging.getLogger(__name__)

# The reconciliation looks for missing fees among payments this recent, this many a run.
FEES_LOOKBACK = timedelta(days=30)
FEES_BATCH = 50
PLATFORM_FEE_TYPE = "application_fee"


def _fees_of_intent(order: Order) -> tuple[int, int] | None:
    """(Stripe's fee, platform's fee) of the order's payment, or None when not settled yet."""
    client = stripe_client()
    try:
        intent = client.v1.payment_intents.retrieve(
            order.stripe_payment_intent_id,
            params={"expand": ["latest_charge.balance_transaction"]},
            options=on_account(order.stripe_account_id),
        )
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    charge = intent.to_dict().get("latest_charge")
    txn = charge.get("balance_transaction") if charge and not isinstance(charge, str) else None
    if txn is None or isinstance(txn, str):
        return None
    stripe_fee = platform_fee = 0
    for detail in txn.get("fee_details") or []:
        if detail.get("type") == PLATFORM_FEE_TYPE:
            platform_fee += int(detail.get("amount") or 0)
        else:
            stripe_fee += int(detail.get("amount") or 0)
    return stripe_fee, platform_fee


def order_fees_record(*, order_id: int) -> str:
    """Read and keep the fees of an online order's payment, once.

    Returns "recorded", "known" (already kept), "not_paid" (no payment to read) or
    "unsettled" (Stripe has no balance transaction for it yet). Raises PaymentError
    when Stripe cannot be reached; the reconciliation tries again later.
    """
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.channel != Order.Channel.ONLINE or not order.stripe_payment_intent_id:
        return "not_paid"
    if order.stripe_fee_cents is not None:
        return "known"
    if order.status not in (Order.Status.PAID, Order.Status.REFUNDED):
        return "not_paid"
    fees = _fees_of_intent(order)
    if fees is None:
        return "unsettled"
    updated = Order.objects.filter(pk=order.pk, stripe_fee_cents__isnull=True).update(
        stripe_fee_cents=fees[0], platform_fee_cents=fees[1]
    )
    if order.stripe_account_id:
        # The account's balance moved with this payment: the dashboard reads it afresh.
        account_balance_forget(account_id=order.stripe_account_id)
    return "recorded" if updated else "known"


def orders_fees_unknown():
    """Recent online payments whose fees are not kept yet, a batch at a time."""
    since = timezone.now() - FEES_LOOKBACK
    return (
        Order.objects.filter(
            channel=Order.Channel.ONLINE,
            status__in=(Order.Status.PAID, Order.Status.REFUNDED),
            stripe_fee_cents__isnull=True,
        )
        .filter(Q(paid_at__gte=since) | Q(paid_at__isnull=True, created_at__gte=since))
        .exclude(stripe_payment_intent_id__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:FEES_BATCH]
    )


def fees_reconcile() -> dict[str, int]:
    """Read the fees still missing; Stripe unreachable counts and stops the batch."""
    outcomes: dict[str, int] = {}
    for order_id in list(orders_fees_unknown()):
        try:
            outcome = order_fees_record(order_id=order_id)
        except PaymentError as exc:
            logger.warning("Fees of order %s not read: %s", order_id, exc)
            outcomes["fees_unreachable"] = outcomes.get("fees_unreachable", 0) + 1
            break
        key = f"fees_{outcome}"
        outcomes[key] = outcomes.get(key, 0) + 1
    return outcomes
