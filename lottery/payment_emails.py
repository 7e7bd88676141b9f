"""Emails about payments: tickets paid, orders refunded. Sent by tasks after commit.

Written in the site's default language (French): a task has no request to take
the buyer's language from.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Lottery, Order
from .selectors import ticket_numbers


def _absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(*, template: str, context: dict, recipient: str) -> bool:
    if not recipient:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"lottery/email/{template}_subject.txt", context)
        body = render_to_string(f"lottery/email/{template}.txt", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=[recipient],
    )
    return True


def _context(order: Order) -> dict:
    lottery = order.lottery
    return {
        "order": order,
        "lottery": lottery,
        "association": lottery.association,
        "name": order.buyer_name or (order.buyer.public_name if order.buyer else ""),
        "numbers": ticket_numbers(orders=[order])[order.pk],
        "order_url": _absolute_url(reverse("lottery:confirmation", args=[order.pk])),
        "lottery_url": _absolute_url(lottery.get_absolute_url()),
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
    return _send(template="order_refunded", context=context, recipient=_recipient(order))
