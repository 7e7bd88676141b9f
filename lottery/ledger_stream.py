"""The ledger written out of the database: two executors, one byte format.

The ledger's bytes are defined once, in `lottery.draw.core` and docs/draw-algorithm.md:
one 28-byte record per sold ticket, in number order, with the holder's pseudonym.
Two executors produce them from the database and must agree byte for byte
(tests/lottery/test_ledger_stream.py runs both on the same data):

- **portable** (`ledger_write_orm`, SQLite and any other database): the ORM reads the
  tickets in number order and `draw_core.ledger_write` formats and checks each record
  in Python. About 30 s for a million tickets from PostgreSQL.
- **PostgreSQL** (`ledger_write_postgres`): the pseudonyms are computed in Python once
  per holder (reading the lottery's orders sorted by holder, so one holder's orders
  come together and their pseudonym is computed once), loaded into a temporary table
  with `COPY … FROM STDIN`, then PostgreSQL joins them to the tickets, formats the
  records and streams them in number order with `COPY … TO STDOUT`, gathered in
  chunks of consecutive numbers; Python only checks the records' shape, hashes and
  writes them, a chunk at a time. Memory stays flat: a batch of orders and one
  chunk of the ledger at a time.

The pseudonyms must be the same whatever the executor, so both call
`holder_identity` and `HolderPseudonyms` here; `holder_pseudonym` is the one-off form
that "My tickets" uses.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Iterator

from django.db import connection, transaction

from .draw import core as draw_core
from .models import Order, Ticket

ORDER_BATCH = 10_000  # orders read, given their pseudonym and loaded per round trip
CHUNK_NUMBERS = 32_768  # ticket numbers a ledger chunk spans: at most 896 KiB of records
HOLDERS_TABLE = "ledger_holder"  # temporary, dropped before the seal commits


def holder_identity(*, user_id: int | None, email: str, order_id: int | None) -> str:
    """Who holds a ticket, as the text its pseudonym is derived from.

    The buyer's account if any; else the email given at a cash sale (trimmed, lower
    case); else the order alone (a cash sale with no email is its own holder).
    """
    if user_id is not None:
        return f"user:{user_id}"
    if email.strip():
        return f"email:{email.strip().lower()}"
    return f"order:{order_id}"


class HolderPseudonyms:
    """Pseudonyms in one lottery's ledger: HMAC-SHA256 with the lottery's secret key.

    The key is set up once (HMAC's padded key hashed once) and copied per holder,
    which gives the same digest as a fresh HMAC at a fraction of its cost.
    """

    def __init__(self, holder_key: str) -> None:
        self._mac = hmac.new(bytes.fromhex(holder_key), digestmod=hashlib.sha256)

    def of(self, identity: str) -> str:
        mac = self._mac.copy()
        mac.update(identity.encode())
        return mac.hexdigest()[: draw_core.HOLDER_HEX]


def holder_pseudonym(
    *, holder_key: str, user_id: int | None, email: str, order_id: int | None
) -> str:
    """A holder's id in one lottery's ledger: stable for them, meaningless to others.

    HMAC with a per-lottery secret key: the same person has the same id on all
    their tickets of one lottery and unrelated ids across lotteries.
    """
    identity = holder_identity(user_id=user_id, email=email, order_id=order_id)
    return HolderPseudonyms(holder_key).of(identity)


# Portable executor


def ledger_rows(*, lottery_id: int, holder_key: str) -> Iterator[tuple[int, str]]:
    """(number, pseudonym) of the sold tickets in number order, through the ORM."""
    pseudonyms = HolderPseudonyms(holder_key)
    tickets = (
        Ticket.objects.filter(lottery_id=lottery_id, status=Ticket.Status.SOLD)
        .order_by("number")
        .values_list("number", "order_id", "order__buyer_id", "order__buyer_email")
    )
    by_order: dict[int | None, str] = {}
    by_identity: dict[str, str] = {}
    for number, order_id, buyer_id, email in tickets.iterator(chunk_size=10000):
        holder = by_order.get(order_id)
        if holder is None:
            identity = holder_identity(user_id=buyer_id, email=email or "", order_id=order_id)
            holder = by_identity.get(identity)
            if holder is None:
                holder = by_identity[identity] = pseudonyms.of(identity)
            by_order[order_id] = holder
        yield number, holder


def ledger_write_orm(
    *, lottery_id: int, holder_key: str, out: io.RawIOBase | io.BufferedIOBase
) -> str:
    """Write the lottery's ledger to `out` through the ORM; return its SHA-256 (hex)."""
    return draw_core.ledger_write(ledger_rows(lottery_id=lottery_id, holder_key=holder_key), out)


# PostgreSQL executor


def _holders_load(cursor, *, lottery_id: int, pseudonyms: HolderPseudonyms) -> None:
    """Fill the temporary table: one row (order, pseudonym) per order of the lottery.

    Every order of the lottery gets a row, sold tickets or not: a superset costs a
    few rows and needs no second pass over the tickets. Sorted by buyer, then email,
    one holder's orders are consecutive, so the HMAC runs once per holder (an email
    written in two cases only costs a second, identical, HMAC).
    """
    orders = (
        Order.objects.filter(lottery_id=lottery_id)
        .order_by("buyer_id", "buyer_email", "pk")
        .values_list("pk", "buyer_id", "buyer_email")
    )
    last_identity = None
    holder = ""
    lines: list[str] = []

    def load() -> None:
        with cursor.copy(f"COPY pg_temp.{HOLDERS_TABLE} (order_id, holder) FROM STDIN") as copy:
            copy.write("".join(lines).encode("ascii"))
        lines.clear()

    for order_id, buyer_id, email in orders.iterator(chunk_size=ORDER_BATCH):
        identity = holder_identity(user_id=buyer_id, email=email or "", order_id=order_id)
        if identity != last_identity:
            holder = pseudonyms.of(identity)
            last_identity = identity
        lines.append(f"{order_id}\t{holder}\n")
        if len(lines) >= ORDER_BATCH:
            load()
    if lines:
        load()


def ledger_write_postgres(
    *, lottery_id: int, holder_key: str, out: io.RawIOBase | io.BufferedIOBase
) -> str:
    """Write the lottery's ledger to `out`, formatted by PostgreSQL; return its SHA-256.

    Same bytes as `ledger_write_orm`. PostgreSQL joins each sold ticket to its
    holder's pseudonym, formats its record and gathers the records in chunks of
    consecutive numbers, each in number order, the chunks in order: a few dozen
    rows cross to Python for a million tickets, instead of one per ticket.

    Checks: each chunk has the size of its count of records and their shape (a
    ticket whose order has no pseudonym gives a record of the wrong shape, never a
    wrong record); numbers strictly increase because they are sorted under the
    unique (lottery, number) constraint; ticket numbers are PostgreSQL integers, at
    most 10 digits, so `lpad` never truncates one. Runs in a transaction of its own
    or a savepoint of the caller's (the seal holds the lottery row lock, so no order
    changes between the two statements).
    """
    pseudonyms = HolderPseudonyms(holder_key)
    # A sold ticket without an order (its order deleted) has the pseudonym the
    # portable executor gives it.
    orphan = pseudonyms.of(holder_identity(user_id=None, email="", order_id=None))
    digest = hashlib.sha256()
    query = f"""COPY (
        SELECT count(*), string_agg(
            lpad(t.number::text, 10, '0') || ' ' ||
            CASE WHEN t.order_id IS NULL THEN %s ELSE coalesce(h.holder, '?') END || E'\\n',
            '' ORDER BY t.number)
        FROM {Ticket._meta.db_table} t
        LEFT JOIN pg_temp.{HOLDERS_TABLE} h ON h.order_id = t.order_id
        WHERE t.lottery_id = %s AND t.status = %s
        GROUP BY t.number / %s
        ORDER BY t.number / %s
    ) TO STDOUT (FORMAT BINARY)"""  # noqa: S608 (names from the model and this module, values bound)
    params = [orphan, lottery_id, Ticket.Status.SOLD.value, CHUNK_NUMBERS, CHUNK_NUMBERS]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {HOLDERS_TABLE} "
            "(order_id bigint NOT NULL, holder text NOT NULL) ON COMMIT DROP"
        )
        _holders_load(cursor, lottery_id=lottery_id, pseudonyms=pseudonyms)
        cursor.execute(f"ANALYZE pg_temp.{HOLDERS_TABLE}")  # so the join is planned for its size
        first = True
        # The raw psycopg cursor: Django's debug wrapper (DEBUG on) takes no parameters.
        with cursor.cursor.copy(query, params) as copy:
            copy.set_types(["int8", "text"])
            for count, text in copy.rows():
                chunk = text.encode("ascii")
                if draw_core.ledger_chunk_check(chunk) != count:
                    raise draw_core.DrawInputError("malformed ledger record")
                if first and int(chunk[: draw_core.NUMBER_DIGITS]) < 1:
                    raise draw_core.DrawInputError("ticket number out of range: 0")
                first = False
                digest.update(chunk)
                out.write(chunk)
        cursor.execute(f"DROP TABLE pg_temp.{HOLDERS_TABLE}")
    return digest.hexdigest()


def ledger_file_write(
    *, lottery_id: int, holder_key: str, out: io.RawIOBase | io.BufferedIOBase
) -> str:
    """Write the lottery's ledger to `out` with the executor of this database."""
    if connection.vendor == "postgresql":
        return ledger_write_postgres(lottery_id=lottery_id, holder_key=holder_key, out=out)
    return ledger_write_orm(lottery_id=lottery_id, holder_key=holder_key, out=out)
