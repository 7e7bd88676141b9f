"""Exports of a lottery's orders and tickets for a French spreadsheet: .xlsx and CSV.

One table per export (French headers, typed values), written two ways:

- .xlsx with openpyxl: amounts are numbers in euros with a euro format, dates are
  dates (Europe/Paris) with a French date format, text is stored as text, never
  as a formula;
- CSV in the dialect French spreadsheets open without an import dialog: semicolons,
  UTF-8 with a byte-order mark, decimal comma, dd/mm/yyyy dates; text that a
  spreadsheet would run as a formula is prefixed with an apostrophe.

Amounts stay integer cents until a cell is written: `Decimal(cents) / 100` is exact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from assosolos.money import money_plain

from . import selectors
from .models import Lottery, Order, Ticket

PARIS = ZoneInfo("Europe/Paris")
EURO_FORMAT = '#,##0.00\\ "€"'
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 500

TEXT, INTEGER, CENTS, DATETIME = "text", "integer", "cents", "datetime"
# What a spreadsheet reads as the start of a formula (OWASP's list, with tab and CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 14


@dataclass
class Table:
    title: str
    filename: str
    columns: list[Column]
    rows: Iterable[list]


# --- What is exported ----------------------------------------------------------------


def _export_language():
    """Exports are for the association's books: always in the site's language (French)."""
    return translation.override(settings.LANGUAGE_CODE)


def orders_table(*, lottery: Lottery) -> Table:
    with _export_language():
        columns = [
            Column(_("Order no."), INTEGER, 10),
            Column(_("Date"), DATETIME, 17),
            Column(_("Channel"), TEXT, 11),
            Column(_("Status"), TEXT, 13),
            Column(_("Buyer's name"), TEXT, 24),
            Column(_("Buyer's email"), TEXT, 28),
            Column(_("Number of tickets"), INTEGER, 10),
            Column(_("Amount (€)"), CENTS, 12),
            Column(_("Receipt number"), TEXT, 14),
            Column(_("Paid at"), DATETIME, 17),
            Column(_("Refunded at"), DATETIME, 17),
            Column(_("Ticket numbers"), TEXT, 24),
            Column(_("Stripe payment"), TEXT, 30),
        ]

    def rows() -> Iterator[list]:
        orders = selectors.lottery_orders(lottery=lottery)
        last_pk = 0
        while True:
            chunk = list(orders.filter(pk__gt=last_pk).order_by("pk")[:CHUNK])
            if not chunk:
                return
            last_pk = chunk[-1].pk
            numbers = selectors.ticket_numbers(orders=chunk)
            with _export_language():
                for o in chunk:
                    yield [
                        o.pk,
                        o.created_at,
                        o.get_channel_display(),
                        o.get_status_display(),
                        o.buyer_name,
                        o.buyer_email,
                        o.quantity,
                        o.amount_cents,
                        o.receipt_number,
                        o.paid_at,
                        o.refunded_at,
                        " ".join(str(n) for n in numbers[o.pk]),
                        o.stripe_payment_intent_id or "",
                    ]

    with _export_language():
        title = _("Orders")
    return Table(title, f"{lottery.slug}-commandes", columns, rows())


def _ticket_status(status: str) -> str:
    """One ticket's status ("Sold" alone is the dashboard's plural heading)."""
    labels = {
        Ticket.Status.SOLD: pgettext("one ticket", "Sold"),
        Ticket.Status.RESERVED: pgettext("one ticket", "Held"),
        Ticket.Status.VOID: pgettext("one ticket", "Void"),
    }
    return labels.get(status, status)


def tickets_table(*, lottery: Lottery) -> Table:
    with _export_language():
        columns = [
            Column(_("Ticket no."), INTEGER, 10),
            Column(_("Status"), TEXT, 12),
            Column(_("Order no."), INTEGER, 10),
            Column(_("Channel"), TEXT, 11),
            Column(_("Buyer's name"), TEXT, 24),
            Column(_("Buyer's email"), TEXT, 28),
            Column(_("Sold at"), DATETIME, 17),
        ]

    def rows() -> Iterator[list]:
        tickets = (
            Ticket.objects.filter(lottery=lottery)
            .exclude(status=Ticket.Status.AVAILABLE)
            .select_related("order")
            .order_by("number")
        )
        with _export_language():
            for t in tickets.iterator(chunk_size=1000):
                order: Order | None = t.order
                yield [
                    t.number,
                    _ticket_status(t.status),
                    order.pk if order else None,
                    order.get_channel_display() if order else "",
                    order.buyer_name if order else "",
                    order.buyer_email if order else "",
                    t.sold_at,
                ]

    with _export_language():
        title = _("Tickets")
    return Table(title, f"{lottery.slug}-billets", columns, rows())


# --- Cell values ---------------------------------------------------------------------


def _paris(value: datetime | None) -> datetime | None:
    """A spreadsheet date has no time zone: the wall-clock time in Paris."""
    if value is None:
        return None
    return value.astimezone(PARIS).replace(tzinfo=None)


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def text_safe(value: object) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- .xlsx ---------------------------------------------------------------------------


def table_xlsx(table: Table) -> bytes:
    """The table as an .xlsx workbook of one sheet, header row frozen."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    for index, column in enumerate(table.columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(
            [
                _xlsx_cell(sheet, column, value)
                for column, value in zip(table.columns, row, strict=True)
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, column: Column, value: object) -> WriteOnlyCell:
    if column.kind == CENTS:
        cell = WriteOnlyCell(sheet, value=_euros(value))
        cell.number_format = EURO_FORMAT
    elif column.kind == DATETIME:
        cell = WriteOnlyCell(sheet, value=_paris(value))
        cell.number_format = DATETIME_FORMAT
    elif column.kind == INTEGER:
        cell = WriteOnlyCell(sheet, value=value)
    else:
        cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
        # Stored as a string, never a formula, whatever it starts with.
        cell.data_type = "s"
    return cell


# --- CSV -----------------------------------------------------------------------------


class FrenchCSV(csv.excel):
    """What a French spreadsheet opens without asking: semicolons, CRLF, minimal quoting."""

    delimiter = ";"


def _csv_value(column: Column, value: object) -> str:
    if value is None:
        return ""
    if column.kind == CENTS:
        return money_plain(value)
    if column.kind == DATETIME:
        return _paris(value).strftime("%d/%m/%Y %H:%M")
    if column.kind == INTEGER:
        return str(value)
    return text_safe(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def table_csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV text, line by line, starting with the UTF-8 byte-order mark."""
    writer = csv.writer(_Echo(), dialect=FrenchCSV)
    yield "\ufeff"
    yield writer.writerow([text_safe(column.header) for column in table.columns])
    for row in table.rows:
        yield writer.writerow(
            [_csv_value(column, value) for column, value in zip(table.columns, row, strict=True)]
        )
