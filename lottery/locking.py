"""The one way the money path takes row locks, always in the same order.

Lock order (every service follows it, so two of them can never wait on each other
in a cycle):

1. the lottery row (`FOR UPDATE` to change the lottery, `FOR SHARE` to keep it from
   changing while an order moves: many payments may share it, a cancellation waits);
2. order rows, by ascending primary key;
3. ticket rows, which the ticket statements lock themselves, after 1 and 2.

A buyer's advisory locks (`buyer_lock`: the account's, then the email's) are not
row locks: they are taken after the lottery and before the orders; a reservation
then takes its client address's advisory lock (`address_lock`), so that
reservations from one address count the tickets it holds one after the other.
The commitments chain's lock (`commitments_chain_lock`) is taken last, by an
opening that holds its lottery row, and held only to append one entry.

New orders: the PostgreSQL reservation statement takes the lottery row `FOR KEY
SHARE` (the lock the order's foreign key takes anyway) before the buyer's lock, so
it waits for a cancellation holding the row `FOR UPDATE` and then sees the
lottery cancelled: no pending order slips into a lottery being cancelled.

Every lock is taken inside a transaction with a lock timeout
(`LOTTERY_LOCK_TIMEOUT_MS`), so a stuck holder makes the waiter fail with a clear
error instead of piling up connections. Outside a transaction a row lock would be
released at once, so the helper refuses to run there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db import connection

from .models import Lottery, Order


class LockOutsideTransaction(RuntimeError):
    """A row lock was asked for outside `transaction.atomic()`: it would protect nothing."""


def _lock_timeout() -> None:
    if connection.vendor == "postgresql":
        timeout_ms = int(getattr(settings, "LOTTERY_LOCK_TIMEOUT_MS", 5000))
        with connection.cursor() as cursor:
            # SET LOCAL lasts until the end of the current transaction.
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout_ms}ms"])


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise LockOutsideTransaction("Money-path locks are taken inside transaction.atomic().")


def money_path_lock(
    *,
    lottery_id: int,
    order_ids: Iterable[int] = (),
    lottery_shared: bool = False,
) -> tuple[Lottery, dict[int, Order]]:
    """Lock a lottery row, then some of its orders, in the documented order.

    Returns the lottery and the orders found, by primary key (a missing order is
    simply absent). `lottery_shared=True` takes the lottery row `FOR SHARE`: enough
    to keep its status from changing under an order, without serialising payments.
    """
    _require_transaction()
    _lock_timeout()
    lotteries = Lottery.objects.filter(pk=lottery_id)
    lottery = (
        lotteries.select_for_update().get()
        if not lottery_shared or connection.vendor != "postgresql"
        else _select_for_share(lotteries)
    )
    return lottery, orders_lock(lottery=lottery, order_ids=order_ids)


def orders_lock(*, lottery: Lottery, order_ids: Iterable[int]) -> dict[int, Order]:
    """Lock some orders of a lottery by ascending primary key (step 2 of the lock order).

    Caller holds the lottery row lock (step 1), e.g. from `lottery_lock`.
    """
    _require_transaction()
    orders: dict[int, Order] = {}
    ids = sorted(set(order_ids))
    if ids:
        for order in (
            Order.objects.select_for_update()
            .filter(pk__in=ids, lottery_id=lottery.pk)
            .order_by("pk")
        ):
            orders[order.pk] = order
    return orders


def lottery_lock(lottery_id: int) -> Lottery:
    """Lock one lottery row to change it (step 1 of the lock order)."""
    lottery, _orders = money_path_lock(lottery_id=lottery_id)
    return lottery


def buyer_key(*, lottery_id: int, buyer_id: int) -> int:
    """The advisory lock key of one buyer in one lottery."""
    digest = hashlib.blake2b(f"lottery-buyer:{lottery_id}:{buyer_id}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def email_key(*, lottery_id: int, email: str) -> int:
    """The advisory lock key of one buyer's email in one lottery (a guest's, or an account's)."""
    digest = hashlib.blake2b(f"lottery-email:{lottery_id}:{email}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def buyer_lock(*, lottery_id: int, buyer_id: int | None = None, email: str = "") -> None:
    """Serialise one person's reservations and payments in one lottery (after step 1).

    A person is an account and the email its orders are placed with: the account's
    lock first (when there is one), then the email's (when known), so a guest and an
    account with the same address wait on each other, and the order is always the same.
    PostgreSQL: transaction-scoped advisory locks (other buyers never wait on them).
    SQLite: the IMMEDIATE transaction already holds the only writer lock.
    """
    _require_transaction()
    if connection.vendor != "postgresql":
        return
    keys = []
    if buyer_id is not None:
        keys.append(buyer_key(lottery_id=lottery_id, buyer_id=buyer_id))
    if email:
        keys.append(email_key(lottery_id=lottery_id, email=email))
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


COMMITMENTS_CHAIN_KEY = int.from_bytes(
    hashlib.blake2b(b"lottery-commitments-chain", digest_size=8).digest(), "big", signed=True
)


def commitments_chain_lock() -> None:
    """Serialise appends to the public commitments chain (one position each).

    PostgreSQL: a transaction-scoped advisory lock; SQLite: the IMMEDIATE transaction
    is already the only writer. The unique position refuses a duplicate either way.
    """
    _require_transaction()
    _lock_timeout()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMMITMENTS_CHAIN_KEY])


def address_key(*, address: str) -> int:
    """The advisory lock key of one client address (over all lotteries)."""
    digest = hashlib.blake2b(f"lottery-address:{address}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def address_lock(*, address: str) -> None:
    """Serialise the reservations made from one client address (after the buyer's lock)."""
    _require_transaction()
    if connection.vendor == "postgresql" and address:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [address_key(address=address)])


def order_lock(order_id: int, *, with_buyer: bool = False) -> tuple[Lottery, Order] | None:
    """Lock an order for a change of status: its lottery shared first, then the order.

    `with_buyer=True` takes the buyer's lock between the two (a payment does, so
    that it and the same buyer's next reservation run one after the other).
    Returns None when no such order exists.
    """
    _require_transaction()
    ids = (
        Order.objects.filter(pk=order_id)
        .values_list("lottery_id", "buyer_id", "buyer_email", "channel")
        .first()
    )
    if ids is None:
        return None
    lottery_id, buyer_id, email, channel = ids
    lottery, _none = money_path_lock(lottery_id=lottery_id, lottery_shared=True)
    if with_buyer:
        online_email = email if channel == Order.Channel.ONLINE else ""
        buyer_lock(lottery_id=lottery_id, buyer_id=buyer_id, email=online_email)
    order = orders_lock(lottery=lottery, order_ids=[order_id]).get(order_id)
    return None if order is None else (lottery, order)


def lottery_key_share(lottery_id: int, *, fields: Iterable[str], lock: bool = True) -> Lottery:
    """A new order's read of its lottery: `FOR KEY SHARE` on PostgreSQL (step 1).

    The lock an order's foreign key takes anyway: buyers never wait on each other,
    but a cancellation holding the row `FOR UPDATE` makes them wait, and they then
    read the lottery as it left it. Elsewhere (SQLite) a plain read. `lock=False`
    only reads (the race test's switch).
    """
    lotteries = Lottery.objects.only(*fields).filter(pk=lottery_id)
    if lock and connection.vendor == "postgresql":
        _require_transaction()
        _lock_timeout()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {Lottery._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608 (table name from the model)
                [lottery_id],
            )
    return lotteries.get()


def _select_for_share(queryset) -> Lottery:
    """`SELECT … FOR SHARE`, which Django's ORM does not spell; then the row itself."""
    table = Lottery._meta.db_table
    pk = queryset.values_list("pk", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR SHARE", [pk])  # noqa: S608 (table name from the model)
    return Lottery.objects.get(pk=pk)
