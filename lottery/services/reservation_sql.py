"""The reservation as one statement on PostgreSQL: one round trip per order.

The same snapshot as the ORM path, taken by the database in one statement, sent
together with the lottery's key-share lock, the buyer's lock and the client
address's lock (when the address is known) as one message.
PostgreSQL runs the statements of one simple-query message as one transaction, so
there is no BEGIN or COMMIT round trip, and each statement takes a fresh snapshot,
so the counts, made once the locks are granted, see the buyer's orders committed
meanwhile. The statement writes only when its gate is open: the gate is the rule of
`reservation_rule.reservation_decide`, spelt in SQL, and the statement returns the
snapshot it saw, so that the caller ends in that rule and raises its refusal. (Several
statements in one message need client-side binding, Django's default with psycopg 3.)

With `locking=False` (the race test's switch) the statement is the same without its
locks: no key-share lock, no buyer lock, no `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from associations.models import Association

from .. import selectors
from ..locking import address_key, buyer_key, email_key
from ..models import Bundle, Lottery, Order, Ticket
from .reservation_rule import SaleSnapshot


@dataclass(frozen=True, slots=True)
class SaleTerms:
    """What pricing an order needs from a lottery: ticket price, per-person cap, bundles.

    `key` is their text as `TERMS_SQL` spells it, e.g. "200|4|5x800,10x1500".
    """

    key: str
    unit_cents: int
    per_person_cap: int | None
    bundles: tuple[tuple[int, int], ...]

    @classmethod
    def from_key(cls, key: str) -> SaleTerms:
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


TERMS_SQL = f"""concat(
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
_SALE_TERMS: dict[int, SaleTerms] = {}
_SALE_TERMS_MAX = 10_000


def sale_terms(lottery_id: int, *, refresh: bool = False) -> SaleTerms:
    terms = None if refresh else _SALE_TERMS.get(lottery_id)
    if terms is None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {TERMS_SQL} FROM {Lottery._meta.db_table} l WHERE l.id = %s",  # noqa: S608 (names from the models, value bound)
                [lottery_id],
            )
            row = cursor.fetchone()
        if row is None:
            sale_terms_forget(lottery_id)
            raise Lottery.DoesNotExist("Lottery matching query does not exist.")
        terms = SaleTerms.from_key(row[0])
        if len(_SALE_TERMS) >= _SALE_TERMS_MAX:
            _SALE_TERMS.clear()
        _SALE_TERMS[lottery_id] = terms
    return terms


def sale_terms_forget(lottery_id: int) -> None:
    _SALE_TERMS.pop(lottery_id, None)


@cache
def _order_columns() -> tuple[Any, ...]:
    """The order's columns the reservation inserts, bound as `f_<attname>`, but expires_at."""
    return tuple(f for f in Order._meta.local_concrete_fields if f is not Order._meta.auto_field)


@cache
def _reserve_sql(
    *, per_person: bool, locking: bool, by_address: bool = False, guest: bool = False
) -> str:
    """The reservation statement, after the lottery row lock and the buyer lock.

    `lot` is the lottery as it is now; `old` the buyer's pending order here, if
    any, which `resumed` takes up again when it asks for as many tickets; `mine`
    counts the buyer's paid tickets here (for a per-person cap), unpaid ones
    elsewhere (for the held-tickets cap) and, `by_address`, the unpaid ones held from
    the client address but the buyer's pending order here (for the address cap),
    after that address's advisory lock; `gate` has a row only if the rule lets the
    order be placed and the terms are those the price was computed from; `picked`
    takes the lowest free numbers (none if the gate is shut), skipping those other
    buyers are taking; the order is inserted, and the numbers given to it, only if
    there are enough, and then the old order is cancelled and its numbers freed.
    The last SELECT returns the snapshot and what happened.

    The buyer is a person: `old` holds their own pending orders here (the account's,
    or with `guest` those placed with the email by nobody signed in), never resumed
    for a guest; `mine` counts every order of the person (the account's and the
    online ones placed with its email), and the pending ones here not in `old` count
    as held here.
    """
    lottery, order, ticket = (m._meta.db_table for m in (Lottery, Order, Ticket))
    association = Association._meta.db_table
    fields = _order_columns()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(
        "gate.expires_at" if f.attname == "expires_at" else f"%(f_{f.attname})s" for f in fields
    )
    by_email = "(o.channel = %(online)s AND o.buyer_email = %(email)s AND %(email)s <> '')"
    person = by_email if guest else f"(o.buyer_id = %(buyer)s OR {by_email})"
    own = "o.buyer_id IS NULL AND o.buyer_email = %(email)s" if guest else "o.buyer_id = %(buyer)s"
    unpaid_kept = (
        "o.status = %(pending)s AND o.expires_at > %(now)s AND o.id NOT IN (SELECT id FROM old)"
    )
    # No cap, no count: the gate checks the terms, which say there is none.
    paid = (
        f"""(SELECT coalesce(sum(o.quantity), 0) FROM {order} o
            WHERE o.lottery_id = %(lottery)s AND {person}
            AND (o.status = %(paid)s OR ({unpaid_kept})))"""  # noqa: S608 (table name from the model)
        if per_person
        else "0"
    )
    # First the lottery row, as the lock order says: a cancellation holding it FOR
    # UPDATE makes the reservation wait, and the statements after it then see the
    # lottery as the cancellation left it (each statement takes a fresh snapshot).
    # Then the buyer, so that one buyer's tabs reserve one after the other.
    key_share = "FOR KEY SHARE" if locking else ""
    # The account's lock, then the email's (`locking.buyer_lock`); a guest has the email's.
    buyer_keys = ["%(email_key)s"] if guest else ["%(buyer_key)s", "%(email_key)s"]
    buyer = ", ".join(f"pg_advisory_xact_lock({k})" if locking else k for k in buyer_keys)
    address_lock = (
        "pg_advisory_xact_lock(%(address_key)s)" if locking and by_address else "%(address_key)s"
    )
    from_address = (
        f"""(SELECT coalesce(sum(o.quantity), 0) FROM {order} o
            WHERE o.client_address = %(address)s AND o.status = %(pending)s
            AND o.channel = %(online)s AND o.expires_at > %(now)s
            AND o.id NOT IN (SELECT id FROM old))"""  # noqa: S608 (table name from the model)
        if by_address
        else "NULL::bigint"
    )
    address_gate = (
        "AND mine.from_address + %(quantity)s <= %(max_per_address)s" if by_address else ""
    )
    skip_locked = "FOR UPDATE SKIP LOCKED" if locking else ""
    resume = "AND false" if guest else ""
    return f"""SELECT FROM {lottery} WHERE id = %(lottery)s {key_share};
    SELECT {buyer};
    SELECT {address_lock};
    WITH lot AS (
        SELECT l.status = %(open)s AND l.sales_open_at <= %(now)s
                   AND %(now)s < l.sales_close_at AS on_sale,
               (SELECT a.status FROM {association} a WHERE a.id = l.association_id)
                   AS association_status,
               {TERMS_SQL} AS terms, l.ticket_cap, l.per_person_cap,
               least(%(hold_until)s, l.sales_close_at) AS expires_at
        FROM {lottery} l WHERE l.id = %(lottery)s
    ),
    old AS MATERIALIZED (
        SELECT o.id, o.quantity, o.expires_at FROM {order} o
        WHERE o.lottery_id = %(lottery)s AND {own}
        AND o.status = %(pending)s AND o.channel = %(online)s
    ),
    resumed AS (
        SELECT old.id, old.expires_at FROM old
        WHERE old.quantity = %(quantity)s AND old.expires_at > %(now)s {resume}
        ORDER BY old.id DESC LIMIT 1
    ),
    mine AS (
        SELECT {paid} AS paid,
               (SELECT coalesce(sum(o.quantity), 0) FROM {order} o
                WHERE {person} AND o.channel = %(online)s AND {unpaid_kept}) AS elsewhere,
               {from_address} AS from_address
    ),
    gate AS (
        SELECT least(
                   lot.expires_at,
                   (SELECT min(old.expires_at) FROM old WHERE old.expires_at > %(now)s)
               ) AS expires_at
        FROM lot, mine
        WHERE lot.association_status = %(active)s
        AND NOT EXISTS (SELECT FROM resumed) AND lot.on_sale
        AND %(quantity)s <= lot.ticket_cap
        AND mine.elsewhere + %(quantity)s <= %(max_held)s
        {address_gate}
        AND (lot.per_person_cap IS NULL OR mine.paid + %(quantity)s <= lot.per_person_cap)
        AND lot.terms = %(terms)s
    ),
    picked AS MATERIALIZED (
        SELECT t.id FROM {ticket} t
        WHERE t.lottery_id = %(lottery)s AND t.status = %(available)s
        AND EXISTS (SELECT FROM gate)
        ORDER BY t.number LIMIT %(quantity)s
        {skip_locked}
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
    SELECT lot.on_sale, lot.association_status, lot.terms, lot.ticket_cap,
           lot.per_person_cap, mine.paid, mine.elsewhere, resumed.id IS NOT NULL,
           coalesce(placed.id, resumed.id), coalesce(placed.expires_at, resumed.expires_at),
           placed.id IS NOT NULL, (SELECT array_agg(dropped.id) FROM dropped),
           mine.from_address
    FROM mine LEFT JOIN lot ON true LEFT JOIN placed ON true
    LEFT JOIN resumed ON true"""  # noqa: S608 (names from the models, values bound)


@dataclass(frozen=True, slots=True)
class StatementOutcome:
    sale: SaleSnapshot
    terms_key: str  # the lottery's terms as the statement read them
    order_id: int | None  # the order placed, or the one resumed
    expires_at: datetime | None
    placed: bool
    dropped: tuple[int, ...]  # pending orders the new one replaced


def reserve_statement(
    *,
    order: Order,
    terms: SaleTerms,
    now: datetime,
    hold_until: datetime,
    max_held: int,
    locking: bool,
    max_per_address: int | None = None,
) -> StatementOutcome | None:
    """Run the statement for `order` (not saved yet); None when the lottery is gone."""
    params: dict[str, Any] = {
        "lottery": order.lottery_id,
        "buyer": order.buyer_id,
        "buyer_key": buyer_key(lottery_id=order.lottery_id, buyer_id=order.buyer_id),
        "email": order.buyer_email,
        "email_key": email_key(lottery_id=order.lottery_id, email=order.buyer_email),
        "quantity": order.quantity,
        "now": now,
        "hold_until": hold_until,
        "max_held": max_held,
        "address": order.client_address,
        "address_key": address_key(address=order.client_address),
        "max_per_address": max_per_address,
        "open": Lottery.Status.OPEN,
        # `association_sells` in SQL: only an active association sells.
        "active": Association.Status.VERIFIED,
        "online": Order.Channel.ONLINE,
        "pending": Order.Status.PENDING,
        "paid": Order.Status.PAID,
        "cancelled": Order.Status.CANCELLED,
        "available": Ticket.Status.AVAILABLE,
        "reserved": Ticket.Status.RESERVED,
        "terms": terms.key,
    }
    for field in _order_columns():
        if field.attname != "expires_at":
            params[f"f_{field.attname}"] = field.get_db_prep_save(
                field.pre_save(order, True), connection
            )
    sql = _reserve_sql(
        per_person=terms.per_person_cap is not None,
        locking=locking,
        by_address=bool(order.client_address) and max_per_address is not None,
        guest=order.buyer_id is None,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.nextset()  # past the lottery lock's result
        cursor.nextset()  # past the buyer lock's result
        cursor.nextset()  # past the address lock's result
        row = cursor.fetchone()
    (on_sale, association_status, key, ticket_cap, per_person_cap, paid, elsewhere, resumable) = (
        row[:8]
    )
    order_id, expires_at, placed, dropped, from_address = row[8:]
    if on_sale is None:
        return None
    return StatementOutcome(
        sale=SaleSnapshot(
            on_sale=on_sale,
            association_status=association_status,
            ticket_cap=ticket_cap,
            per_person_cap=per_person_cap,
            paid_here=paid,
            held_elsewhere=elsewhere,
            resumable=resumable,
            held_from_address=from_address,
        ),
        terms_key=key,
        order_id=order_id,
        expires_at=expires_at,
        placed=placed,
        dropped=tuple(dropped or ()),
    )
