"""Who a buyer is: an account, or a guest known by an email address only.

A person is an account together with every online order placed with its email, so
a guest and an account with the same address share one per-person cap and one
unpaid-hold limit. Emails are compared normalised (`email_normalise`).
"""

from __future__ import annotations

from django.db.models import Q, Sum

from ..models import Order


def email_normalise(email: str) -> str:
    """The address as orders keep it: trimmed, lower case (the local part included).

    Mail systems almost all ignore case in the local part, and a buyer who types
    "Anne@Example.org" once and "anne@example.org" the next time is one person.
    """
    return (email or "").strip().lower()


def person_orders_q(*, buyer_id: int | None, email: str) -> Q:
    """The orders of one person: the account's, and the online ones placed with `email`."""
    email = email_normalise(email)
    query = Q(pk__in=[])
    if buyer_id is not None:
        query |= Q(buyer_id=buyer_id)
    if email:
        query |= Q(channel=Order.Channel.ONLINE, buyer_email=email)
    return query


def buyer_ticket_count(*, lottery_id: int, buyer_id: int | None = None, email: str = "") -> int:
    """Tickets a person holds in a lottery: pending orders hold theirs, paid ones own them."""
    total = (
        Order.objects.filter(person_orders_q(buyer_id=buyer_id, email=email))
        .filter(lottery_id=lottery_id, status__in=(Order.Status.PENDING, Order.Status.PAID))
        .aggregate(n=Sum("quantity"))["n"]
    )
    return total or 0


def guest_orders_of_email(*, email: str) -> list[int]:
    """Online orders placed with `email` by nobody signed in, to attach to its account."""
    email = email_normalise(email)
    if not email:
        return []
    return list(
        Order.objects.filter(
            buyer__isnull=True, channel=Order.Channel.ONLINE, buyer_email=email
        ).values_list("pk", flat=True)
    )
