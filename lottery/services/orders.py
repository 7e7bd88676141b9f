"""Orders after the reservation: cash sales, payment confirmed, released, refunded."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assosolos.money import money_text

from .. import payment_emails, selectors
from ..locking import money_path_lock, order_lock
from ..models import Lottery, Order, Ticket
from .errors import MAX_AMOUNT_CENTS, PerPersonCapReached
from .reservations import (
    amount_check,
    association_suspended,
    orders_give_up,
    payment_intents_cancel_queue,
    per_person_check,
    quantity_check,
    sales_window_check,
    sold_out,
    tickets_take,
)
from .setup import _add

logger = logging.getLogger(__name__)

Status = Lottery.Status


def order_record_offline(
    *,
    lottery: Lottery,
    actor: Any,
    channel: str,
    quantity: int,
    receipt_number: str,
    buyer_name: str = "",
    buyer_email: str = "",
    amount_cents: int | None = None,
) -> Order:
    """Record a cash or cheque sale: a paid order whose tickets come from the same pool.

    The receipt number is required and unique within the lottery.
    """
    errors: dict[str, list] = {}
    if channel not in (Order.Channel.CASH, Order.Channel.CHEQUE):
        _add(errors, "channel", _("Choose cash or cheque."))
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        _add(errors, "receipt_number", _("Give the number of the receipt handed to the buyer."))
    if amount_cents is not None and amount_cents < 0:
        _add(errors, "amount_cents", _("The amount cannot be negative."))
    if amount_cents is not None and amount_cents > MAX_AMOUNT_CENTS:
        _add(
            errors,
            "amount_cents",
            _("One sale may be at most %(max)s.") % {"max": money_text(MAX_AMOUNT_CENTS)},
        )
    if errors:
        raise ValidationError(errors)
    quantity = quantity_check(quantity)
    now = timezone.now()
    with transaction.atomic():
        current, _orders = money_path_lock(lottery_id=lottery.pk, lottery_shared=True)
        sales_window_check(current, now)
        if Order.objects.filter(lottery=current, receipt_number__iexact=receipt_number).exists():
            raise ValidationError(
                {"receipt_number": _("This receipt number is already recorded for this lottery.")}
            )
        order = Order.objects.create(
            lottery=current,
            buyer=None,
            buyer_name=buyer_name.strip(),
            buyer_email=buyer_email.strip(),
            quantity=quantity,
            amount_cents=(
                amount_cents
                if amount_cents is not None
                else amount_check(selectors.price_for_quantity(lottery=current, quantity=quantity))
            ),
            channel=channel,
            status=Order.Status.PAID,
            receipt_number=receipt_number,
            recorded_by=actor,
            created_at=now,
            paid_at=now,
        )
        numbers = tickets_take(
            lottery_id=current.pk, order_id=order.pk, quantity=quantity, status=Ticket.Status.SOLD
        )
        if not numbers:
            raise sold_out(current.pk)
        Ticket.objects.filter(order=order).update(sold_at=now)
    return order


class _CannotServe(Exception):
    """Raised inside order_confirm_payment to undo a partial attempt."""


def order_confirm_payment(*, order_id: int, payment_intent_id: str) -> bool:
    """Mark an online order paid and its tickets sold. Idempotent, safe when called twice at once.

    Returns True when the order is paid (now or before). Returns False when it
    cannot be served (sold out, sales over, cancelled, already refunded, or paid
    through another PaymentIntent): the caller then refunds the payment.
    If the reservation had been released, fresh numbers are taken when sales
    are still open.
    """
    try:
        return _confirm(order_id=order_id, payment_intent_id=payment_intent_id)
    except _CannotServe:
        return False


def _confirm(*, order_id: int, payment_intent_id: str) -> bool:
    now = timezone.now()
    with transaction.atomic():
        # The buyer lock keeps a payment and the same buyer's next reservation (which
        # replaces a pending order) one after the other.
        locked = order_lock(order_id, with_buyer=True)
        if locked is None:
            return False
        lottery, order = locked
        if order.stripe_payment_intent_id and order.stripe_payment_intent_id != payment_intent_id:
            logger.warning("Order %s confirmed with a foreign PaymentIntent", order.pk)
            return False
        if order.status == Order.Status.PAID:
            return True
        if association_suspended(association_id=lottery.association_id):
            # Its pending orders were released at the suspension: none is served.
            logger.warning("Order %s paid after its association was suspended", order.pk)
            return False
        if (
            order.status in (Order.Status.REFUNDED, Order.Status.CANCELLED)
            or order.channel != Order.Channel.ONLINE
        ):
            # A cancelled order was given up by its buyer (or replaced by a new one).
            return False
        held = Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).count()
        if order.status == Order.Status.PENDING and held == order.quantity:
            # Sales may have closed meanwhile: the payment was made for a valid hold.
            if lottery.status not in (Status.OPEN, Status.CLOSED):
                return False
        else:
            if lottery.status != Status.OPEN or lottery.sales_close_at <= now:
                return False
            # Drop any partial hold, then take fresh numbers like a new reservation;
            # _CannotServe rolls all of it back.
            Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).update(
                status=Ticket.Status.AVAILABLE, order=None
            )
            try:
                per_person_check(
                    lottery=lottery,
                    buyer_id=order.buyer_id,
                    email=order.buyer_email,
                    quantity=order.quantity,
                )
            except PerPersonCapReached as exc:
                raise _CannotServe from exc
            numbers = tickets_take(
                lottery_id=lottery.pk,
                order_id=order.pk,
                quantity=order.quantity,
                status=Ticket.Status.RESERVED,
            )
            if not numbers:
                raise _CannotServe
        Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).update(
            status=Ticket.Status.SOLD, sold_at=now
        )
        order.status = Order.Status.PAID
        order.paid_at = now
        order.stripe_payment_intent_id = payment_intent_id
        order.save(update_fields=["status", "paid_at", "stripe_payment_intent_id"])
        # Queued with the sale: the numbers are emailed once this commits, never otherwise.
        payment_emails.order_paid_email(order=order)
    return True


def _release(order_id: int, status: str, *, expired_before: datetime | None = None) -> bool:
    if status not in (Order.Status.EXPIRED, Order.Status.FAILED):
        raise ValueError(f"An order is released as expired or failed, not {status!r}.")
    with transaction.atomic():
        locked = order_lock(order_id)
        if locked is None or locked[1].status != Order.Status.PENDING:
            return False
        order = locked[1]
        if expired_before is not None and (
            order.expires_at is None or order.expires_at > expired_before
        ):
            return False
        Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).update(
            status=Ticket.Status.AVAILABLE, order=None
        )
        order.status = status
        order.save(update_fields=["status"])
        if status == Order.Status.EXPIRED:
            # Too late to pay: an old page must no longer charge the card.
            payment_intents_cancel_queue([order.pk])
    return True


def order_cancel(*, order_id: int, actor: Any, by_guest_link: bool = False) -> bool:
    """The buyer gives up a pending order: its numbers go back on sale at once.

    Its PaymentIntent is cancelled at Stripe after commit. Returns False (and
    changes nothing) unless `actor` is the order's buyer and it is still pending;
    `by_guest_link`: the caller verified the order's signed guest link, which stands
    for its buyer. A payment already made meanwhile is refunded when its webhook arrives.
    """
    with transaction.atomic():
        locked = order_lock(order_id)
        if locked is None:
            return False
        lottery, order = locked
        is_buyer = order.buyer_id is not None and order.buyer_id == getattr(actor, "pk", None)
        if not (is_buyer or by_guest_link):
            return False
        given_up = orders_give_up(
            lottery=lottery, order_ids=[order.pk], status=Order.Status.CANCELLED
        )
        payment_intents_cancel_queue(given_up)
    return bool(given_up)


def orders_release_for_suspension(*, association_id: int) -> list[int]:
    """The association is suspended: release its lotteries' pending online orders.

    Each becomes FAILED, its numbers back in the pool, and its PaymentIntent is
    cancelled at Stripe after commit, so the checkout page can no longer charge the
    card. A payment made anyway is refunded when its webhook arrives
    (`order_confirm_payment` refuses an order of a suspended association). Returns
    the orders released.
    """
    pending = Order.objects.filter(
        lottery__association_id=association_id,
        status=Order.Status.PENDING,
        channel=Order.Channel.ONLINE,
    ).values_list("pk", flat=True)
    released = [pk for pk in sorted(pending) if _release(pk, Order.Status.FAILED)]
    payment_intents_cancel_queue(released)
    if released:
        logger.info(
            "Association %s suspended: %s pending orders released", association_id, len(released)
        )
    return released


def order_release(*, order_id: int, status: str) -> None:
    """PENDING → EXPIRED or FAILED, its numbers back in the pool; a no-op otherwise."""
    _release(order_id, status)


def reservations_expire(*, now: datetime | None = None) -> int:
    """Release every pending online order past its hold; returns how many were released."""
    now = now or timezone.now()
    due = Order.objects.filter(
        status=Order.Status.PENDING, channel=Order.Channel.ONLINE, expires_at__lte=now
    ).values_list("pk", flat=True)
    return sum(_release(pk, Order.Status.EXPIRED, expired_before=now) for pk in list(due))


def order_mark_refunded(*, order_id: int, refund_id: str) -> None:
    """Any order → REFUNDED: sold numbers become void, held ones go back to the pool.

    Idempotent. Cash and cheque orders are marked refunded with an empty
    refund id: the association reimburses them by hand.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = order_lock(order_id)
        if locked is None or locked[1].status == Order.Status.REFUNDED:
            return
        order = locked[1]
        Ticket.objects.filter(order=order, status=Ticket.Status.SOLD).update(
            status=Ticket.Status.VOID
        )
        Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).update(
            status=Ticket.Status.AVAILABLE, order=None
        )
        order.status = Order.Status.REFUNDED
        order.refunded_at = now
        order.refunded_cents = order.amount_cents
        if refund_id:
            order.stripe_refund_id = refund_id
        order.save(update_fields=["status", "refunded_at", "refunded_cents", "stripe_refund_id"])
