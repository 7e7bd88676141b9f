"""Stripe: PaymentIntents, refunds and reconciliation around the order services.

This module talks to Stripe and applies what Stripe reports through the services
in `lottery.services`, which alone decide whether an order can be served.
Amounts are integer cents from the order to Stripe and back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from assosolos.effects import task_on_commit
from connect.selectors import account_balance_forget, payments_readiness, platform_fee_cents
from connect.stripe_api import PaymentError, on_account, stripe_client
from connect.stripe_api import stripe_unavailable as _unavailable

from . import payment_emails
from .locking import order_lock
from .models import Lottery, Order, OrderEvent
from .services import after_seal
from .services.orders import order_confirm_payment, order_mark_refunded, order_release
from .services.reservations import association_suspended

logger = logging.getLogger(__name__)

CURRENCY = "eur"
# Refunds already made (or under way) for a PaymentIntent; a new one is never needed then.
LIVE_REFUND_STATUSES = frozenset({"pending", "requires_action", "succeeded"})


__all__ = ["PaymentError", "stripe_client"]


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    created: bool


# --- PaymentIntents ------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutIntent:
    """What the checkout page needs from a PaymentIntent."""

    client_secret: str
    status: str
    # The association's account the PaymentIntent lives on (Stripe.js needs it).
    stripe_account: str = ""

    @property
    def paid(self) -> bool:
        # The buyer already paid (the webhook is on its way): never offer to pay again.
        return self.status in ("succeeded", "processing", "requires_capture")


def payment_element_enabled() -> bool:
    """Whether checkout uses Stripe's Payment Element with automatic payment methods.

    `STRIPE_PAYMENT_ELEMENT` when set; else only with the real Stripe.js, since the
    local fake one offers the card form alone.
    """
    chosen = getattr(settings, "STRIPE_PAYMENT_ELEMENT", None)
    if chosen is not None:
        return bool(chosen)
    return settings.STRIPE_JS_URL.startswith("https://js.stripe.com/")


def payment_intent_create(*, order: Order) -> CheckoutIntent:
    """Return the order's PaymentIntent for the checkout page, creating it the first time.

    It is a direct charge on the association's own Stripe account, which must be able
    to take payments; the platform's fee (`PLATFORM_FEE_PERCENT`) goes with it as
    `application_fee_amount` when it is not 0. The idempotency key makes a retried
    creation return the same PaymentIntent. Raises PaymentError; the order and its
    reservation stay as they were.
    """
    client = stripe_client()
    try:
        if order.stripe_payment_intent_id:
            intent = client.v1.payment_intents.retrieve(
                order.stripe_payment_intent_id, options=on_account(order.stripe_account_id)
            )
            return CheckoutIntent(intent.client_secret, intent.status, order.stripe_account_id)
        readiness = payments_readiness(association_id=order.lottery.association_id)
        if not readiness.ready:
            raise PaymentError(_("Online sales are closed for this lottery at the moment."))
        account_id = readiness.account.account_id
        fee = platform_fee_cents(amount_cents=order.amount_cents)
        params: dict[str, Any] = {
            "amount": order.amount_cents,
            "currency": CURRENCY,
            "metadata": {"order_id": str(order.pk), "lottery_id": str(order.lottery_id)},
        }
        if payment_element_enabled():
            # Cards, and the wallets (Apple Pay, Google Pay…) Stripe offers the buyer;
            # no redirecting method, so the page never leaves for another site.
            params["automatic_payment_methods"] = {"enabled": True, "allow_redirects": "never"}
        else:
            params["payment_method_types"] = ["card"]
        if fee:
            params["application_fee_amount"] = fee
        intent = client.v1.payment_intents.create(
            params=params,
            options={"idempotency_key": f"order-{order.pk}-pi", "stripe_account": account_id},
        )
        recorded = Order.objects.filter(pk=order.pk, stripe_payment_intent_id__isnull=True).update(
            stripe_payment_intent_id=intent.id, stripe_account_id=account_id
        )
        if not recorded:
            # Another request recorded its PaymentIntent first: pay that one.
            order.refresh_from_db(fields=["stripe_payment_intent_id", "stripe_account_id"])
            if order.stripe_payment_intent_id != intent.id:
                intent = client.v1.payment_intents.retrieve(
                    order.stripe_payment_intent_id, options=on_account(order.stripe_account_id)
                )
        else:
            order.stripe_account_id = account_id
        order.stripe_payment_intent_id = intent.id
        return CheckoutIntent(intent.client_secret, intent.status, order.stripe_account_id)
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc


def payment_intent_retrieve(*, payment_intent_id: str, stripe_account: str = "") -> dict[str, Any]:
    try:
        intent = stripe_client().v1.payment_intents.retrieve(
            payment_intent_id, options=on_account(stripe_account)
        )
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return intent.to_dict()


def _order_for_intent(payment_intent_id: str | None) -> Order | None:
    if not payment_intent_id:
        return None
    return Order.objects.filter(stripe_payment_intent_id=payment_intent_id).first()


# --- Refunds -------------------------------------------------------------------------


class RefundBlocked(PaymentError):
    """Stripe no longer lets the platform act on the account the payment was made on."""


def _refund_ensure(
    *, payment_intent_id: str, idempotency_key: str, metadata: dict, stripe_account: str = ""
) -> RefundResult:
    """Refund a PaymentIntent in full unless a refund of it exists already.

    On the account the payment was made on. Raises RefundBlocked when the platform
    lost access to that account (it was disconnected), PaymentError otherwise.
    """
    client = stripe_client()
    options = on_account(stripe_account)
    try:
        existing = client.v1.refunds.list(
            params={"payment_intent": payment_intent_id}, options=options
        )
        for refund in existing.data:
            if refund.status in LIVE_REFUND_STATUSES:
                return RefundResult(refund.id, created=False)
        params = {"payment_intent": payment_intent_id, "metadata": metadata}
        if stripe_account:
            # The platform's fee goes back with the payment: a refunded buyer costs
            # the association nothing but Stripe's own fee.
            params["refund_application_fee"] = True
        refund = client.v1.refunds.create(
            params=params,
            options={"idempotency_key": idempotency_key, **options},
        )
    except stripe.PermissionError as exc:
        logger.error("Refund of %s blocked: %s", payment_intent_id, exc)
        raise RefundBlocked(
            _(
                "The association's Stripe account is disconnected from the platform: "
                "this payment can only be refunded from that account's own Stripe dashboard."
            )
        ) from exc
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return RefundResult(refund.id, created=True)


def payment_refund(*, order_id: int) -> RefundResult:
    """Refund an online order's payment in full, exactly once, and record the refund id.

    The order row stays locked while Stripe is asked, so two callers never both
    refund; a refund Stripe made before a crash is found and reused. Does not
    change the order's status (see `order_mark_refunded`). Raises PaymentError.
    """
    with transaction.atomic():
        locked = order_lock(order_id)
        if locked is None:
            raise Order.DoesNotExist(f"Order {order_id} does not exist.")
        order = locked[1]
        if order.stripe_refund_id:
            return RefundResult(order.stripe_refund_id, created=False)
        if not order.stripe_payment_intent_id:
            raise ValueError(f"Order {order_id} has no payment to refund.")
        result = _refund_ensure(
            payment_intent_id=order.stripe_payment_intent_id,
            idempotency_key=f"order-{order.pk}-refund",
            metadata={"order_id": str(order.pk), "lottery_id": str(order.lottery_id)},
            stripe_account=order.stripe_account_id,
        )
        Order.objects.filter(pk=order.pk).update(stripe_refund_id=result.refund_id)
    if result.created and order.stripe_account_id:
        account_balance_forget(account_id=order.stripe_account_id)
    return result


def _refund_email_queue(order_id: int) -> None:
    # Queued in the caller's transaction, with the refund it announces.
    order = Order.objects.select_related("lottery__association", "buyer").get(pk=order_id)
    payment_emails.order_refund_email(order=order)


# --- Applying what Stripe reports ----------------------------------------------------


def payment_success_apply(*, intent: dict[str, Any], account: str = "") -> str:
    """A PaymentIntent succeeded: sell the order's tickets, or refund it when it cannot be served.

    `account` is the connected account the PaymentIntent lives on ("" for the
    platform's own). Safe to call any number of times, in any order with the other
    events. Returns what happened: "paid", "refunded" or "unknown".
    """
    order = _order_for_intent(intent.get("id"))
    if order is None:
        return _orphan_payment_refund(intent, account)
    if intent.get("amount") != order.amount_cents or intent.get("currency") != CURRENCY:
        logger.error("PaymentIntent %s does not match order %s", intent.get("id"), order.pk)
        served = False
    else:
        served = order_confirm_payment(order_id=order.pk, payment_intent_id=intent["id"])
    if served:
        task_on_commit("lottery.tasks.order_fees_record_run", order.pk)
        return "paid"
    refund = payment_refund(order_id=order.pk)
    order_mark_refunded(order_id=order.pk, refund_id=refund.refund_id)
    if association_suspended(association_id=order.lottery.association_id):
        _suspension_refund_record(order)
    if refund.created:
        _refund_email_queue(order.pk)
    task_on_commit("lottery.tasks.order_fees_record_run", order.pk)
    return "refunded"


def _suspension_refund_record(order: Order) -> None:
    # Kept in the order's history, once however often Stripe sends the event.
    note = "Paid after its association was suspended: refunded."
    if not OrderEvent.objects.filter(
        order=order, kind=OrderEvent.Kind.REFUNDED, note=note
    ).exists():
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.REFUNDED,
            note=note,
            before={"status": Order.Status.PENDING},
            after={"status": Order.Status.REFUNDED},
        )


def _orphan_payment_refund(intent: dict[str, Any], account: str) -> str:
    """Money paid on a PaymentIntent no order holds: never keep it if it was ours."""
    metadata = intent.get("metadata") or {}
    order_id = str(metadata.get("order_id", ""))
    if not order_id.isdigit() or not Order.objects.filter(pk=int(order_id)).exists():
        logger.info("Ignoring PaymentIntent %s: no order of ours", intent.get("id"))
        return "unknown"
    logger.error("Refunding PaymentIntent %s held by no order", intent["id"])
    _refund_ensure(
        payment_intent_id=intent["id"],
        idempotency_key=f"{intent['id']}-refund",
        metadata=metadata,
        stripe_account=account,
    )
    return "refunded"


def payment_failure_apply(*, intent: dict[str, Any]) -> str:
    """An attempt to pay failed (e.g. a declined card): the order keeps its numbers.

    Stripe lets the buyer try the same PaymentIntent again with another card, so
    the reservation stays until it expires or the PaymentIntent is cancelled.
    """
    order = _order_for_intent(intent.get("id"))
    return "unknown" if order is None else "declined"


def payment_cancel_apply(*, intent: dict[str, Any]) -> str:
    """A PaymentIntent was cancelled: nothing can be paid with it, release the reservation.

    A no-op once the order is paid or given up.
    """
    order = _order_for_intent(intent.get("id"))
    if order is None:
        return "unknown"
    order_release(order_id=order.pk, status=Order.Status.FAILED)
    return "released"


# A PaymentIntent in these states can still be cancelled (Stripe's rule).
CANCELLABLE_INTENT_STATUSES = frozenset(
    {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "requires_capture",
    }
)


def payment_intent_cancel(*, order_id: int) -> str:
    """Cancel the PaymentIntent of an order that can no longer be paid. Idempotent.

    For an order given up (expired, cancelled, replaced), so that an old page can no
    longer charge the card. Never inside a transaction: it waits on Stripe. Returns
    the PaymentIntent's status afterwards, or "kept" when the order may still be
    paid. A payment already made is left alone: its webhook refunds it. Raises
    PaymentError when Stripe cannot be reached (the task is retried).
    """
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not order.stripe_payment_intent_id:
        return "none"
    if order.status == Order.Status.PENDING:
        return "kept"
    client = stripe_client()
    options = on_account(order.stripe_account_id)
    try:
        intent = client.v1.payment_intents.retrieve(order.stripe_payment_intent_id, options=options)
        if intent.status not in CANCELLABLE_INTENT_STATUSES:
            return str(intent.status)
        intent = client.v1.payment_intents.cancel(
            order.stripe_payment_intent_id,
            options={"idempotency_key": f"order-{order.pk}-pi-cancel", **options},
        )
    except stripe.PermissionError as exc:
        # The account was disconnected: the platform cannot reach its PaymentIntents.
        logger.warning("PaymentIntent of order %s out of reach: %s", order.pk, exc)
        return "unreachable"
    except stripe.InvalidRequestError as exc:
        # The PaymentIntent moved on meanwhile (paid, processing, cancelled): keep it.
        logger.info("PaymentIntent of order %s not cancelled: %s", order.pk, exc)
        return "unchanged"
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return str(intent.status)


def charge_refund_apply(*, charge: dict[str, Any]) -> str:
    """A charge was refunded (by us or from Stripe's dashboard): void the order's tickets.

    A partial refund (made from the association's Stripe dashboard) leaves the
    tickets in the draw and records the amount that went back, for the accounts.
    """
    order = _order_for_intent(charge.get("payment_intent"))
    if order is None:
        return "unknown"
    if order.status == Order.Status.PAID and after_seal.order_sealed(order=order):
        # The sealed ledger and the result name its tickets: keep them, record it.
        refunded = charge.get("amount_refunded")
        if not isinstance(refunded, int) or isinstance(refunded, bool):
            refunded = order.amount_cents if charge.get("refunded") else 0
        after_seal.order_after_seal_record(
            order_id=order.pk,
            kind=after_seal.REFUND,
            amount_cents=max(refunded, 0),
            reference=str(charge.get("id") or ""),
        )
        return "kept sealed"
    if not charge.get("refunded"):
        refunded = charge.get("amount_refunded")
        if isinstance(refunded, int) and 0 <= refunded <= order.amount_cents:
            Order.objects.filter(pk=order.pk, status=Order.Status.PAID).update(
                refunded_cents=refunded
            )
        return "partial"
    refunds = (charge.get("refunds") or {}).get("data") or []
    refund_id = order.stripe_refund_id or (refunds[0]["id"] if refunds else "")
    order_mark_refunded(order_id=order.pk, refund_id=refund_id)
    return "refunded"


def dispute_apply(*, dispute: dict[str, Any]) -> str:
    """A buyer disputed a payment with their card issuer.

    After the seal the tickets stay as sealed and the dispute is recorded and told
    (see `services.after_seal`); before it, the dispute is only logged: the staff
    answer it from Stripe's dashboard.
    """
    order = _order_for_intent(dispute.get("payment_intent"))
    if order is None:
        return "unknown"
    amount = dispute.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool):
        amount = order.amount_cents
    if order.status == Order.Status.PAID and after_seal.order_sealed(order=order):
        after_seal.order_after_seal_record(
            order_id=order.pk,
            kind=after_seal.DISPUTE,
            amount_cents=max(amount, 0),
            reference=str(dispute.get("id") or ""),
        )
        return "kept sealed"
    logger.warning("Payment of order %s disputed (%s)", order.pk, dispute.get("id"))
    return "disputed"


def payment_intent_apply(*, intent: dict[str, Any], account: str = "") -> str:
    """Apply a PaymentIntent's current state, as read from Stripe (on `account`)."""
    status = intent.get("status")
    if status == "succeeded":
        return payment_success_apply(intent=intent, account=account)
    if status == "canceled":
        return payment_cancel_apply(intent=intent)
    # Not paid yet (perhaps a declined card, which the buyer may replace): the
    # hold's expiry handles silence.
    return "waiting"


def payment_reconcile(*, order: Order) -> str:
    """Ask Stripe about an order's PaymentIntent and apply it, as the webhook would have.

    Raises PaymentError when Stripe cannot be reached.
    """
    if not order.stripe_payment_intent_id:
        return "waiting"
    intent = payment_intent_retrieve(
        payment_intent_id=order.stripe_payment_intent_id, stripe_account=order.stripe_account_id
    )
    with transaction.atomic():
        return payment_intent_apply(intent=intent, account=order.stripe_account_id)


# --- Cancelled lotteries -------------------------------------------------------------


def lottery_refunds_issue(*, lottery_id: int) -> dict[str, int]:
    """Refund every paid order of a cancelled lottery and tell each buyer, once per order.

    Run it any number of times: an order is refunded and emailed only while it is
    still PAID, under its row lock, and Stripe is asked for an existing refund
    first. Cash and cheque orders are marked refunded, to be reimbursed by hand.
    Orders Stripe could not refund stay PAID for the next run.
    """
    counts = {"refunded": 0, "by_hand": 0, "failed": 0, "blocked": 0}
    if not Lottery.objects.filter(pk=lottery_id, status=Lottery.Status.CANCELLED).exists():
        return counts
    paid = Order.objects.filter(lottery_id=lottery_id, status=Order.Status.PAID)
    for order_id in list(paid.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                locked = order_lock(order_id)
                if locked is None or locked[1].status != Order.Status.PAID:
                    continue
                order = locked[1]
                if order.channel == Order.Channel.ONLINE:
                    refund_id = payment_refund(order_id=order.pk).refund_id
                    counts["refunded"] += 1
                else:
                    refund_id = ""
                    counts["by_hand"] += 1
                order_mark_refunded(order_id=order.pk, refund_id=refund_id)
                _refund_email_queue(order.pk)
        except RefundBlocked as exc:
            refund_blocked_record(order_id=order_id, reason=str(exc))
            counts["blocked"] += 1
        except PaymentError:
            counts["failed"] += 1
    return counts


def refund_blocked_record(*, order_id: int, reason: str) -> None:
    """Keep why an order's refund cannot be made here, for the staff's list."""
    Order.objects.filter(pk=order_id).update(refund_blocked_reason=reason)


def refunds_blocked():
    """Paid online orders whose refund the platform could not make, with the reason."""
    return (
        Order.objects.filter(status=Order.Status.PAID)
        .exclude(refund_blocked_reason="")
        .select_related("lottery__association", "buyer")
        .order_by("lottery_id", "pk")
    )


def lotteries_with_refunds_due() -> list[int]:
    """Cancelled lotteries that still have paid orders (a refund run failed or never ran)."""
    return list(
        Order.objects.filter(lottery__status=Lottery.Status.CANCELLED, status=Order.Status.PAID)
        .values_list("lottery_id", flat=True)
        .distinct()
    )
