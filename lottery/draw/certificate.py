"""The procès-verbal de tirage: a PDF certificate of a draw, made with reportlab.

Made once, when the draw is written, and stored with its SHA-256. Everything a
town hall asks for is on it: the organiser, the authorisation, the issue and the
money collected, the prizes and their values, the winners, how the draw was
decided and where to check it, and an attestation block.

Times are printed in Paris time with the zone written, as the result page shows
them. `invariant` keeps reportlab from stamping a random id into the file; the
creation date is then set to the moment of the draw, so the same draw always
gives the same bytes and the date in the file is the true one.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assosolos.money import money_text

from ..models import DrawResult, Lottery, Order, Prize
from .selectors import draw_record_bytes

PARIS = ZoneInfo("Europe/Paris")
PDF_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})  # not in the base-14 fonts


def paris_time(value: datetime) -> str:
    """A moment in Paris time, the zone and its offset written out."""
    local = value.astimezone(PARIS)
    offset = local.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    when = formats.date_format(local, "j F Y, H:i:s")
    return _("%(when)s (Paris time, UTC+%(hours)02d:00)") % {"when": when, "hours": hours}


def pdf_day(value: date | None) -> str:
    return formats.date_format(value, "j F Y") if value else _("not given")


def pdf_euros(cents: int) -> str:
    return money_text(cents).translate(PDF_SPACES)


def _split(value: str, size: int = 64) -> str:
    """Long hex values on several lines, so they fit the page."""
    return "<br/>".join(escape(value[i : i + size]) for i in range(0, len(value), size))


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _representative(lottery: Lottery) -> str:
    """The association's owner stands as its legal representative on the platform."""
    membership = lottery.association.memberships.filter(role="owner").select_related("user").first()
    if membership is None:
        return _("not given")
    return membership.user.get_full_name() or str(membership.user)


def pdf_qr(url: str, size: float = 32 * mm) -> Drawing:
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def pdf_facts_table(rows: list[tuple[str, str]], body, mono_keys: set[str], mono) -> Table:
    cells = [
        [
            Paragraph(escape(k), body),
            Paragraph(_split(v), mono) if k in mono_keys else Paragraph(escape(v), body),
        ]
        for k, v in rows
    ]
    table = Table(cells, colWidths=[58 * mm, 117 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _grid(rows: list[list[Any]], widths: list[float]) -> Table:
    grid = Table(rows, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return grid


def certificate_facts(*, lottery: Lottery, result: DrawResult) -> dict[str, Any]:
    """What the certificate states, gathered once: the PDF only lays it out."""
    record = result.record
    association = lottery.association
    prizes = list(Prize.objects.filter(lottery=lottery).order_by("rank", "pk"))
    collected = (
        Order.objects.filter(lottery=lottery, status=Order.Status.PAID).aggregate(
            total=Sum("amount_cents")
        )["total"]
        or 0
    )
    slots = [p for p in prizes for _i in range(p.quantity)]
    slug = lottery.slug
    return {
        "record": record,
        "association": association,
        "representative": _representative(lottery),
        "prizes": prizes,
        "unawarded": [slots[s] for s in record.get("unawarded_slots", []) if s < len(slots)],
        "collected_cents": collected,
        "record_sha256": hashlib.sha256(draw_record_bytes(result=result)).hexdigest(),
        "result_url": _absolute(reverse("lottery:draw_result", args=[slug])),
        "record_url": _absolute(reverse("lottery:draw_record", args=[slug])),
        "ledger_url": _absolute(reverse("lottery:draw_ledger", args=[slug])),
        "verifier_url": _absolute(reverse("lottery:draw_verifier")),
    }


def _organiser_rows(lottery: Lottery, facts: dict[str, Any]) -> list[tuple[str, str]]:
    a = facts["association"]
    ids = ", ".join(
        v
        for v in (
            f"RNA {a.rna_number}" if a.rna_number else "",
            f"SIREN {a.siren}" if a.siren else "",
        )
        if v
    )
    return [
        (_("Organiser"), a.name),
        (_("Legal form"), a.get_legal_form_display() if a.legal_form else _("not given")),
        (_("Registered office"), f"{a.address}, {a.postcode} {a.commune}"),
        (_("Identifiers"), ids or _("not given")),
        (_("Legal representative"), facts["representative"]),
        (_("Purpose"), a.purpose),
    ]


def _authorisation_rows(lottery: Lottery, facts: dict[str, Any]) -> list[tuple[str, str]]:
    record = facts["record"]
    sold = int(record["ticket_count"])
    return [
        (_("Authorisation reference"), lottery.authorisation_reference or _("not given")),
        (_("Authorisation date"), pdf_day(lottery.authorisation_date)),
        (_("Authorising commune"), lottery.authorisation_commune or _("not given")),
        (
            _("Issued by"),
            _("the mayor of %(commune)s (commune of the registered office)")
            % {"commune": facts["association"].commune},
        ),
        (_("Tickets issued (authorised)"), str(lottery.ticket_cap)),
        (_("Ticket price"), pdf_euros(lottery.ticket_price_cents)),
        (_("Tickets sold (in the ledger)"), str(sold)),
        (_("Sum collected"), pdf_euros(facts["collected_cents"])),
        (_("Prize claim deadline"), pdf_day(lottery.claim_deadline)),
    ]


def _draw_rows(result: DrawResult, facts: dict[str, Any]) -> list[tuple[str, str]]:
    record = facts["record"]
    rows = [
        (_("Drawn at"), paris_time(result.drawn_at)),
        (_("Algorithm"), record["algorithm"]),
        (_("Commitment (SHA-256 of the seed)"), record["commitment"]),
        (
            _("Commitment published at"),
            paris_time(datetime.fromisoformat(record["committed_at"])),
        ),
        (_("Revealed seed"), record["seed"]),
        (_("Ledger sealed at"), paris_time(datetime.fromisoformat(record["sealed_at"]))),
        (_("Ledger SHA-256"), record["ledger_sha256"]),
        (_("draw.json SHA-256"), facts["record_sha256"]),
    ]
    if record.get("prizes_sha256"):
        rows.append((_("Prize list SHA-256 (bound at opening)"), record["prizes_sha256"]))
    beacon = record["beacon"]
    if beacon:
        rows += [
            (_("drand quicknet round"), str(beacon["round"])),
            (_("Beacon randomness"), beacon["randomness"]),
        ]
    else:
        rows.append(
            (
                _("Public randomness"),
                _(
                    "none. The winners follow from the platform's secret seed, committed "
                    "(by its SHA-256) when sales opened and revealed at the draw, and from "
                    "the sealed ledger. Anyone can check that the seed matches the commitment "
                    "and that the winners follow from it; but no outside randomness was mixed "
                    "in, so the fairness rests on the platform not knowing the ledger when it "
                    "chose the seed."
                ),
            )
        )
    return rows


MONO_KEYS_SOURCE = (
    "Commitment (SHA-256 of the seed)",
    "Revealed seed",
    "Ledger SHA-256",
    "draw.json SHA-256",
    "Prize list SHA-256 (bound at opening)",
    "Beacon randomness",
)


def _stamp_creation(canvas, doc, when: datetime) -> None:
    """The file's creation date is the moment of the draw, not reportlab's fixed 2000-01-01."""
    stamp = TimeStamp(invariant=1)
    t = when.timestamp()
    stamp.t = t
    stamp.lt = when.astimezone(ZoneInfo("UTC")).timetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    canvas._doc._timeStamp = stamp


def certificate_pdf(*, lottery: Lottery, result: DrawResult) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        facts = certificate_facts(lottery=lottery, result=result)
        record = facts["record"]
        styles = getSampleStyleSheet()
        body, mono, h2 = styles["BodyText"], styles["Code"], styles["Heading3"]
        body.fontSize, body.leading = 9, 11
        mono.fontSize, mono.leading = 7.5, 9
        mono_keys = {_(k) for k in MONO_KEYS_SOURCE}
        story: list[Any] = [
            Paragraph(escape(_("Draw certificate (procès-verbal de tirage)")), styles["Title"]),
            Paragraph(escape(lottery.title), styles["Heading2"]),
            Paragraph(escape(_("Organiser")), h2),
            pdf_facts_table(_organiser_rows(lottery, facts), body, set(), mono),
            Paragraph(escape(_("Authorisation, issue and money collected")), h2),
            pdf_facts_table(_authorisation_rows(lottery, facts), body, set(), mono),
            Paragraph(escape(_("Prizes")), h2),
        ]
        prize_rows: list[list[Any]] = [[_("Rank"), _("Prize"), _("Quantity"), _("Unit value")]]
        prize_rows += [
            [
                str(p.rank),
                Paragraph(escape(p.name), body),
                str(p.quantity),
                pdf_euros(p.value_cents),
            ]
            for p in facts["prizes"]
        ]
        total = sum(p.value_cents * p.quantity for p in facts["prizes"])
        prize_rows.append(["", _("Total value of the prizes"), "", pdf_euros(total)])
        story.append(_grid(prize_rows, [15 * mm, 105 * mm, 22 * mm, 33 * mm]))
        story.append(Paragraph(escape(_("How the draw was decided")), h2))
        story.append(pdf_facts_table(_draw_rows(result, facts), body, mono_keys, mono))
        story.append(Paragraph(escape(_("Winners")), h2))
        names = {p["rank"]: p["name"] for p in record["prizes"]}
        winners: list[list[Any]] = [[_("Prize"), _("Ticket"), _("Holder (pseudonym)")]]
        winners += [
            [Paragraph(escape(names.get(w["prize_rank"], "")), body), str(w["ticket"]), w["holder"]]
            for w in record["winners"]
        ]
        story.append(_grid(winners, [100 * mm, 25 * mm, 50 * mm]))
        if facts["unawarded"]:
            unawarded = ", ".join(p.name for p in facts["unawarded"])
            text = _("Unawarded prizes (fewer eligible tickets than prizes): %(prizes)s") % {
                "prizes": unawarded
            }
        else:
            text = _("Unawarded prizes: none, every prize was drawn.")
        story.append(Paragraph(escape(text), body))
        story.append(Paragraph(escape(_("Where to check it")), h2))
        check = [
            (_("Result page"), facts["result_url"]),
            (_("Draw record (draw.json)"), facts["record_url"]),
            (_("Sealed ledger (ledger.txt)"), facts["ledger_url"]),
            (_("Verifier source"), facts["verifier_url"]),
            (_("Command"), "python3 verify_draw.py draw.json ledger.txt"),
        ]
        link_table = pdf_facts_table(check, body, set(), mono)
        story.append(
            Table(
                [[link_table, pdf_qr(facts["result_url"])]],
                colWidths=[140 * mm, 35 * mm],
                style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
            )
        )
        story.append(Paragraph(escape(_("Attestation")), h2))
        story.append(
            Paragraph(
                escape(
                    _(
                        "The Assosolos platform certifies that it ran this draw on "
                        "%(when)s by the algorithm %(algorithm)s, from the commitment, the "
                        "sealed ledger and the randomness stated above, and that this "
                        "certificate was made at that moment."
                    )
                    % {"when": paris_time(result.drawn_at), "algorithm": record["algorithm"]}
                ),
                body,
            )
        )
        story.append(Spacer(1, 3 * mm))
        story.append(
            _grid(
                [
                    [_("For the association: name and capacity"), _("Date"), _("Signature")],
                    ["\n\n", "", ""],
                ],
                [85 * mm, 35 * mm, 55 * mm],
            )
        )
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            title=_("Draw certificate"),
            author="Assosolos",
            invariant=1,
            topMargin=12 * mm,
            bottomMargin=12 * mm,
        )

        def stamp(canvas, doc):
            _stamp_creation(canvas, doc, result.drawn_at)

        doc.build(story, onFirstPage=stamp, onLaterPages=stamp)
    return out.getvalue()
