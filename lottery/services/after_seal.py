"""Money that goes back after a lottery's ledger is sealed: the draw stands as sealed.

The sealed ledger and the published result name every ticket sold; a refund made
from Stripe's dashboard or a dispute after the seal must not void any of them. The
order keeps its tickets, records the amount that went back (for a refund) and when,
its history says what happened, and the platform's staff and the association are
told by email; the result page says a ticket of this draw was refunded after the
seal.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from associations.selectors import association_manager_emails
from assosolos.emails import absolute_url, email_send

from ..locking import order_lock
from ..models import Order, OrderEvent

logger = logging.getLogger(__name__)

REFUND = "refund"
DISPUTE = "dispute"


def order_sealed(*, order: Order) -> bool:
    """The order's lottery has its ledger sealed: its tickets are in the published record."""
    return order.lottery.ledger_sealed_at is not None


def order_after_seal_record(*, order_id: int, kind: str, amount_cents: int, reference: str) -> bool:
    """Record a refund or dispute (`kind`) of a sealed order, without voiding a ticket.

    A refund raises the order's `refunded_cents` to `amount_cents` (bounded by what
    was paid); a dispute leaves it. Returns True when this refund or dispute
    (`reference`, Stripe's id) is recorded for the first time, and then the staff
    and the association are emailed, after commit.
    """
    note = f"{kind} {reference} after the seal: {amount_cents} cents; tickets kept as sealed."[:255]
    with transaction.atomic():
        locked = order_lock(order_id)
        if locked is None:
            return False
        lottery, order = locked
        if OrderEvent.objects.filter(order=order, note=note).exists():
            return False
        fields = ["refunded_after_seal_at"]
        order.refunded_after_seal_at = order.refunded_after_seal_at or timezone.now()
        if kind == REFUND:
            order.refunded_cents = max(order.refunded_cents, min(amount_cents, order.amount_cents))
            fields.append("refunded_cents")
        order.save(update_fields=fields)
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.REFUNDED,
            note=note,
            before={"status": order.status},
            after={"status": order.status, "refunded_cents": order.refunded_cents},
        )
        logger.warning(
            "Order %s of sealed lottery %s: %s %s (%s cents); tickets kept",
            order.pk,
            lottery.pk,
            kind,
            reference,
            amount_cents,
        )
        _after_seal_email(order=order, kind=kind, amount_cents=amount_cents)
    return True


def _after_seal_email(*, order: Order, kind: str, amount_cents: int) -> None:
    lottery = order.lottery
    association = lottery.association
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .values_list("email", flat=True)
    )
    managers = association_manager_emails(association=association)
    recipients = list(dict.fromkeys([*staff, *managers, association.contact_email]))
    email_send(
        template="lottery/email/refund_after_seal",
        context={
            "order": order,
            "lottery": lottery,
            "association": association,
            "dispute": kind == DISPUTE,
            "amount_cents": amount_cents,
            "numbers": list(order.tickets.order_by("number").values_list("number", flat=True)),
            "result_url": absolute_url(reverse("lottery:draw_result", args=[lottery.slug])),
        },
        recipients=recipients,
    )


def lottery_refunded_after_seal(*, lottery_id: int) -> bool:
    """Some ticket of this lottery was refunded or disputed after its seal."""
    return Order.objects.filter(
        lottery_id=lottery_id, refunded_after_seal_at__isnull=False
    ).exists()
