"""Emails about payments: tickets paid, orders refunded.

Called inside the transaction that marks the order paid or refunded: the email is
queued with that change and sent after it commits (see `assosolos.emails`).
"""

from __future__ import annotations

from django.urls import reverse

from associations.models import Association
from assosolos.emails import absolute_url, email_send

from .guest_links import guest_order_path
from .models import Lottery, Order
from .selectors import ticket_numbers


def _send(*, template: str, context: dict, recipient: str) -> bool:
    return email_send(template=f"lottery/email/{template}", context=context, recipients=[recipient])


def order_email_links(order: Order) -> dict[str, str]:
    """Where an online order's email points: the buyer's pages, or the signed guest link.

    A guest's order keeps its signed link even once an account claims it: the email
    was written before, and its links must keep working. A cash order has none.
    """
    if order.channel != Order.Channel.ONLINE:
        return {"order_url": "", "receipt_url": "", "calendar_url": "", "signup_url": ""}
    if order.buyer_id:
        return {
            "order_url": absolute_url(reverse("lottery:confirmation", args=[order.pk])),
            "receipt_url": absolute_url(reverse("lottery:order_receipt", args=[order.pk])),
            "calendar_url": absolute_url(reverse("lottery:order_calendar", args=[order.pk])),
            "signup_url": "",
        }
    return {
        "order_url": absolute_url(guest_order_path(order_id=order.pk)),
        "receipt_url": absolute_url(
            guest_order_path(order_id=order.pk, name="guest_order_receipt")
        ),
        "calendar_url": absolute_url(
            guest_order_path(order_id=order.pk, name="guest_order_calendar")
        ),
        "signup_url": absolute_url(reverse("account_signup")),
    }


def _context(order: Order) -> dict:
    lottery = order.lottery
    return {
        "order": order,
        "lottery": lottery,
        "association": lottery.association,
        "name": order.buyer_name or (order.buyer.public_name if order.buyer else ""),
        "numbers": ticket_numbers(orders=[order])[order.pk],
        # The order page opens for the online buyer (or the guest's signed link) only;
        # a cash buyer gets the lottery's.
        **order_email_links(order),
        "guest": order.channel == Order.Channel.ONLINE and not order.buyer_id,
        "lottery_url": absolute_url(lottery.get_absolute_url()),
    }


def _recipient(order: Order) -> str:
    return order.buyer_email or (order.buyer.email if order.buyer else "")


def order_paid_email(*, order: Order) -> bool:
    """The ticket numbers, the lottery and its draw date."""
    return _send(template="order_paid", context=_context(order), recipient=_recipient(order))


def order_refund_email(*, order: Order) -> bool:
    """Why the order was refunded and how the money comes back."""
    context = _context(order)
    context["cancelled"] = order.lottery.status == Lottery.Status.CANCELLED
    context["by_hand"] = order.channel != Order.Channel.ONLINE
    context["suspended"] = order.lottery.association.status == Association.Status.SUSPENDED
    return _send(template="order_refunded", context=context, recipient=_recipient(order))
