"""Guest orders, placed with an email only, and the account that later claims them.

A guest's orders join the account that verifies their email (allauth's
`email_confirmed`, see `lottery.receivers`): "Mes billets" lists them from then on,
and the `guest_orders_attached` signal lets the groups app enrol a winner whose
prize carries a seat, when the lottery is already drawn.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from assosolos.effects import signal_on_commit

from ..models import Order
from ..selectors import email_normalise, guest_orders_of_email
from ..signals import guest_orders_attached

logger = logging.getLogger(__name__)


def guest_orders_attach(*, user: Any, email: str) -> list[int]:
    """Give `user` the guest orders placed with `email`, which they have just verified.

    Precondition: the address is verified as the user's (never call it with an
    address a person merely typed). Idempotent: an order already attached is left
    as it is. Returns the orders attached now. Their holder in a sealed ledger stays
    as sealed (the ledger never changes); only who sees the order changes.
    """
    email = email_normalise(email)
    ids = guest_orders_of_email(email=email)
    if not ids:
        return []
    with transaction.atomic():
        # Orders by ascending key, as the lock order says; only those still guests'.
        locked = list(
            Order.objects.select_for_update()
            .filter(pk__in=ids, buyer__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Order.objects.filter(pk__in=locked).update(buyer=user)
        if locked:
            logger.info("Guest orders %s attached to user %s", locked, user.pk)
            signal_on_commit(
                guest_orders_attached, sender=Order, user_id=user.pk, order_ids=list(locked)
            )
    return locked
