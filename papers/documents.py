"""The lottery's papers as documents: the pre-filled request and the financial report.

`request_pdf` gives every item form cerfa 11823*03 asks for, in its order; `report_pdf`
and `report_xlsx` the money after the draw, from the same rows (`_money_rows`).

PDFs use reportlab's platypus (pages flow, texts wrap) in Helvetica, like the draw
certificate: WinAnsi prints French accents and "€", not the narrow spaces of French
numbers (printed as plain spaces). Times are Paris time; amounts stay integer cents
until written. Always in the site's language (French).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Sum
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from assosolos.money import money_text
from lottery.exports import DATETIME_FORMAT, EURO_FORMAT
from lottery.models import Lottery, Order, Prize
from lottery.selectors.money import lottery_online_money

from .models import CostLine, FundUse, LotteryRequest
from .selectors import Funds, Papers, lottery_fund_uses, lottery_funds

PARIS = ZoneInfo("Europe/Paris")
PDF_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})  # not in the base-14 fonts
DATE_FORMAT = "dd/mm/yyyy"
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN  # 174 mm
LABEL_WIDTH = 58 * mm
TEXT, CENTS, DAY, MOMENT = "text", "cents", "day", "moment"


# --- Values as printed -----------------------------------------------------------------


def _language():
    return translation.override(settings.LANGUAGE_CODE)


def _euros(cents: int) -> str:
    return money_text(cents).translate(PDF_SPACES)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _given(value: str | None) -> str:
    return value.strip() if value and value.strip() else _("not given")


def _day(value: date | None) -> str:
    return formats.date_format(value, "j F Y") if value else _("not given")


def _moment(value: datetime | None) -> str:
    """A moment in Paris time, to the minute."""
    if value is None:
        return _("not given")
    when = formats.date_format(value.astimezone(PARIS), "j F Y, H:i")
    return _("%(when)s (Paris time)") % {"when": when}


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL.rstrip("/") + url


# --- PDF building blocks ---------------------------------------------------------------


BOLD = {"fontName": "Helvetica-Bold"}
NOTICE = {"borderColor": colors.grey, "borderWidth": 0.5, "borderPadding": 5, **BOLD}
PAGE = {"pagesize": A4, "leftMargin": MARGIN, "rightMargin": MARGIN, "author": "Assosolos"}


def _styles() -> dict[str, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=sheet["BodyText"], fontSize=9, leading=11.5)
    shapes = {
        "title": (sheet["Title"], {"fontSize": 16, "spaceAfter": 4}),
        "h2": (sheet["Heading2"], {"fontSize": 12, "spaceAfter": 4}),
        "h3": (sheet["Heading3"], {"fontSize": 10.5, "spaceBefore": 9, "spaceAfter": 3}),
        "bold": (body, BOLD),
        "notice": (body, {**NOTICE, "backColor": colors.whitesmoke, "spaceAfter": 10}),
        "warning": (body, {**BOLD, "textColor": colors.HexColor("#9a2a00")}),
    }
    styles = {name: ParagraphStyle(name, parent=p, **kw) for name, (p, kw) in shapes.items()}
    return {"body": body, **styles}


def _para(text: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """Text as it was typed: escaped, its line breaks kept; long lines wrap."""
    safe = escape(str(text).translate(PDF_SPACES)).replace("\n", "<br/>")
    return Paragraph(safe, style, **kwargs)


def _facts(rows: list[tuple[str, str]], s: dict[str, ParagraphStyle]) -> Table:
    """Label and value, one row each."""
    cells = [[_para(label, s["bold"]), _para(value, s["body"])] for label, value in rows]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2)]
    style.append(("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey))
    widths = [LABEL_WIDTH, WIDTH - LABEL_WIDTH]
    return Table(cells, colWidths=widths, style=style, splitInRow=1)  # long texts flow on


def _grid(head: list[str], rows: list[list], widths: list, s: dict, wrap: set, strong=()) -> Table:
    """A ruled table: the `wrap` columns wrap; the others (amounts) are right-aligned."""
    cells: list[list[Any]] = [list(head)]
    for index, row in enumerate(rows):
        style = s["bold"] if index in strong else s["body"]
        cells.append([_para(v, style) if c in wrap else v for c, v in enumerate(row)])
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    commands += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in range(len(head)) if c not in wrap]
    commands += [("FONTNAME", (0, i + 1), (-1, i + 1), "Helvetica-Bold") for i in strong]
    widths = [w * mm for w in widths]
    return Table(cells, colWidths=widths, repeatRows=1, style=commands, splitInRow=1)


def _amounts(rows: list[tuple[str, int, bool]], s: dict) -> Table:
    """(label, cents, is a total) rows, as a table of two columns."""
    strong = {i for i, row in enumerate(rows) if row[2]}
    cells = [[label, _euros(cents)] for label, cents, _total in rows]
    return _grid([_("Item"), _("Amount")], cells, [138, 36], s, {0}, strong)


def _signature(s: dict) -> list[Any]:
    head = [_("For the association: name and capacity"), _("Date"), _("Signature")]
    return [Spacer(1, 6 * mm), _grid(head, [["\n\n\n", "", ""]], [85, 35, 54], s, set())]


def _pdf(story: list[Any], *, title: str, subject: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, title=title, topMargin=14 * mm, bottomMargin=16 * mm, **PAGE)
    footer = f"{title} · {subject}".translate(PDF_SPACES)[:110]

    def page(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 9 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, _("Page %(number)s") % {"number": doc.page})
        canvas.restoreState()

    doc.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


# --- The authorisation request (cerfa 11823*03) ------------------------------------------


def _request(papers: Papers) -> LotteryRequest:
    """The request's details, or blank ones (an unsaved row) when none were entered."""
    return papers.request or LotteryRequest(lottery=papers.lottery, cause="", funds_use="")


def _organiser_rows(papers: Papers) -> list[tuple[str, str]]:
    a, r = papers.lottery.association, _request(papers)
    return [
        (_("Name of the association"), a.name),
        (_("Registered office"), _given(a.address)),
        (_("Postcode and commune"), f"{a.postcode} {a.commune}"),
        (_("RNA number"), _given(a.rna_number)),
        (_("SIREN"), _given(a.siren)),
        (_("Contact email"), _given(a.contact_email)),
        (_("Purpose of the association"), _given(a.purpose)),
        (_("Public-utility recognition: decree number"), _given(r.public_utility_decree)),
        (_("Public-utility recognition: date"), _day(r.public_utility_date)),
        (_("Public subsidies received"), _given(r.subsidies)),
    ]


def _lottery_rows(papers: Papers) -> list[tuple[str, str]]:
    lottery, r = papers.lottery, _request(papers)
    price, tickets = _euros(lottery.ticket_price_cents), _number(lottery.ticket_cap)
    figures = {"capital": _euros(papers.capital_cents), "tickets": tickets, "price": price}
    capital = _("%(capital)s (%(tickets)s tickets at %(price)s)") % figures
    start, end = _moment(lottery.sales_open_at), _moment(lottery.sales_close_at)
    period = _("from %(start)s to %(end)s") % {"start": start, "end": end}
    places = [r.sales_places.strip()] if r.sales_places.strip() else []
    places.append(_("Online, on %(site)s") % {"site": _absolute(lottery.get_absolute_url())})
    return [
        (_("Purpose of the lottery"), _given(r.get_cause_display())),
        (_("Precise use of the funds"), _given(r.funds_use)),
        (_("Number of tickets"), tickets),
        (_("Ticket price"), price),
        (_("Issue capital"), capital),
        (_("Sales period"), period),
        (_("Places of sale"), "\n".join(places)),
        (_("Date of the draw"), _moment(lottery.draw_at)),
        (_("Place of the draw"), _given(r.draw_place)),
    ]


def _prizes(papers: Papers, s: dict) -> list[Any]:
    prizes = list(Prize.objects.filter(lottery=papers.lottery).order_by("rank", "pk"))
    if not prizes:
        return [_para(_("No prize recorded yet."), s["body"])]
    rows = [
        [str(p.rank), p.name, _number(p.quantity), _euros(p.value_cents)]
        + [_euros(p.value_cents * p.quantity)]
        for p in prizes
    ]
    total = sum(p.value_cents * p.quantity for p in prizes)
    rows.append(["", _("Total value of the prizes"), "", "", _euros(total)])
    head = [_("Rank"), _("Prize"), _("Quantity"), _("Unit value"), _("Value")]
    return [_grid(head, rows, [14, 84, 20, 28, 28], s, {1}, {len(rows) - 1})]


def _costs(papers: Papers, s: dict) -> list[Any]:
    costs, limit = papers.costs, _euros(papers.costs_limit_cents)
    rows = [[c.get_kind_display(), c.label, _euros(c.amount_cents)] for c in papers.cost_lines]
    rows += [
        [_("Payment fees"), _("Stripe fees"), _euros(costs.stripe_fees_cents)],
        [_("Payment fees"), _("Platform fee"), _euros(costs.platform_fees_cents)],
        ["", _("Total organisation costs"), _euros(costs.total_cents)],
    ]
    share = [
        (_("Share of the issue capital"), f"{papers.costs_percent} %"),
        (_("Legal limit (15 % of the issue capital)"), limit),
    ]
    head = [_("Kind"), _("Label"), _("Amount")]
    story = [_grid(head, rows, [40, 98, 36], s, {0, 1}, {len(rows) - 1}), Spacer(1, 2 * mm)]
    story.append(_facts(share, s))
    if not papers.costs_over:
        return [*story, _para(_("Within the limit of 15 % of the issue capital."), s["body"])]
    over = _(
        "The organisation costs come to %(costs)s, %(percent)s %% of the issue capital: "
        "above the 15 %% the law allows (%(limit)s at most)."
    ) % {"costs": _euros(costs.total_cents), "percent": papers.costs_percent, "limit": limit}
    return [*story, _para(over, s["warning"])]


def _attachments(papers: Papers, s: dict) -> list[Any]:
    items = [_("The association's statutes (for a first request)."), _("The rules of the lottery.")]
    if papers.accounts_required:
        items.append(
            _("The accounts of the last financial year: the issue capital is above 7 500 €.")
        )
    story: list[Any] = [_para(item, s["body"], bulletText="•") for item in items]
    if papers.finance_office:
        office = _(
            "Above 30 000 €, the mayor first asks the opinion of the public finance office "
            "(DDFiP or DRFiP): file the request two months ahead rather than one."
        )
        story.append(_para(office, s["warning"]))
    return story


def request_pdf(*, papers: Papers) -> bytes:
    """The pre-filled authorisation request, addressed to the mayor of the seat's commune."""
    with _language():
        lottery, s = papers.lottery, _styles()
        title = _("Request for authorisation of a lottery")
        notice = _(
            "This document is a pre-filled summary of the request, to attach to the "
            "official form cerfa 11823*03 or to copy into it. It is not the form itself."
        )
        if papers.finance_office:
            when = _("At least two months before sales open (the public finance office is asked).")
        else:
            when = _("At least one month before sales open.")
        rows = _lottery_rows(papers)
        sections = [
            (_("1. The organiser"), [_facts(_organiser_rows(papers), s)]),
            (_("2. The purpose of the lottery"), [_facts(rows[:2], s)]),
            (_("3. The tickets and the issue capital"), [_facts(rows[2:5], s)]),
            (_("4. The sales"), [_facts(rows[5:7], s)]),
            (_("5. The draw"), [_facts(rows[7:], s)]),
            (_("6. The prizes"), _prizes(papers, s)),
            (_("7. The organisation costs"), _costs(papers, s)),
            (_("8. Documents to attach"), _attachments(papers, s)),
            (
                _("9. Filing deadline"),
                [_facts([(_("File the request by"), _day(papers.deadline)), ("", when)], s)],
            ),
        ]
        commune = _("To the mayor of %(commune)s") % {"commune": lottery.association.commune}
        story: list[Any] = [_para(title, s["title"]), _para(commune, s["h2"])]
        story += [_para(notice, s["notice"]), _para(lottery.title, s["h2"])]
        for heading, flowables in sections:
            story += [_para(heading, s["h3"]), *flowables]
        return _pdf(story + _signature(s), title=title, subject=lottery.title)


# --- The financial report ----------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    lottery: Lottery
    funds: Funds
    by_channel: dict[str, int]  # what was taken, by channel
    cost_lines: list[CostLine]
    uses: list[FundUse]
    declared_use: str
    provisional: str  # why the fees may still change, if they may


def report_facts(*, lottery: Lottery) -> Report:
    """The report's figures, read once: both documents lay out these."""
    taken = Order.objects.filter(
        lottery=lottery, status__in=(Order.Status.PAID, Order.Status.REFUNDED)
    )
    channels = taken.values("channel").annotate(total=Sum("amount_cents")).order_by()
    request = LotteryRequest.objects.filter(lottery=lottery).first()
    unknown = lottery_online_money(lottery_id=lottery.pk).fees_unknown
    provisional = _(
        "Stripe has not yet reported the fees of %(count)s payments: the costs and the net "
        "amount are provisional."
    )
    return Report(
        lottery=lottery,
        funds=lottery_funds(lottery=lottery),
        by_channel={row["channel"]: row["total"] or 0 for row in channels},
        cost_lines=list(CostLine.objects.filter(lottery=lottery)),
        uses=lottery_fund_uses(lottery=lottery),
        declared_use=_given(request.funds_use if request else ""),
        provisional=provisional % {"count": unknown} if unknown else "",
    )


def _money_rows(report: Report) -> list[tuple[str, int, bool]]:
    """(label, cents, is a total): the money, the same rows in the PDF and the spreadsheet."""
    f = report.funds
    rows = [
        (_("Sales online (card payments)"), f.online_cents, False),
        (_("Sales in cash"), report.by_channel.get(Order.Channel.CASH, 0), False),
        (_("Sales by cheque"), report.by_channel.get(Order.Channel.CHEQUE, 0), False),
        (_("Sales offline (cash and cheque)"), f.offline_cents, False),
        (_("Total sales"), f.raised_cents, True),
        (_("Refunds (partial ones included)"), f.refunded_cents, False),
        (_("Stripe fees"), f.costs.stripe_fees_cents, False),
        (_("Platform fee"), f.costs.platform_fees_cents, False),
    ]
    for line in report.cost_lines:
        label = {"label": line.label, "kind": line.get_kind_display()}
        rows.append((_("Other cost: %(label)s (%(kind)s)") % label, line.amount_cents, False))
    rows.append((_("Total costs"), f.costs.total_cents, True))
    return [*rows, (_("Net amount for the cause"), f.net_cents, True)]


def _use_rows(report: Report) -> list[tuple[str, int, bool]]:
    return [
        (_("Total of the recorded uses"), report.funds.used_cents, True),
        (_("Unspent"), report.funds.unspent_cents, True),
    ]


def _head_rows(report: Report) -> list[tuple[str, str, Any, str]]:
    """(section, label, value, kind): who, the authorisation and the dates."""
    lottery, a = report.lottery, report.lottery.association
    who, auth, dates = _("Organiser"), _("Authorisation"), _("Dates")
    return [
        (who, _("Name of the association"), a.name, TEXT),
        (who, _("Registered office"), f"{a.address}, {a.postcode} {a.commune}", TEXT),
        (auth, _("Authorisation reference"), _given(lottery.authorisation_reference), TEXT),
        (auth, _("Authorisation date"), lottery.authorisation_date, DAY),
        (auth, _("Authorising commune"), _given(lottery.authorisation_commune), TEXT),
        (dates, _("Sales opened"), lottery.sales_open_at, MOMENT),
        (dates, _("Sales closed"), lottery.sales_close_at, MOMENT),
        (dates, _("Date of the draw"), lottery.draw_at, MOMENT),
    ]


def report_pdf(*, lottery: Lottery) -> bytes:
    """The financial report after the draw, as a PDF."""
    with _language():
        report, s = report_facts(lottery=lottery), _styles()
        title = _("Financial report of the lottery")
        story: list[Any] = [_para(title, s["title"]), _para(lottery.title, s["h2"])]
        printed = {DAY: _day, MOMENT: _moment, TEXT: str}
        for section, group in groupby(_head_rows(report), key=lambda head: head[0]):
            rows = [(label, printed[kind](value)) for _s, label, value, kind in group]
            story += [_para(section, s["h3"]), _facts(rows, s)]
        story += [_para(_("The money"), s["h3"]), _amounts(_money_rows(report), s)]
        if report.provisional:
            story.append(_para(report.provisional, s["warning"]))
        story += [
            _para(_("Declared use of the funds"), s["h3"]),
            _para(report.declared_use, s["body"]),
            _para(_("Uses of the funds recorded"), s["h3"]),
        ]
        if report.uses:
            uses = [
                [_day(u.used_on), u.beneficiary, _given(u.description), _euros(u.amount_cents)]
                for u in report.uses
            ]
            head = [_("Date"), _("Beneficiary"), _("What it paid for"), _("Amount")]
            story.append(_grid(head, uses, [30, 48, 60, 36], s, {0, 1, 2}))
        else:
            story.append(_para(_("No use of the funds recorded yet."), s["body"]))
        story += [Spacer(1, 2 * mm), _amounts(_use_rows(report), s), *_signature(s)]
        return _pdf(story, title=title, subject=lottery.title)


# --- The financial report as a spreadsheet ------------------------------------------------


def _cell(sheet, row: int, column: int, value: Any, kind: str = TEXT, *, bold: bool = False):
    """One typed cell: euros as numbers, dates as dates, text as text (never a formula)."""
    if kind == CENTS:
        cell = sheet.cell(row=row, column=column, value=Decimal(value) / 100)
        cell.number_format = EURO_FORMAT
    elif kind in (DAY, MOMENT) and value is not None:
        if kind == MOMENT:
            value = value.astimezone(PARIS).replace(tzinfo=None)
        cell = sheet.cell(row=row, column=column, value=value)
        cell.number_format = DATETIME_FORMAT if kind == MOMENT else DATE_FORMAT
        cell.alignment = Alignment(horizontal="left")
    else:
        text = _("not given") if value is None else str(value)
        cell = sheet.cell(row=row, column=column, value=text)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    return cell


def _report_sheet(sheet, report: Report) -> None:
    """Label and value, a section at a time; headings in bold, totals too."""
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 52, 60
    lines: list[Any] = [(_("Financial report of the lottery"), report.lottery.title, TEXT, True)]
    for section, group in groupby(_head_rows(report), key=lambda head: head[0]):
        lines += [None, (section, None, None, True)]
        lines += [(label, value, kind, False) for _s, label, value, kind in group]
    lines += [None, (_("The money"), None, None, True)]
    lines += [(label, cents, CENTS, total) for label, cents, total in _money_rows(report)]
    lines += [None, (_("Use of the funds"), None, None, True)]
    lines.append((_("Declared use of the funds"), report.declared_use, TEXT, False))
    lines += [(label, cents, CENTS, total) for label, cents, total in _use_rows(report)]
    if report.provisional:
        lines += [None, (report.provisional, None, None, False)]
    for row, line in enumerate(lines, start=1):
        if line is not None:
            label, value, kind, bold = line
            _cell(sheet, row, 1, label, bold=bold)
            if kind is not None:
                _cell(sheet, row, 2, value, kind, bold=bold)


def _uses_sheet(sheet, report: Report) -> None:
    header = [_("Date"), _("Beneficiary"), _("What it paid for"), _("Amount (€)")]
    for column, (title, width) in enumerate(zip(header, (12, 32, 44, 14), strict=True), start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
        _cell(sheet, 1, column, title, bold=True)
    sheet.freeze_panes = "A2"
    row = 2
    for use in report.uses:
        _cell(sheet, row, 1, use.used_on, DAY)
        _cell(sheet, row, 2, use.beneficiary)
        _cell(sheet, row, 3, use.description)
        _cell(sheet, row, 4, use.amount_cents, CENTS)
        row += 1
    _cell(sheet, row, 3, _("Total"), bold=True)
    _cell(sheet, row, 4, report.funds.used_cents, CENTS, bold=True)


def report_xlsx(*, lottery: Lottery) -> bytes:
    """The financial report as a workbook: the summary, then the uses of the funds."""
    with _language():
        report = report_facts(lottery=lottery)
        workbook = Workbook()
        summary = workbook.active
        summary.title = pgettext("spreadsheet sheet", "Report")[:31]
        _report_sheet(summary, report)
        _uses_sheet(workbook.create_sheet(pgettext("spreadsheet sheet", "Uses")[:31]), report)
        out = io.BytesIO()
        workbook.save(out)
    return out.getvalue()
