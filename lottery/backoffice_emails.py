"""Emails about changes an association makes to an order. Queued by the services after commit."""

from __future__ import annotations

from .models import Order, OrderEvent
from .payment_emails import _context, _recipient, _send


def order_refunded_email_send(order_id: int) -> bool:
    """Tell an online buyer the association refunded their order. Idempotent per refund."""
    order = (
        Order.objects.select_related("lottery__association", "buyer")
        .filter(pk=order_id, status=Order.Status.REFUNDED)
        .first()
    )
    if order is None:
        return False
    event = order.events.filter(kind=OrderEvent.Kind.REFUNDED).order_by("-at", "-pk").first()
    context = _context(order)
    context["numbers"] = (event.before.get("tickets") if event else None) or []
    context["note"] = event.note if event else ""
    return _send(
        template="order_refunded_by_association", context=context, recipient=_recipient(order)
    )
