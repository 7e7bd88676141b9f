"""The signed link a guest buyer keeps: it opens their order without an account.

The order's id signed with the secret key and a salt of its own, with no expiry:
the link sits in the confirmation email and must still open the tickets on the day
of the draw and after. Whoever holds it sees the order, its numbers and its papers,
and nothing else (no other order, no account).
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

SALT = "lottery.guest-order"


def guest_order_token(*, order_id: int) -> str:
    return signing.Signer(salt=SALT).sign(str(order_id))


def guest_order_id(token: str) -> int | None:
    """The order a token names, or None when it was not signed here (or was altered)."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def guest_order_path(*, order_id: int, name: str = "guest_order") -> str:
    """The path of one of a guest order's pages (`name`: guest_order, guest_checkout, …)."""
    return reverse(f"lottery:{name}", args=[guest_order_token(order_id=order_id)])
