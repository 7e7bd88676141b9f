"""Writes for lotteries: reserving and selling numbered tickets.

The one rule that matters most: no lottery ever sells more tickets than its cap,
under any concurrency. Ticket rows 1..cap exist from the moment sales open; an
order takes the lowest free numbers. On PostgreSQL each buyer locks only the rows
it takes (`FOR UPDATE SKIP LOCKED`), so parallel buyers never wait on each other
and never get the same row. SQLite serialises writers (IMMEDIATE transactions),
which is just as safe, only slower.

What refuses a reservation, and in which order, is one rule
(`reservation_rule.reservation_decide`); two executors take the snapshot it reads
and end in it: the ORM one here (SQLite; PostgreSQL when asked) and the
one-statement one (`reservation_sql`, PostgreSQL's default).
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from associations.models import Association
from assosolos.effects import task_on_commit

from .. import selectors
from ..locking import address_lock, buyer_lock, lottery_key_share, orders_lock
from ..models import Lottery, Order, Ticket
from ..selectors import email_normalise, person_orders_q
from ..selectors.actions import association_sells, sales_window_open
from . import reservation_sql
from .errors import PurchaseError, SalesNotOpen, SoldOut
from .reservation_rule import (
    Decision,
    SaleSnapshot,
    amount_check,
    association_refusal,
    max_held_tickets,
    max_held_tickets_per_address,
    per_person_refusal,
    quantity_check,
    reservation_decide,
    sold_out_error,
)

logger = logging.getLogger(__name__)

Status = Lottery.Status

__all__ = [
    "RESERVATION_EXECUTOR",
    "RESERVATION_LOCKING",
    "SALE_FIELDS",
    "amount_check",
    "max_held_tickets",
    "order_reserve",
    "orders_give_up",
    "payment_intents_cancel_queue",
    "per_person_check",
    "quantity_check",
    "sales_window_check",
    "sold_out",
    "tickets_take",
]

# The race test switches this off to prove the race it guards against exists: it
# turns off the locks only (the lottery's key-share lock, the buyer's lock, FOR
# UPDATE SKIP LOCKED), in both executors. Never change it anywhere else.
RESERVATION_LOCKING = True
# Which executor reserves: None for the database's own ("statement" on PostgreSQL,
# "orm" elsewhere); the contract tests run both on PostgreSQL.
RESERVATION_EXECUTOR: str | None = None


def _executor() -> str:
    if RESERVATION_EXECUTOR is not None:
        return RESERVATION_EXECUTOR
    return "statement" if connection.vendor == "postgresql" else "orm"


def tickets_take(*, lottery_id: int, order_id: int, quantity: int, status: str) -> list[int]:
    """Give the order the `quantity` lowest free numbers; [] when fewer are free.

    Caller is inside a transaction and rolls it back on []. On PostgreSQL the rows
    are locked as they are picked, skipping those another buyer holds; SQLite's one
    writer needs no row lock.
    """
    free = Ticket.objects.filter(lottery_id=lottery_id, status=Ticket.Status.AVAILABLE).order_by(
        "number"
    )
    if RESERVATION_LOCKING:
        free = free.select_for_update(skip_locked=True)
    rows = list(free.values_list("pk", "number")[:quantity])
    if len(rows) < quantity:
        return []
    chosen = Ticket.objects.filter(pk__in=[pk for pk, _n in rows])
    if RESERVATION_LOCKING:
        # The rows are locked (or writers serialised): this guard never trips; it is
        # the last word anyway.
        chosen = chosen.filter(status=Ticket.Status.AVAILABLE)
    if chosen.update(status=status, order_id=order_id) != quantity:
        return []
    return sorted(n for _pk, n in rows)


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


def association_suspended(*, association_id: int) -> bool:
    """The platform suspended the association: its pending orders were released, and a
    payment that arrives anyway is refunded (`order_confirm_payment`)."""
    return Association.objects.filter(
        pk=association_id, status=Association.Status.SUSPENDED
    ).exists()


def _association_status(lottery: Lottery) -> str:
    return (
        Association.objects.filter(pk=lottery.association_id).values_list("status", flat=True).get()
    )


def sales_window_check(lottery: Lottery, now: datetime) -> None:
    """No sale, online or cash, unless on sale: the sales window open and the
    association active (`selectors.actions`, as the public page says it)."""
    status = _association_status(lottery)
    if not association_sells(status=status):
        raise association_refusal(status=status)
    if not sales_window_open(lottery=lottery, now=now):
        raise SalesNotOpen()


def per_person_check(
    *, lottery: Lottery, buyer_id: int | None, quantity: int, email: str = ""
) -> None:
    """Caller holds the buyer lock for this lottery (the account's and the email's)."""
    if lottery.per_person_cap is None:
        return
    held = selectors.buyer_ticket_count(lottery_id=lottery.pk, buyer_id=buyer_id, email=email)
    if held + quantity > lottery.per_person_cap:
        raise per_person_refusal(cap=lottery.per_person_cap, held=held)


def sold_out(lottery_id: int) -> SoldOut:
    left = Ticket.objects.filter(lottery_id=lottery_id, status=Ticket.Status.AVAILABLE).count()
    return sold_out_error(left=left)


def payment_intents_cancel_queue(order_ids: list[int]) -> None:
    """After commit, cancel the PaymentIntents of orders given up, so no old page can pay."""
    for order_id in order_ids:
        task_on_commit("lottery.tasks.order_payment_intent_cancel", order_id)


def order_reserve(
    *, lottery: Lottery, buyer: Any, quantity: int, client_address: str = "", email: str = ""
) -> Order:
    """Hold `quantity` tickets for a buyer until the order is paid or expires.

    The buyer is an account (`buyer`), or a guest (`buyer=None`) known by `email`
    only. A person is an account and every online order placed with its email
    (normalised): a guest and an account with the same address share the caps
    below, and each one's pending orders here count in the other's per-person cap.
    A guest's pending order here is replaced, never resumed: whoever types an
    address must not be handed the order someone else placed with it.

    A buyer has at most one pending order per lottery: asking again for the same
    number of tickets resumes it (same numbers, same deadline); asking for another
    number replaces it (its numbers go back on sale, its PaymentIntent is
    cancelled), and the new hold ends no later than the one it replaces, so holds
    cannot be renewed by replacing them. One account holds at most
    LOTTERY_MAX_HELD_TICKETS unpaid tickets over all lotteries, and every account
    reserving from one `client_address` together at most
    LOTTERY_MAX_HELD_TICKETS_PER_ADDRESS (unchecked when the address is unknown).

    The hold lasts LOTTERY_RESERVATION_MINUTES but never past the closing time.
    Raises SalesNotOpen, InvalidQuantity, PerPersonCapReached, HeldTicketsCapReached
    or SoldOut (in the order `reservation_rule` gives); on any of them nothing changes.
    """
    quantity = quantity_check(quantity)
    email = email_normalise(buyer.email if buyer is not None else email)
    if buyer is None and not email:
        raise PurchaseError()
    now = timezone.now()
    hold_until = now + timedelta(minutes=getattr(settings, "LOTTERY_RESERVATION_MINUTES", 15))
    address = (client_address or "")[:64]
    reserve = _reserve_by_statement if _executor() == "statement" else _reserve_by_orm
    return reserve(
        lottery_id=lottery.pk,
        buyer=buyer,
        email=email,
        quantity=quantity,
        now=now,
        hold_until=hold_until,
        address=address,
    )


def _held_from_address(*, address: str, replaced: list[int], now: datetime):
    """Unpaid tickets held from `address`, but the pending orders this one replaces."""
    if not address:
        return None
    held = (
        Order.objects.filter(
            client_address=address,
            channel=Order.Channel.ONLINE,
            status=Order.Status.PENDING,
            expires_at__gt=now,
        )
        .exclude(pk__in=replaced)
        .aggregate(n=Sum("quantity"))["n"]
    )
    return held or 0


def _own_orders(*, buyer: Any, email: str):
    """The orders a reservation may resume or replace: the account's, or the guest's."""
    online = Order.objects.filter(channel=Order.Channel.ONLINE)
    if buyer is not None:
        return online.filter(buyer=buyer)
    return online.filter(buyer__isnull=True, buyer_email=email)


def _reserve_by_orm(
    *,
    lottery_id: int,
    buyer: Any,
    email: str,
    quantity: int,
    now: datetime,
    hold_until: datetime,
    address: str,
) -> Order:
    buyer_id = buyer.pk if buyer is not None else None
    with transaction.atomic():
        # The lottery's key-share lock (PostgreSQL; a fresh read elsewhere), not a row
        # lock: buyers must not queue on the lottery row, but a cancellation holding
        # it makes them wait and then see it cancelled.
        current = lottery_key_share(lottery_id, fields=SALE_FIELDS, lock=RESERVATION_LOCKING)
        if RESERVATION_LOCKING:
            buyer_lock(lottery_id=current.pk, buyer_id=buyer_id, email=email)
            address_lock(address=address)
        previous = list(
            _own_orders(buyer=buyer, email=email)
            .filter(lottery=current, status=Order.Status.PENDING)
            .order_by("-pk")
        )
        replaced = [o.pk for o in previous]
        resumable = [
            o
            for o in previous
            if buyer is not None and o.quantity == quantity and o.expires_at and o.expires_at > now
        ]
        # The person: the account's orders and the online ones placed with its email.
        person = Order.objects.filter(person_orders_q(buyer_id=buyer_id, email=email))
        unpaid = person.filter(status=Order.Status.PENDING, expires_at__gt=now).exclude(
            pk__in=replaced
        )
        sale = SaleSnapshot(
            on_sale=sales_window_open(lottery=current, now=now),
            association_status=_association_status(current),
            ticket_cap=current.ticket_cap,
            per_person_cap=current.per_person_cap,
            paid_here=(
                person.filter(lottery=current)
                .filter(Q(status=Order.Status.PAID) | Q(pk__in=unpaid.values("pk")))
                .aggregate(n=Sum("quantity"))["n"]
                or 0
            )
            if current.per_person_cap is not None
            else 0,
            held_elsewhere=unpaid.aggregate(n=Sum("quantity"))["n"] or 0,
            resumable=bool(resumable),
            held_from_address=_held_from_address(address=address, replaced=replaced, now=now),
        )
        if reservation_decide(sale, quantity=quantity, max_held=max_held_tickets()) is (
            Decision.RESUME
        ):
            return resumable[0]
        deadlines = [o.expires_at for o in previous if o.expires_at and o.expires_at > now]
        # The orders it replaces are locked first (the lock order), but their numbers
        # go back on sale only once the new order has its own, as in the statement.
        orders_lock(lottery=current, order_ids=replaced)
        amount_cents = amount_check(
            selectors.price_for_quantity(lottery=current, quantity=quantity)
        )
        order = Order.objects.create(
            lottery=current,
            buyer=buyer,
            buyer_name=_buyer_name(buyer),
            buyer_email=email,
            quantity=quantity,
            amount_cents=amount_cents,
            channel=Order.Channel.ONLINE,
            status=Order.Status.PENDING,
            created_at=now,
            expires_at=min([hold_until, current.sales_close_at, *deadlines]),
            client_address=address,
        )
        numbers = tickets_take(
            lottery_id=current.pk,
            order_id=order.pk,
            quantity=quantity,
            status=Ticket.Status.RESERVED,
        )
        if not numbers:
            raise sold_out(current.pk)
        given_up = orders_give_up(
            lottery=current, order_ids=replaced, status=Order.Status.CANCELLED
        )
        payment_intents_cancel_queue(given_up)
    return order


def _reserve_by_statement(
    *,
    lottery_id: int,
    buyer: Any,
    email: str,
    quantity: int,
    now: datetime,
    hold_until: datetime,
    address: str,
) -> Order:
    order = Order(
        lottery_id=lottery_id,
        buyer=buyer,
        buyer_name=_buyer_name(buyer),
        buyer_email=email,
        quantity=quantity,
        channel=Order.Channel.ONLINE,
        status=Order.Status.PENDING,
        created_at=now,
        client_address=address,
    )
    max_held = max_held_tickets()
    max_per_address = max_held_tickets_per_address()
    terms = reservation_sql.sale_terms(lottery_id)
    # A lottery on sale keeps its terms (the services refuse to change them), so one
    # retry is always enough; the bound only keeps a broken database from looping.
    for _attempt in range(3):
        order.amount_cents = amount_check(terms.price_cents(quantity))
        # Alone, the message is its own transaction; inside the caller's, a savepoint
        # keeps a database error from spoiling it, as `transaction.atomic` always did.
        scope = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with scope:
            outcome = reservation_sql.reserve_statement(
                order=order,
                terms=terms,
                now=now,
                hold_until=hold_until,
                max_held=max_held,
                max_per_address=max_per_address,
                locking=RESERVATION_LOCKING,
            )
        if outcome is None:
            reservation_sql.sale_terms_forget(lottery_id)
            raise Lottery.DoesNotExist("Lottery matching query does not exist.")
        try:
            decision = reservation_decide(
                outcome.sale,
                quantity=quantity,
                max_held=max_held,
                max_per_address=max_per_address,
            )
        except PurchaseError:
            if outcome.placed:  # the statement's gate and the rule disagree: undo it
                logger.error("Reservation statement placed order %s the rule refuses", order)
                _statement_order_undo(outcome.order_id)
            raise
        if decision is Decision.RESUME:
            return Order.objects.get(pk=outcome.order_id)
        if outcome.terms_key != terms.key:
            terms = reservation_sql.sale_terms(lottery_id, refresh=True)
            continue
        if not outcome.placed:
            raise sold_out(lottery_id)
        # The statement is committed (or the caller's transaction will be).
        payment_intents_cancel_queue(list(outcome.dropped))
        order.pk, order.expires_at = outcome.order_id, outcome.expires_at
        order._state.adding = False
        order._state.db = connection.alias
        return order
    raise PurchaseError()


def _statement_order_undo(order_id: int) -> None:
    with transaction.atomic():
        Ticket.objects.filter(order_id=order_id).update(status=Ticket.Status.AVAILABLE, order=None)
        Order.objects.filter(pk=order_id).update(status=Order.Status.CANCELLED)


def orders_give_up(*, lottery: Lottery, order_ids: list[int], status: str) -> list[int]:
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
    if buyer is None:
        return ""
    return buyer.get_full_name() if hasattr(buyer, "get_full_name") else ""
