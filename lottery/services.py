"""Writes for lotteries: setting them up, their life cycle, reserving and selling tickets.

The one rule that matters most: no lottery ever sells more tickets than its cap,
under any concurrency. Ticket rows 1..cap exist from the moment sales open; an
order takes the lowest free numbers. On PostgreSQL each buyer locks only the rows
it takes (`FOR UPDATE SKIP LOCKED`), so parallel buyers never wait on each other
and never get the same row. SQLite serialises writers (IMMEDIATE transactions),
which is just as safe, only slower.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from associations.models import Association
from associations.services import association_require_active

from . import selectors
from .models import Bundle, Lottery, LotteryTransition, Order, Prize, Ticket

logger = logging.getLogger(__name__)

Status = Lottery.Status

# The race test switches this off to prove the race it guards against exists.
# Never change it anywhere else.
RESERVATION_LOCKING = True

TICKET_BATCH_SIZE = 2000


# --- Errors --------------------------------------------------------------------------


class PurchaseError(ValidationError):
    """A purchase that cannot go through; the message is shown to the buyer as it is."""

    default_message = _("This purchase is not possible.")
    default_code = "purchase"

    def __init__(self, message: Any = None, code: str | None = None, params: Any = None) -> None:
        super().__init__(
            message or self.default_message, code=code or self.default_code, params=params
        )


class SoldOut(PurchaseError):
    default_message = _("Sorry, there are not enough tickets left for this purchase.")
    default_code = "sold_out"


class SalesNotOpen(PurchaseError):
    default_message = _("Ticket sales are not open for this lottery.")
    default_code = "sales_not_open"


class PerPersonCapReached(PurchaseError):
    default_message = _("You have reached the number of tickets one person may buy.")
    default_code = "per_person_cap"


class InvalidQuantity(PurchaseError):
    default_message = _("Choose a number of tickets between 1 and the number on sale.")
    default_code = "invalid_quantity"


# --- Validation ----------------------------------------------------------------------


def _add(errors: dict[str, list], field: str, message: Any) -> None:
    errors.setdefault(field, []).append(message)


def lottery_validate(*, lottery: Lottery) -> None:
    """Check the lottery's own fields; raise a ValidationError keyed by field."""
    errors: dict[str, list] = {}
    if lottery.ticket_price_cents is not None and lottery.ticket_price_cents <= 0:
        _add(errors, "ticket_price_cents", _("The ticket price must be more than zero."))
    if lottery.ticket_cap is not None and lottery.ticket_cap <= 0:
        _add(errors, "ticket_cap", _("A lottery must offer at least one ticket."))
    max_cap = getattr(settings, "LOTTERY_MAX_TICKETS", 100_000)
    if lottery.ticket_cap and lottery.ticket_cap > max_cap:
        _add(
            errors,
            "ticket_cap",
            _("A lottery may offer at most %(max)s tickets.") % {"max": max_cap},
        )
    if lottery.per_person_cap is not None:
        if lottery.per_person_cap <= 0:
            _add(errors, "per_person_cap", _("Leave this empty for no limit, or give at least 1."))
        elif lottery.ticket_cap and lottery.per_person_cap > lottery.ticket_cap:
            _add(
                errors,
                "per_person_cap",
                _("A person cannot buy more tickets than the lottery offers."),
            )
    opens, closes, draw = lottery.sales_open_at, lottery.sales_close_at, lottery.draw_at
    if opens and closes and closes <= opens:
        _add(errors, "sales_close_at", _("Sales must close after they open."))
    if closes and draw and draw <= closes:
        _add(errors, "draw_at", _("The draw must take place after sales close."))
    if errors:
        raise ValidationError(errors)


def lottery_validate_for_opening(*, lottery: Lottery, now: datetime | None = None) -> None:
    """Everything that must hold before tickets go on sale."""
    now = now or timezone.now()
    errors: dict[str, list] = {}
    try:
        lottery_validate(lottery=lottery)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not lottery.authorisation_reference.strip():
        _add(
            errors,
            "authorisation_reference",
            _("Give the reference of the mayor's authorisation before opening sales."),
        )
    if lottery.authorisation_date is None:
        _add(
            errors,
            "authorisation_date",
            _("Give the date of the mayor's authorisation before opening sales."),
        )
    if lottery.sales_close_at and lottery.sales_close_at <= now:
        _add(errors, "sales_close_at", _("The closing time has already passed."))
    if not lottery.prizes.exists():
        _add(errors, "__all__", _("Add at least one prize before opening sales."))
    for bundle in lottery.bundles.all():
        try:
            bundle_validate(bundle=bundle)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                for message in messages:
                    _add(errors, "__all__", message)
    try:
        association_require_active(association=lottery.association)
    except ValidationError as exc:
        for message in exc.messages:
            _add(errors, "__all__", message)
    if errors:
        raise ValidationError(errors)


def bundle_validate(*, bundle: Bundle) -> None:
    errors: dict[str, list] = {}
    if not bundle.quantity or bundle.quantity <= 0:
        _add(errors, "quantity", _("A bundle holds at least one ticket."))
    if bundle.price_cents is None or bundle.price_cents <= 0:
        _add(
            errors,
            "price_cents",
            _("The bundle of %(quantity)s tickets must have a price above zero.")
            % {"quantity": bundle.quantity or 0},
        )
    if errors:
        raise ValidationError(errors)


def prize_validate(*, prize: Prize) -> None:
    errors: dict[str, list] = {}
    if not prize.name or not prize.name.strip():
        _add(errors, "name", _("Give the prize a name."))
    if not prize.quantity or prize.quantity <= 0:
        _add(errors, "quantity", _("There is at least one of each prize."))
    if errors:
        raise ValidationError(errors)


# --- Setting a lottery up ------------------------------------------------------------

EDITABLE_WHILE_OPEN = frozenset({"title", "description", "rules", "sales_close_at", "draw_at"})


# Path segments the lottery URLs use; a lottery slug must not shadow them.
RESERVED_SLUGS = frozenset({"mes-billets", "gestion", "commande", "stripe"})


def lottery_slug_unique(*, title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:140] or "loterie"
    if base in RESERVED_SLUGS:
        base = f"loterie-{base}"
    slug, n = base, 2
    others = Lottery.objects.exclude(pk=exclude_pk) if exclude_pk else Lottery.objects.all()
    while others.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def lottery_create(*, association: Association, by: Any, **fields: Any) -> Lottery:
    """Create a draft lottery. Only a verified association may start one."""
    association_require_active(association=association)
    lottery = Lottery(association=association, created_by=by, status=Status.DRAFT, **fields)
    if not lottery.slug:
        lottery.slug = lottery_slug_unique(title=lottery.title)
    lottery.full_clean()
    lottery_validate(lottery=lottery)
    lottery.save()
    return lottery


def lottery_update(*, lottery: Lottery, by: Any, **fields: Any) -> Lottery:
    """Change a lottery's fields. Once sales are open, only texts and later dates may change.

    The row is locked and its status read afresh, so an edit cannot slip in while
    sales open, and only the given fields are written (never a stale status).
    """
    with transaction.atomic():
        lottery.status = _lock(lottery.pk).status
        if lottery.status in (Status.CLOSED, Status.DRAWN, Status.CANCELLED):
            raise ValidationError(_("This lottery can no longer be changed."))
        if lottery.status == Status.OPEN:
            changed = {
                name for name, value in fields.items() if getattr(lottery, name, None) != value
            }
            locked = changed - EDITABLE_WHILE_OPEN
            if locked:
                raise ValidationError(
                    {name: _("This cannot change once sales are open.") for name in sorted(locked)}
                )
        for name, value in fields.items():
            setattr(lottery, name, value)
        lottery.full_clean()
        lottery_validate(lottery=lottery)
        if lottery.status == Status.OPEN and lottery.sales_close_at <= timezone.now():
            raise ValidationError({"sales_close_at": _("The closing time cannot be in the past.")})
        lottery.save(update_fields=[*fields, "updated_at"])
    return lottery


def _require_draft(lottery: Lottery) -> None:
    """Caller is inside a transaction: the row lock keeps sales from opening meanwhile."""
    if _lock(lottery.pk).status != Status.DRAFT:
        raise ValidationError(_("Prizes and bundles can only change before sales open."))


@transaction.atomic
def prize_save(*, prize: Prize) -> Prize:
    _require_draft(prize.lottery)
    prize.full_clean()
    prize_validate(prize=prize)
    prize.save()
    return prize


@transaction.atomic
def prize_delete(*, prize: Prize) -> None:
    _require_draft(prize.lottery)
    prize.delete()


@transaction.atomic
def bundle_save(*, bundle: Bundle) -> Bundle:
    _require_draft(bundle.lottery)
    bundle_validate(bundle=bundle)
    bundle.full_clean()
    bundle.save()
    return bundle


@transaction.atomic
def bundle_delete(*, bundle: Bundle) -> None:
    _require_draft(bundle.lottery)
    bundle.delete()


# --- Life cycle ----------------------------------------------------------------------


def _transition(*, lottery: Lottery, to: str, by: Any = None, note: str = "") -> None:
    """Change the status and record it. Caller holds the lottery row lock."""
    LotteryTransition.objects.create(
        lottery=lottery, from_status=lottery.status, to_status=to, by=by, note=note[:255]
    )
    lottery.status = to
    lottery.save(update_fields=["status", "open_requested_at", "updated_at"])


def _lock(lottery_id: int) -> Lottery:
    return Lottery.objects.select_for_update().get(pk=lottery_id)


def lottery_request_open(*, lottery: Lottery, by: Any, now: datetime | None = None) -> bool:
    """Validate and schedule the opening of sales; open at once when the time has come.

    Returns True when the lottery is open on return, False when it will open at
    `sales_open_at` (the sales sweep opens it).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(lottery.pk)
        if locked.status != Status.DRAFT:
            raise ValidationError(_("Only a draft lottery can be opened."))
        lottery_validate_for_opening(lottery=locked, now=now)
        locked.open_requested_at = now
        locked.save(update_fields=["open_requested_at", "updated_at"])
        if locked.sales_open_at <= now:
            _open(locked, by=by)
    lottery.refresh_from_db()
    return lottery.status == Status.OPEN


def lottery_unschedule(*, lottery: Lottery, by: Any) -> None:
    """Withdraw a request to open: the draft stays a draft."""
    with transaction.atomic():
        locked = _lock(lottery.pk)
        if locked.status == Status.DRAFT:
            locked.open_requested_at = None
            locked.save(update_fields=["open_requested_at", "updated_at"])
    lottery.refresh_from_db()


def _open(lottery: Lottery, *, by: Any = None, note: str = "") -> None:
    """Put the tickets on sale. Caller holds the lottery lock and has validated it."""
    Ticket.objects.bulk_create(
        (Ticket(lottery=lottery, number=n) for n in range(1, lottery.ticket_cap + 1)),
        batch_size=TICKET_BATCH_SIZE,
        ignore_conflicts=True,
    )
    _transition(lottery=lottery, to=Status.OPEN, by=by, note=note)


def lottery_open(*, lottery_id: int, by: Any = None, now: datetime | None = None) -> bool:
    """Open a lottery whose opening was requested and is due. Idempotent.

    Returns True if it opened now. A lottery that no longer passes validation
    (e.g. the association was suspended) loses its request and stays a draft.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lottery = _lock(lottery_id)
        if (
            lottery.status != Status.DRAFT
            or lottery.open_requested_at is None
            or lottery.sales_open_at > now
        ):
            return False
        try:
            lottery_validate_for_opening(lottery=lottery, now=now)
        except ValidationError as exc:
            logger.warning("Lottery %s could not open: %s", lottery.pk, exc.messages)
            lottery.open_requested_at = None
            lottery.save(update_fields=["open_requested_at", "updated_at"])
            return False
        _open(lottery, by=by)
    return True


def lottery_close(*, lottery_id: int, by: Any = None, note: str = "") -> bool:
    """Stop sales. Idempotent: returns False if the lottery was not open.

    Reservations still held may be paid until they expire (they never outlive
    the closing time, see `order_reserve`).
    """
    with transaction.atomic():
        lottery = _lock(lottery_id)
        if lottery.status != Status.OPEN:
            return False
        _transition(lottery=lottery, to=Status.CLOSED, by=by, note=note)
    return True


def lotteries_sales_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Open the lotteries whose opening is due and close those whose closing is due."""
    now = now or timezone.now()
    opened = closed = 0
    due_open = Lottery.objects.filter(
        status=Status.DRAFT, open_requested_at__isnull=False, sales_open_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due_open):
        opened += lottery_open(lottery_id=pk, now=now)
    due_close = Lottery.objects.filter(status=Status.OPEN, sales_close_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due_close):
        closed += lottery_close(lottery_id=pk)
    return {"opened": opened, "closed": closed}


def lottery_cancel(*, lottery: Lottery, by: Any, note: str = "") -> None:
    """Cancel a lottery that is not drawn yet; every paid order is then refunded.

    Held reservations are released at once. The refunds run in a task after
    commit (`lottery.tasks.lottery_refunds_run`), which refunds each order once.
    """
    with transaction.atomic():
        locked = _lock(lottery.pk)
        if locked.status == Status.CANCELLED:
            return
        if locked.status == Status.DRAWN:
            raise ValidationError(_("A drawn lottery cannot be cancelled."))
        pending = Order.objects.filter(lottery=locked, status=Order.Status.PENDING)
        Ticket.objects.filter(order__in=pending, status=Ticket.Status.RESERVED).update(
            status=Ticket.Status.AVAILABLE, order=None
        )
        pending.update(status=Order.Status.EXPIRED)
        locked.open_requested_at = None
        _transition(lottery=locked, to=Status.CANCELLED, by=by, note=note)
        lottery_id = locked.pk
        transaction.on_commit(lambda: async_task("lottery.tasks.lottery_refunds_run", lottery_id))
    lottery.refresh_from_db()


# --- Reserving and selling tickets ---------------------------------------------------


def _advisory_key(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _buyer_lock(*, lottery_id: int, buyer_id: int) -> None:
    """Serialise one buyer's purchases in one lottery, so two tabs cannot beat the cap.

    PostgreSQL: a transaction-scoped advisory lock (other buyers never wait on it).
    SQLite: the IMMEDIATE transaction already holds the only writer lock.
    """
    if RESERVATION_LOCKING and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [_advisory_key("lottery-buyer", lottery_id, buyer_id)],
            )


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


def _quantity_check(quantity: Any) -> int:
    max_per_order = getattr(settings, "LOTTERY_MAX_TICKETS_PER_ORDER", 100)
    if (
        not isinstance(quantity, int)
        or isinstance(quantity, bool)
        or not (1 <= quantity <= max_per_order)
    ):
        raise InvalidQuantity(_("Choose between 1 and %(max)s tickets.") % {"max": max_per_order})
    return quantity


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


def order_reserve(*, lottery: Lottery, buyer: Any, quantity: int) -> Order:
    """Hold `quantity` tickets for a signed-in buyer until the order is paid or expires.

    The hold lasts LOTTERY_RESERVATION_MINUTES but never past the closing time.
    Raises SalesNotOpen, InvalidQuantity, PerPersonCapReached or SoldOut; on any
    of them nothing is reserved.
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
        _sales_window_check(current, now)
        if quantity > current.ticket_cap:
            raise InvalidQuantity()
        _buyer_lock(lottery_id=current.pk, buyer_id=buyer.pk)
        _per_person_check(lottery=current, buyer_id=buyer.pk, quantity=quantity)
        order = Order.objects.create(
            lottery=current,
            buyer=buyer,
            buyer_name=_buyer_name(buyer),
            buyer_email=buyer.email,
            quantity=quantity,
            amount_cents=selectors.price_for_quantity(lottery=current, quantity=quantity),
            channel=Order.Channel.ONLINE,
            status=Order.Status.PENDING,
            created_at=now,
            expires_at=min(hold_until, current.sales_close_at),
        )
        numbers = _tickets_take(
            lottery_id=current.pk,
            order_id=order.pk,
            quantity=quantity,
            status=Ticket.Status.RESERVED,
        )
        if not numbers:
            raise _sold_out(current.pk)
    return order


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
    """The reservation statement, after the buyer lock when a per-person cap applies.

    `lot` is the lottery as it is now; `gate` has a row only if it is on sale, its
    terms are those the price was computed from and the buyer stays within the
    caps; `picked` takes the lowest free numbers (none if the gate is shut),
    skipping those other buyers are taking; the order is inserted, and the numbers
    given to it, only if there are enough. The last SELECT tells why not.
    """
    lottery, order, ticket = (m._meta.db_table for m in (Lottery, Order, Ticket))
    fields = _order_columns()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(
        "gate.expires_at" if f.attname == "expires_at" else f"%(f_{f.attname})s" for f in fields
    )
    if per_person:
        lock = "SELECT pg_advisory_xact_lock(%(buyer_key)s);\n"
        mine = f"""SELECT coalesce(sum(o.quantity), 0) AS held FROM {order} o
            WHERE o.lottery_id = %(lottery)s AND o.buyer_id = %(buyer)s
            AND o.status IN (%(pending)s, %(paid)s)"""  # noqa: S608 (table name from the model)
    else:
        # No cap, no lock nor count: the gate checks the terms, which say there is none.
        lock, mine = "", "SELECT 0 AS held"
    return f"""{lock}WITH lot AS (
        SELECT l.status = %(open)s AND l.sales_open_at <= %(now)s
                   AND %(now)s < l.sales_close_at AS on_sale,
               {_TERMS_SQL} AS terms, l.ticket_cap, l.per_person_cap,
               least(%(hold_until)s, l.sales_close_at) AS expires_at
        FROM {lottery} l WHERE l.id = %(lottery)s
    ),
    mine AS ({mine}),
    gate AS (
        SELECT lot.expires_at FROM lot, mine
        WHERE lot.on_sale AND lot.terms = %(terms)s AND %(quantity)s <= lot.ticket_cap
        AND (lot.per_person_cap IS NULL OR mine.held + %(quantity)s <= lot.per_person_cap)
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
    )
    SELECT lot.on_sale, lot.terms, lot.ticket_cap, lot.per_person_cap, mine.held,
           placed.id, placed.expires_at
    FROM mine LEFT JOIN lot ON true LEFT JOIN placed ON true"""  # noqa: S608 (names from the models, values bound)


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
        "buyer_key": _advisory_key("lottery-buyer", lottery_id, buyer.pk),
        "quantity": quantity,
        "now": now,
        "hold_until": hold_until,
        "open": Status.OPEN,
        "pending": Order.Status.PENDING,
        "paid": Order.Status.PAID,
        "available": Ticket.Status.AVAILABLE,
        "reserved": Ticket.Status.RESERVED,
    }
    terms = _sale_terms(lottery_id)
    # A lottery on sale keeps its terms (the services refuse to change them), so one
    # retry is always enough; the bound only keeps a broken database from looping.
    for _attempt in range(3):
        order.amount_cents = terms.price_cents(quantity)
        for field in _order_columns():
            if field.attname != "expires_at":
                params[f"f_{field.attname}"] = field.get_db_prep_save(
                    field.pre_save(order, True), connection
                )
        params["terms"] = terms.key
        per_person = terms.per_person_cap is not None
        # Alone, the message is its own transaction; inside the caller's, a savepoint
        # keeps a database error from spoiling it, as `transaction.atomic` always did.
        scope = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with scope, connection.cursor() as cursor:
            cursor.execute(_reserve_sql(per_person=per_person), params)
            if per_person:
                cursor.nextset()  # past the lock's result
            on_sale, key, ticket_cap, per_person_cap, held, order_id, expires_at = cursor.fetchone()
        if on_sale is None:
            _SALE_TERMS.pop(lottery_id, None)
            raise Lottery.DoesNotExist("Lottery matching query does not exist.")
        if not on_sale:
            raise SalesNotOpen()
        if key != terms.key:
            terms = _sale_terms(lottery_id, refresh=True)
            continue
        if quantity > ticket_cap:
            raise InvalidQuantity()
        if per_person_cap is not None and held + quantity > per_person_cap:
            raise _per_person_refusal(cap=per_person_cap, held=held)
        if order_id is None:
            raise _sold_out(lottery_id)
        order.pk, order.expires_at = order_id, expires_at
        order._state.adding = False
        order._state.db = connection.alias
        return order
    raise PurchaseError()


def order_record_offline(
    *,
    lottery: Lottery,
    by: Any,
    channel: str,
    quantity: int,
    receipt_number: str,
    buyer_name: str = "",
    buyer_email: str = "",
    amount_cents: int | None = None,
) -> Order:
    """Record a cash or cheque sale: a paid order whose tickets come from the same pool.

    The receipt number is required and unique within the lottery.
    """
    errors: dict[str, list] = {}
    if channel not in (Order.Channel.CASH, Order.Channel.CHEQUE):
        _add(errors, "channel", _("Choose cash or cheque."))
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        _add(errors, "receipt_number", _("Give the number of the receipt handed to the buyer."))
    if amount_cents is not None and amount_cents < 0:
        _add(errors, "amount_cents", _("The amount cannot be negative."))
    if errors:
        raise ValidationError(errors)
    quantity = _quantity_check(quantity)
    now = timezone.now()
    with transaction.atomic():
        current = Lottery.objects.get(pk=lottery.pk)
        _sales_window_check(current, now)
        if Order.objects.filter(lottery=current, receipt_number__iexact=receipt_number).exists():
            raise ValidationError(
                {"receipt_number": _("This receipt number is already recorded for this lottery.")}
            )
        order = Order.objects.create(
            lottery=current,
            buyer=None,
            buyer_name=buyer_name.strip(),
            buyer_email=buyer_email.strip(),
            quantity=quantity,
            amount_cents=(
                amount_cents
                if amount_cents is not None
                else selectors.price_for_quantity(lottery=current, quantity=quantity)
            ),
            channel=channel,
            status=Order.Status.PAID,
            receipt_number=receipt_number,
            recorded_by=by,
            created_at=now,
            paid_at=now,
        )
        numbers = _tickets_take(
            lottery_id=current.pk, order_id=order.pk, quantity=quantity, status=Ticket.Status.SOLD
        )
        if not numbers:
            raise _sold_out(current.pk)
        Ticket.objects.filter(order=order).update(sold_at=now)
    return order


class _CannotServe(Exception):
    """Raised inside order_confirm_payment to undo a partial attempt."""


def order_confirm_payment(*, order_id: int, payment_intent_id: str) -> bool:
    """Mark an online order paid and its tickets sold. Idempotent, safe when called twice at once.

    Returns True when the order is paid (now or before). Returns False when it
    cannot be served (sold out, sales over, cancelled, already refunded, or paid
    through another PaymentIntent): the caller then refunds the payment.
    If the reservation had been released, fresh numbers are taken when sales
    are still open.
    """
    try:
        return _confirm(order_id=order_id, payment_intent_id=payment_intent_id)
    except _CannotServe:
        return False


def _confirm(*, order_id: int, payment_intent_id: str) -> bool:
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            return False
        if order.stripe_payment_intent_id and order.stripe_payment_intent_id != payment_intent_id:
            logger.warning("Order %s confirmed with a foreign PaymentIntent", order.pk)
            return False
        if order.status == Order.Status.PAID:
            return True
        if order.status == Order.Status.REFUNDED or order.channel != Order.Channel.ONLINE:
            return False
        lottery = Lottery.objects.get(pk=order.lottery_id)
        held = Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).count()
        if order.status == Order.Status.PENDING and held == order.quantity:
            # Sales may have closed meanwhile: the payment was made for a valid hold.
            if lottery.status not in (Status.OPEN, Status.CLOSED):
                return False
        else:
            if lottery.status != Status.OPEN or lottery.sales_close_at <= now:
                return False
            # Drop any partial hold, then take fresh numbers like a new reservation;
            # _CannotServe rolls all of it back.
            Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).update(
                status=Ticket.Status.AVAILABLE, order=None
            )
            if order.buyer_id is not None:
                _buyer_lock(lottery_id=lottery.pk, buyer_id=order.buyer_id)
                try:
                    _per_person_check(
                        lottery=lottery, buyer_id=order.buyer_id, quantity=order.quantity
                    )
                except PerPersonCapReached as exc:
                    raise _CannotServe from exc
            numbers = _tickets_take(
                lottery_id=lottery.pk,
                order_id=order.pk,
                quantity=order.quantity,
                status=Ticket.Status.RESERVED,
            )
            if not numbers:
                raise _CannotServe
        Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).update(
            status=Ticket.Status.SOLD, sold_at=now
        )
        order.status = Order.Status.PAID
        order.paid_at = now
        order.stripe_payment_intent_id = payment_intent_id
        order.save(update_fields=["status", "paid_at", "stripe_payment_intent_id"])
        paid_id = order.pk
        transaction.on_commit(lambda: async_task("lottery.tasks.order_paid_email_send", paid_id))
    return True


def _release(order_id: int, status: str, *, expired_before: datetime | None = None) -> bool:
    if status not in (Order.Status.EXPIRED, Order.Status.FAILED):
        raise ValueError(f"An order is released as expired or failed, not {status!r}.")
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != Order.Status.PENDING:
            return False
        if expired_before is not None and (
            order.expires_at is None or order.expires_at > expired_before
        ):
            return False
        Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).update(
            status=Ticket.Status.AVAILABLE, order=None
        )
        order.status = status
        order.save(update_fields=["status"])
    return True


def order_release(*, order_id: int, status: str) -> None:
    """PENDING → EXPIRED or FAILED, its numbers back in the pool; a no-op otherwise."""
    _release(order_id, status)


def reservations_expire(*, now: datetime | None = None) -> int:
    """Release every pending online order past its hold; returns how many were released."""
    now = now or timezone.now()
    due = Order.objects.filter(
        status=Order.Status.PENDING, channel=Order.Channel.ONLINE, expires_at__lte=now
    ).values_list("pk", flat=True)
    return sum(_release(pk, Order.Status.EXPIRED, expired_before=now) for pk in list(due))


def order_mark_refunded(*, order_id: int, refund_id: str) -> None:
    """Any order → REFUNDED: sold numbers become void, held ones go back to the pool.

    Idempotent. Cash and cheque orders are marked refunded with an empty
    refund id: the association reimburses them by hand.
    """
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status == Order.Status.REFUNDED:
            return
        Ticket.objects.filter(order=order, status=Ticket.Status.SOLD).update(
            status=Ticket.Status.VOID
        )
        Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).update(
            status=Ticket.Status.AVAILABLE, order=None
        )
        order.status = Order.Status.REFUNDED
        order.refunded_at = now
        if refund_id:
            order.stripe_refund_id = refund_id
        order.save(update_fields=["status", "refunded_at", "stripe_refund_id"])
