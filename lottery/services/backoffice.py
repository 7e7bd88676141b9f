"""The back office: changes an association makes to one order after the sale.

Refund an online order through Stripe, void a mistaken cash or cheque sale,
correct a cash sale's buyer name or receipt number. Each change is recorded as an
`OrderEvent` (who, when, why, before and after) in the same transaction, and is
refused once the draw has sealed the ticket ledger.

Every change locks through `lottery.locking.order_lock` (lottery row shared, then
the order): sealing the ledger locks the lottery row for update, so it waits for a
change under way and a change never slips in after the seal.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import backoffice_emails
from ..locking import order_lock
from ..models import Lottery, Order, OrderEvent, Ticket
from ..selectors import lottery_ledger_sealed
from .orders import order_mark_refunded

NOTE_MAX_LENGTH = 255


def _locked_order(order_id: int, *, lottery: Lottery | None = None) -> tuple[Lottery, Order]:
    """Lock the order (caller is inside a transaction) and check the ledger is not sealed."""
    locked = order_lock(order_id)
    if locked is None or (lottery is not None and locked[0].pk != lottery.pk):
        raise ValidationError(_("This order does not exist."), code="not_found")
    current, order = locked
    if lottery_ledger_sealed(lottery=current):
        raise ValidationError(
            _("The ticket ledger is sealed for the draw: orders can no longer change."),
            code="sealed",
        )
    return current, order


def _require_paid(order: Order) -> None:
    if order.status != Order.Status.PAID:
        raise ValidationError(
            _("Only a paid order can change; this one is “%(status)s”.")
            % {"status": order.get_status_display()},
            code="not_paid",
        )


def _note(text: str) -> str:
    return " ".join((text or "").split())[:NOTE_MAX_LENGTH]


def _event(
    *,
    order: Order,
    kind: str,
    actor: Any,
    note: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        by=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
        note=note,
        before=before or {},
        after=after or {},
    )


def order_refund(
    *, order_id: int, actor: Any, note: str = "", lottery: Lottery | None = None
) -> Order:
    """Refund a paid online order in full through Stripe; its numbers become void.

    The order stays locked while Stripe is asked, so two admins clicking at once
    refund once (the second finds the order refunded). The buyer is emailed after
    commit. Raises ValidationError when the order cannot be refunded, and
    `payments.PaymentError` when Stripe refuses or cannot be reached (nothing changes).
    `lottery`, when given, must be the order's lottery (a dashboard's own check).
    """
    # `payments` imports this package: import it when a refund is made.
    from ..payments import payment_refund

    with transaction.atomic():
        _lottery, order = _locked_order(order_id, lottery=lottery)
        _require_paid(order)
        if order.channel != Order.Channel.ONLINE or not order.stripe_payment_intent_id:
            raise ValidationError(
                _("A cash or cheque sale is reimbursed by hand: void it instead."),
                code="not_online",
            )
        numbers = _numbers(order)
        refund = payment_refund(order_id=order.pk)
        order_mark_refunded(order_id=order.pk, refund_id=refund.refund_id)
        order.refresh_from_db()
        _event(
            order=order,
            kind=OrderEvent.Kind.REFUNDED,
            actor=actor,
            note=_note(note),
            before={"status": Order.Status.PAID, "tickets": numbers},
            after={"status": order.status, "refund": refund.refund_id},
        )
        # Queued in the same transaction: the buyer hears of it if and only if it holds.
        backoffice_emails.order_refunded_email_send(order.pk)
    return order


def order_void(*, order_id: int, actor: Any, reason: str, lottery: Lottery | None = None) -> Order:
    """Void a cash or cheque sale recorded by mistake: its numbers become void.

    The reason is required and kept in the order's history. The numbers are not
    sold again: the ledger keeps every number it ever issued.
    """
    reason = _note(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why this sale is voided.")})
    with transaction.atomic():
        _lottery, order = _locked_order(order_id, lottery=lottery)
        _require_paid(order)
        if order.channel == Order.Channel.ONLINE:
            raise ValidationError(_("An online order is refunded, not voided."), code="not_offline")
        numbers = _numbers(order)
        Ticket.objects.filter(order=order, status=Ticket.Status.SOLD).update(
            status=Ticket.Status.VOID
        )
        order.status = Order.Status.VOIDED
        order.save(update_fields=["status"])
        _event(
            order=order,
            kind=OrderEvent.Kind.VOIDED,
            actor=actor,
            note=reason,
            before={"status": Order.Status.PAID, "tickets": numbers},
            after={"status": Order.Status.VOIDED},
        )
    return order


CORRECTABLE_FIELDS = ("buyer_name", "receipt_number")


def order_correct(
    *,
    order_id: int,
    actor: Any,
    buyer_name: str | None = None,
    receipt_number: str | None = None,
    note: str = "",
    lottery: Lottery | None = None,
) -> Order:
    """Correct a cash or cheque sale's buyer name or receipt number.

    Only the fields given and changed are written and recorded. The receipt number
    stays required and unique within the lottery.
    """
    wanted: dict[str, str] = {}
    if buyer_name is not None:
        wanted["buyer_name"] = " ".join(buyer_name.split())
    if receipt_number is not None:
        wanted["receipt_number"] = receipt_number.strip()
        if not wanted["receipt_number"]:
            raise ValidationError(
                {"receipt_number": _("Give the number of the receipt handed to the buyer.")}
            )
    with transaction.atomic():
        current, order = _locked_order(order_id, lottery=lottery)
        _require_paid(order)
        if order.channel == Order.Channel.ONLINE:
            raise ValidationError(
                _("Only a cash or cheque sale can be corrected here."), code="not_offline"
            )
        changes = {name: value for name, value in wanted.items() if getattr(order, name) != value}
        if not changes:
            raise ValidationError(_("Nothing was changed."), code="unchanged")
        if (
            "receipt_number" in changes
            and Order.objects.filter(
                lottery=current, receipt_number__iexact=changes["receipt_number"]
            )
            .exclude(pk=order.pk)
            .exists()
        ):
            raise ValidationError(
                {"receipt_number": _("This receipt number is already recorded for this lottery.")}
            )
        before = {name: getattr(order, name) for name in changes}
        for name, value in changes.items():
            setattr(order, name, value)
        order.full_clean(exclude=[f.name for f in Order._meta.fields if f.name not in changes])
        order.save(update_fields=list(changes))
        _event(
            order=order,
            kind=OrderEvent.Kind.CORRECTED,
            actor=actor,
            note=_note(note),
            before=before,
            after=changes,
        )
    return order


def _numbers(order: Order) -> list[int]:
    return list(
        Ticket.objects.filter(order=order, status=Ticket.Status.SOLD)
        .order_by("number")
        .values_list("number", flat=True)
    )


def order_refund_made_elsewhere(*, order_id: int, actor: Any, note: str) -> Order:
    """Staff record that a refund the platform could not make was made on Stripe directly.

    For a paid online order whose refund was blocked (the association's account was
    disconnected): once the association refunded it from its own Stripe dashboard,
    the order is marked refunded, its numbers become void, the buyer is told, and
    the note (what was checked, and where) is kept in the order's history.
    """
    note = _note(note)
    if not note:
        raise ValidationError({"note": _("Say where and how the refund was checked.")})
    with transaction.atomic():
        locked = order_lock(order_id)
        if locked is None:
            raise ValidationError(_("This order does not exist."), code="not_found")
        order = locked[1]
        _require_paid(order)
        if order.channel != Order.Channel.ONLINE or not order.refund_blocked_reason:
            raise ValidationError(
                _("Only an online order whose refund was blocked is recorded this way."),
                code="not_blocked",
            )
        numbers = _numbers(order)
        order_mark_refunded(order_id=order.pk, refund_id="")
        order.refresh_from_db()
        _event(
            order=order,
            kind=OrderEvent.Kind.REFUNDED,
            actor=actor,
            note=note,
            before={"status": Order.Status.PAID, "tickets": numbers},
            after={"status": order.status, "refund": "outside the platform"},
        )
        backoffice_emails.order_refunded_email_send(order.pk)
    return order
