"""Writes for lotteries: setting them up, their life cycle, reserving and selling tickets.

The one rule that matters most: no lottery ever sells more tickets than its cap,
under any concurrency. Ticket rows 1..cap exist from the moment sales open; an
order takes the lowest free numbers. On PostgreSQL each buyer locks only the rows
it takes (`FOR UPDATE SKIP LOCKED`), so parallel buyers never wait on each other
and never get the same row. SQLite serialises writers (IMMEDIATE transactions),
which is just as safe, only slower.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association
from assosolos.effects import task_on_commit

from .. import selectors
from ..locking import buyer_key, buyer_lock, orders_lock
from ..models import Bundle, Lottery, Order, Ticket
from .errors import (
    MAX_AMOUNT_CENTS,
    AmountTooLarge,
    HeldTicketsCapReached,
    InvalidQuantity,
    PerPersonCapReached,
    PurchaseError,
    SalesNotOpen,
    SoldOut,
)

logger = logging.getLogger(__name__)

Status = Lottery.Status

# The race test switches this off to prove the race it guards against exists.
# Never change it anywhere else.
RESERVATION_LOCKING = True


def _buyer_lock(*, lottery_id: int, buyer_id: int) -> None:
    """Serialise one buyer's purchases in one lottery, so two tabs cannot beat the cap."""
    if RESERVATION_LOCKING:
        buyer_lock(lottery_id=lottery_id, buyer_id=buyer_id)


def _tickets_take(*, lottery_id: int, order_id: int, quantity: int, status: str) -> list[int]:
    """Give the order the `quantity` lowest free numbers; [] when fewer are free.

    Caller is inside a transaction and rolls it back on []. On PostgreSQL one
    statement picks and locks the rows, skipping those another buyer holds, and
    changes none of them unless there are enough (the CTE runs once, so both
    uses see the same locked rows).
    """
    if RESERVATION_LOCKING and connection.vendor == "postgresql":
        table = Ticket._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH picked AS MATERIALIZED (
                    SELECT id FROM {table}
                    WHERE lottery_id = %s AND status = %s
                    ORDER BY number LIMIT %s
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE {table} SET status = %s, order_id = %s
                WHERE id IN (SELECT id FROM picked)
                AND (SELECT count(*) FROM picked) = %s
                RETURNING number
                """,  # noqa: S608 (table name from the model, values bound)
                [lottery_id, Ticket.Status.AVAILABLE, quantity, status, order_id, quantity],
            )
            numbers = sorted(row[0] for row in cursor.fetchall())
        return numbers if len(numbers) == quantity else []
    free = list(
        Ticket.objects.filter(lottery_id=lottery_id, status=Ticket.Status.AVAILABLE)
        .order_by("number")
        .values_list("pk", "number")[:quantity]
    )
    if len(free) < quantity:
        return []
    chosen = Ticket.objects.filter(pk__in=[pk for pk, _n in free])
    if RESERVATION_LOCKING:
        # Writers are serialised here, so this guard never trips; it is the last word anyway.
        chosen = chosen.filter(status=Ticket.Status.AVAILABLE)
    if chosen.update(status=status, order_id=order_id) != quantity:
        return []
    return [n for _pk, n in free]


# What a sale reads of the lottery (its texts are not needed on the hot path).
SALE_FIELDS = (
    "association_id",
    "status",
    "sales_open_at",
    "sales_close_at",
    "ticket_cap",
    "per_person_cap",
    "ticket_price_cents",
)


def _sales_window_check(lottery: Lottery, now: datetime) -> None:
    if lottery.status != Status.OPEN or not (lottery.sales_open_at <= now < lottery.sales_close_at):
        raise SalesNotOpen()
    _suspension_check(lottery)


def _suspension_check(lottery: Lottery) -> None:
    """No sale, online or cash, while the platform has suspended the association."""
    if Association.objects.filter(
        pk=lottery.association_id, status=Association.Status.SUSPENDED
    ).exists():
        raise _suspended()


def _suspended() -> SalesNotOpen:
    return SalesNotOpen(
        _("Sales are suspended: the platform has suspended this lottery's association.")
    )


def _quantity_check(quantity: Any) -> int:
    max_per_order = getattr(settings, "LOTTERY_MAX_TICKETS_PER_ORDER", 100)
    if (
        not isinstance(quantity, int)
        or isinstance(quantity, bool)
        or not (1 <= quantity <= max_per_order)
    ):
        raise InvalidQuantity(_("Choose between 1 and %(max)s tickets.") % {"max": max_per_order})
    return quantity


def amount_check(amount_cents: int) -> int:
    """An order's total, refused (AmountTooLarge) above what one payment may be."""
    if amount_cents > MAX_AMOUNT_CENTS:
        raise AmountTooLarge()
    return amount_cents


def _per_person_refusal(*, cap: int, held: int) -> PerPersonCapReached:
    left = max(cap - held, 0)
    return PerPersonCapReached(
        _(
            "One person may hold at most %(cap)s tickets in this lottery; "
            "you can still get %(left)s."
        )
        % {"cap": cap, "left": left}
    )


def _per_person_check(*, lottery: Lottery, buyer_id: int, quantity: int) -> None:
    """Caller holds the buyer lock for this lottery."""
    if lottery.per_person_cap is None:
        return
    held = selectors.buyer_ticket_count(lottery_id=lottery.pk, buyer_id=buyer_id)
    if held + quantity > lottery.per_person_cap:
        raise _per_person_refusal(cap=lottery.per_person_cap, held=held)


def _sold_out(lottery_id: int) -> SoldOut:
    left = Ticket.objects.filter(lottery_id=lottery_id, status=Ticket.Status.AVAILABLE).count()
    if left == 0:
        return SoldOut(_("Sorry, this lottery is sold out."))
    return SoldOut(_("Sorry, only %(left)s tickets are left at the moment.") % {"left": left})


def _held_cap_refusal(*, held_elsewhere: int) -> HeldTicketsCapReached:
    limit = max_held_tickets()
    return HeldTicketsCapReached(
        _(
            "One account may hold at most %(max)s unpaid tickets at a time; you already "
            "hold %(held)s in other lotteries. Pay for them or cancel those orders first."
        )
        % {"max": limit, "held": held_elsewhere}
        if held_elsewhere
        else _("One account may hold at most %(max)s unpaid tickets at a time.") % {"max": limit}
    )


def max_held_tickets() -> int:
    """How many unpaid tickets one account may hold at a time (`LOTTERY_MAX_HELD_TICKETS`)."""
    return int(getattr(settings, "LOTTERY_MAX_HELD_TICKETS", 20))


def _payment_intents_cancel_queue(order_ids: list[int]) -> None:
    """After commit, cancel the PaymentIntents of orders given up, so no old page can pay."""
    for order_id in order_ids:
        task_on_commit("lottery.tasks.order_payment_intent_cancel", order_id)


def order_reserve(*, lottery: Lottery, buyer: Any, quantity: int) -> Order:
    """Hold `quantity` tickets for a signed-in buyer until the order is paid or expires.

    A buyer has at most one pending order per lottery: asking again for the same
    number of tickets resumes it (same numbers, same deadline); asking for another
    number replaces it (its numbers go back on sale, its PaymentIntent is
    cancelled), and the new hold ends no later than the one it replaces, so holds
    cannot be renewed by replacing them. One account holds at most
    LOTTERY_MAX_HELD_TICKETS unpaid tickets over all lotteries.

    The hold lasts LOTTERY_RESERVATION_MINUTES but never past the closing time.
    Raises SalesNotOpen, InvalidQuantity, PerPersonCapReached, HeldTicketsCapReached
    or SoldOut; on any of them nothing changes.
    """
    quantity = _quantity_check(quantity)
    now = timezone.now()
    hold_until = now + timedelta(minutes=getattr(settings, "LOTTERY_RESERVATION_MINUTES", 15))
    if RESERVATION_LOCKING and connection.vendor == "postgresql":
        return _reserve_in_one_statement(
            lottery_id=lottery.pk, buyer=buyer, quantity=quantity, now=now, hold_until=hold_until
        )
    with transaction.atomic():
        # A fresh read, not a lock: buyers must not queue on the lottery row.
        current = Lottery.objects.only(*SALE_FIELDS).get(pk=lottery.pk)
        _buyer_lock(lottery_id=current.pk, buyer_id=buyer.pk)
        mine = Order.objects.filter(buyer=buyer, channel=Order.Channel.ONLINE)
        previous = list(mine.filter(lottery=current, status=Order.Status.PENDING).order_by("-pk"))
        _suspension_check(current)
        for order in previous:
            if order.quantity == quantity and order.expires_at and order.expires_at > now:
                return order
        _sales_window_check(current, now)
        if quantity > current.ticket_cap:
            raise InvalidQuantity()
        held_elsewhere = (
            mine.filter(status=Order.Status.PENDING, expires_at__gt=now)
            .exclude(lottery=current)
            .aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        if held_elsewhere + quantity > max_held_tickets():
            raise _held_cap_refusal(held_elsewhere=held_elsewhere)
        if current.per_person_cap is not None:
            # The pending order, if any, is replaced: only paid tickets count.
            paid = (
                mine.filter(lottery=current, status=Order.Status.PAID).aggregate(n=Sum("quantity"))[
                    "n"
                ]
                or 0
            )
            if paid + quantity > current.per_person_cap:
                raise _per_person_refusal(cap=current.per_person_cap, held=paid)
        deadlines = [o.expires_at for o in previous if o.expires_at and o.expires_at > now]
        replaced = _orders_give_up(
            lottery=current, order_ids=[o.pk for o in previous], status=Order.Status.CANCELLED
        )
        amount_cents = amount_check(
            selectors.price_for_quantity(lottery=current, quantity=quantity)
        )
        order = Order.objects.create(
            lottery=current,
            buyer=buyer,
            buyer_name=_buyer_name(buyer),
            buyer_email=buyer.email,
            quantity=quantity,
            amount_cents=amount_cents,
            channel=Order.Channel.ONLINE,
            status=Order.Status.PENDING,
            created_at=now,
            expires_at=min([hold_until, current.sales_close_at, *deadlines]),
        )
        numbers = _tickets_take(
            lottery_id=current.pk,
            order_id=order.pk,
            quantity=quantity,
            status=Ticket.Status.RESERVED,
        )
        if not numbers:
            raise _sold_out(current.pk)
        _payment_intents_cancel_queue(replaced)
    return order


def _orders_give_up(*, lottery: Lottery, order_ids: list[int], status: str) -> list[int]:
    """Pending orders → `status` (expired or cancelled), their numbers back on sale.

    Caller is in a transaction and holds the lottery lock or the buyer lock; the
    orders are locked here (step 2 of the lock order), then their tickets.
    Returns the ids of the orders given up; the caller queues their PaymentIntents'
    cancellation.
    """
    if not order_ids:
        return []
    pending = [
        pk
        for pk, order in orders_lock(lottery=lottery, order_ids=order_ids).items()
        if order.status == Order.Status.PENDING
    ]
    Ticket.objects.filter(order_id__in=pending, status=Ticket.Status.RESERVED).update(
        status=Ticket.Status.AVAILABLE, order=None
    )
    Order.objects.filter(pk__in=pending).update(status=status)
    return pending


def _buyer_name(buyer: Any) -> str:
    return buyer.get_full_name() if hasattr(buyer, "get_full_name") else ""


# --- Reserving on PostgreSQL in one round trip ---------------------------------------
#
# The same checks as the path above, in the same order, done by the database in one
# statement, sent together with the buyer lock as one message. PostgreSQL runs the
# statements of one simple-query message as one transaction, so there is no BEGIN or
# COMMIT round trip, and each statement takes a fresh snapshot, so the per-person
# count, made once the lock is granted, sees the buyer's orders committed meanwhile.
# The statement writes nothing unless every check passes: a refusal leaves nothing.
# (Several statements in one message need client-side binding, Django's default with
# psycopg 3.)


@dataclass(frozen=True, slots=True)
class _SaleTerms:
    """What pricing an order needs from a lottery: ticket price, per-person cap, bundles.

    `key` is their text as `_TERMS_SQL` spells it, e.g. "200|4|5x800,10x1500".
    """

    key: str
    unit_cents: int
    per_person_cap: int | None
    bundles: tuple[tuple[int, int], ...]

    @classmethod
    def from_key(cls, key: str) -> _SaleTerms:
        unit, cap, bundles = key.split("|")
        return cls(
            key=key,
            unit_cents=int(unit),
            per_person_cap=int(cap) if cap else None,
            bundles=tuple(
                (int(size), int(price))
                for size, price in (b.split("x") for b in bundles.split(",") if b)
            ),
        )

    def price_cents(self, quantity: int) -> int:
        return selectors.price_from_table(
            unit_cents=self.unit_cents, bundles=self.bundles, quantity=quantity
        )


_TERMS_SQL = f"""concat(
    l.ticket_price_cents, '|', l.per_person_cap, '|',
    (SELECT string_agg(b.quantity || 'x' || b.price_cents, ',' ORDER BY b.quantity)
     FROM {Bundle._meta.db_table} b WHERE b.lottery_id = l.id)
)"""  # noqa: S608 (table name from the model)

# Sale terms per lottery id, so that an order needs no read before its one statement.
# Safe: the price, bundles and per-person cap are frozen once sales open
# (`lottery_update`, `bundle_save`), so an entry hardly ever goes stale; and the
# statement compares the entry's key with the lottery it sells from and writes nothing
# when they differ (an edit before opening, a test database reusing an id), so a stale
# entry costs a fresh read and a retry, never a wrong price nor a skipped buyer lock.
_SALE_TERMS: dict[int, _SaleTerms] = {}
_SALE_TERMS_MAX = 10_000


def _sale_terms(lottery_id: int, *, refresh: bool = False) -> _SaleTerms:
    terms = None if refresh else _SALE_TERMS.get(lottery_id)
    if terms is None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_TERMS_SQL} FROM {Lottery._meta.db_table} l WHERE l.id = %s",  # noqa: S608 (names from the models, value bound)
                [lottery_id],
            )
            row = cursor.fetchone()
        if row is None:
            _SALE_TERMS.pop(lottery_id, None)
            raise Lottery.DoesNotExist("Lottery matching query does not exist.")
        terms = _SaleTerms.from_key(row[0])
        if len(_SALE_TERMS) >= _SALE_TERMS_MAX:
            _SALE_TERMS.clear()
        _SALE_TERMS[lottery_id] = terms
    return terms


@cache
def _order_columns() -> tuple[Any, ...]:
    """The order's columns the reservation inserts, bound as `f_<attname>`, but expires_at."""
    return tuple(f for f in Order._meta.local_concrete_fields if f is not Order._meta.auto_field)


@cache
def _reserve_sql(*, per_person: bool) -> str:
    """The reservation statement, after the lottery row lock and the buyer lock.

    `lot` is the lottery as it is now; `old` the buyer's pending order here, if
    any, which `resumed` takes up again when it asks for as many tickets; `mine`
    counts the buyer's paid tickets here (for a per-person cap) and unpaid ones
    elsewhere (for the held-tickets cap); `gate` has a row only if the lottery is on
    sale, its terms are those the price was computed from, the buyer stays within
    the caps and nothing is resumed; `picked` takes the lowest free numbers (none if
    the gate is shut), skipping those other buyers are taking; the order is
    inserted, and the numbers given to it, only if there are enough, and then the
    old order is cancelled and its numbers freed. The last SELECT tells what
    happened.
    """
    lottery, order, ticket = (m._meta.db_table for m in (Lottery, Order, Ticket))
    association = Association._meta.db_table
    fields = _order_columns()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(
        "gate.expires_at" if f.attname == "expires_at" else f"%(f_{f.attname})s" for f in fields
    )
    # No cap, no count: the gate checks the terms, which say there is none.
    paid = (
        f"""(SELECT coalesce(sum(o.quantity), 0) FROM {order} o
            WHERE o.lottery_id = %(lottery)s AND o.buyer_id = %(buyer)s
            AND o.status = %(paid)s)"""  # noqa: S608 (table name from the model)
        if per_person
        else "0"
    )
    # First the lottery row, as the lock order says: a cancellation holding it FOR
    # UPDATE makes the reservation wait, and the statements after it then see the
    # lottery as the cancellation left it (each statement takes a fresh snapshot).
    # Then the buyer, so that one buyer's tabs reserve one after the other.
    return f"""SELECT FROM {lottery} WHERE id = %(lottery)s FOR KEY SHARE;
    SELECT pg_advisory_xact_lock(%(buyer_key)s);
    WITH lot AS (
        SELECT l.status = %(open)s AND l.sales_open_at <= %(now)s
                   AND %(now)s < l.sales_close_at AS on_sale,
               EXISTS (SELECT FROM {association} a
                       WHERE a.id = l.association_id AND a.status = %(suspended)s)
                   AS suspended,
               {_TERMS_SQL} AS terms, l.ticket_cap, l.per_person_cap,
               least(%(hold_until)s, l.sales_close_at) AS expires_at
        FROM {lottery} l WHERE l.id = %(lottery)s
    ),
    old AS MATERIALIZED (
        SELECT o.id, o.quantity, o.expires_at FROM {order} o
        WHERE o.lottery_id = %(lottery)s AND o.buyer_id = %(buyer)s
        AND o.status = %(pending)s AND o.channel = %(online)s
    ),
    resumed AS (
        SELECT old.id, old.expires_at FROM old
        WHERE old.quantity = %(quantity)s AND old.expires_at > %(now)s
        ORDER BY old.id DESC LIMIT 1
    ),
    mine AS (
        SELECT {paid} AS paid,
               (SELECT coalesce(sum(o.quantity), 0) FROM {order} o
                WHERE o.buyer_id = %(buyer)s AND o.status = %(pending)s
                AND o.channel = %(online)s AND o.expires_at > %(now)s
                AND o.lottery_id <> %(lottery)s) AS elsewhere
    ),
    gate AS (
        SELECT least(
                   lot.expires_at,
                   (SELECT min(old.expires_at) FROM old WHERE old.expires_at > %(now)s)
               ) AS expires_at
        FROM lot, mine
        WHERE lot.on_sale AND NOT lot.suspended
        AND lot.terms = %(terms)s AND %(quantity)s <= lot.ticket_cap
        AND mine.elsewhere + %(quantity)s <= %(max_held)s
        AND (lot.per_person_cap IS NULL OR mine.paid + %(quantity)s <= lot.per_person_cap)
        AND NOT EXISTS (SELECT FROM resumed)
    ),
    picked AS MATERIALIZED (
        SELECT t.id FROM {ticket} t
        WHERE t.lottery_id = %(lottery)s AND t.status = %(available)s
        AND EXISTS (SELECT FROM gate)
        ORDER BY t.number LIMIT %(quantity)s
        FOR UPDATE SKIP LOCKED
    ),
    placed AS (
        INSERT INTO {order} ({columns}) SELECT {values} FROM gate
        WHERE (SELECT count(*) FROM picked) = %(quantity)s
        RETURNING id, expires_at
    ),
    taken AS (
        UPDATE {ticket} t SET status = %(reserved)s, order_id = placed.id
        FROM placed WHERE t.id IN (SELECT id FROM picked)
    ),
    dropped AS (
        UPDATE {order} o SET status = %(cancelled)s
        FROM placed WHERE o.id IN (SELECT id FROM old) AND o.status = %(pending)s
        RETURNING o.id
    ),
    freed AS (
        UPDATE {ticket} t SET status = %(available)s, order_id = NULL
        FROM placed WHERE t.order_id IN (SELECT id FROM old) AND t.status = %(reserved)s
    )
    SELECT lot.on_sale AND NOT lot.suspended, lot.suspended, lot.terms, lot.ticket_cap,
           lot.per_person_cap, mine.paid,
           mine.elsewhere, coalesce(placed.id, resumed.id),
           coalesce(placed.expires_at, resumed.expires_at), resumed.id IS NOT NULL,
           (SELECT array_agg(dropped.id) FROM dropped)
    FROM mine LEFT JOIN lot ON true LEFT JOIN placed ON true
    LEFT JOIN resumed ON true"""  # noqa: S608 (names from the models, values bound)


def _reserve_in_one_statement(
    *, lottery_id: int, buyer: Any, quantity: int, now: datetime, hold_until: datetime
) -> Order:
    """`order_reserve` on PostgreSQL with the locking on."""
    order = Order(
        lottery_id=lottery_id,
        buyer=buyer,
        buyer_name=_buyer_name(buyer),
        buyer_email=buyer.email,
        quantity=quantity,
        channel=Order.Channel.ONLINE,
        status=Order.Status.PENDING,
        created_at=now,
    )
    params: dict[str, Any] = {
        "lottery": lottery_id,
        "buyer": buyer.pk,
        "buyer_key": buyer_key(lottery_id=lottery_id, buyer_id=buyer.pk),
        "quantity": quantity,
        "now": now,
        "hold_until": hold_until,
        "max_held": max_held_tickets(),
        "open": Status.OPEN,
        "suspended": Association.Status.SUSPENDED,
        "online": Order.Channel.ONLINE,
        "pending": Order.Status.PENDING,
        "paid": Order.Status.PAID,
        "cancelled": Order.Status.CANCELLED,
        "available": Ticket.Status.AVAILABLE,
        "reserved": Ticket.Status.RESERVED,
    }
    terms = _sale_terms(lottery_id)
    # A lottery on sale keeps its terms (the services refuse to change them), so one
    # retry is always enough; the bound only keeps a broken database from looping.
    for _attempt in range(3):
        order.amount_cents = amount_check(terms.price_cents(quantity))
        for field in _order_columns():
            if field.attname != "expires_at":
                params[f"f_{field.attname}"] = field.get_db_prep_save(
                    field.pre_save(order, True), connection
                )
        params["terms"] = terms.key
        # Alone, the message is its own transaction; inside the caller's, a savepoint
        # keeps a database error from spoiling it, as `transaction.atomic` always did.
        scope = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with scope, connection.cursor() as cursor:
            cursor.execute(_reserve_sql(per_person=terms.per_person_cap is not None), params)
            cursor.nextset()  # past the lottery lock's result
            cursor.nextset()  # past the buyer lock's result
            row = cursor.fetchone()
        (on_sale, suspended, key, ticket_cap, per_person_cap, paid, elsewhere) = row[:7]
        order_id, expires_at, resumed, dropped = row[7:]
        if on_sale is None:
            _SALE_TERMS.pop(lottery_id, None)
            raise Lottery.DoesNotExist("Lottery matching query does not exist.")
        if suspended:
            raise _suspended()
        if resumed:
            return Order.objects.get(pk=order_id)
        if not on_sale:
            raise SalesNotOpen()
        if key != terms.key:
            terms = _sale_terms(lottery_id, refresh=True)
            continue
        if quantity > ticket_cap:
            raise InvalidQuantity()
        if elsewhere + quantity > params["max_held"]:
            raise _held_cap_refusal(held_elsewhere=elsewhere)
        if per_person_cap is not None and paid + quantity > per_person_cap:
            raise _per_person_refusal(cap=per_person_cap, held=paid)
        if order_id is None:
            raise _sold_out(lottery_id)
        # The statement is committed (or the caller's transaction will be).
        _payment_intents_cancel_queue(list(dropped or ()))
        order.pk, order.expires_at = order_id, expires_at
        order._state.adding = False
        order._state.db = connection.alias
        return order
    raise PurchaseError()
