"""The procès-verbal de tirage: a PDF certificate of a draw, made with reportlab.

Made once, when the draw is written, and stored with its SHA-256. `invariant`
keeps reportlab from stamping the time and a random id into the file, so the
same draw always gives the same bytes.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import DrawResult, Lottery


def _split(value: str, size: int = 48) -> str:
    """Long hex values on several lines, so they fit the page."""
    return "<br/>".join(escape(value[i : i + size]) for i in range(0, len(value), size))


def certificate_pdf(*, lottery: Lottery, result: DrawResult) -> bytes:
    record = result.record
    with translation.override(settings.LANGUAGE_CODE):
        styles = getSampleStyleSheet()
        body, mono = styles["BodyText"], styles["Code"]
        story = [
            Paragraph(escape(_("Draw certificate (procès-verbal de tirage)")), styles["Title"]),
            Paragraph(escape(f"{lottery.title} — {lottery.association}"), styles["Heading2"]),
        ]
        if lottery.authorisation_reference:
            story.append(
                Paragraph(
                    escape(_("Authorisation: %(ref)s") % {"ref": lottery.authorisation_reference}),
                    body,
                )
            )
        rows = [
            (_("Drawn at"), formats.date_format(result.drawn_at, "DATETIME_FORMAT")),
            (_("Algorithm"), record["algorithm"]),
            (_("Commitment (SHA-256 of the seed)"), record["commitment"]),
            (_("Commitment published at"), record["committed_at"]),
            (_("Revealed seed"), record["seed"]),
            (_("Ledger sealed at"), record["sealed_at"]),
            (_("Tickets in the ledger"), str(record["ticket_count"])),
            (_("Ledger SHA-256"), record["ledger_sha256"]),
        ]
        beacon = record["beacon"]
        if beacon:
            rows += [
                (_("drand quicknet round"), str(beacon["round"])),
                (_("Beacon signature"), beacon["signature"]),
                (_("Beacon randomness"), beacon["randomness"]),
            ]
        else:
            rows.append((_("Public randomness"), _("none: seed and ledger only")))
        table = Table(
            [[Paragraph(escape(k), body), Paragraph(_split(v), mono)] for k, v in rows],
            colWidths=[55 * mm, 115 * mm],
        )
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 6 * mm), table, Spacer(1, 6 * mm)]
        story.append(Paragraph(escape(_("Winners")), styles["Heading2"]))
        names = {p["rank"]: p["name"] for p in record["prizes"]}
        winners = [[_("Prize"), _("Ticket"), _("Holder")]] + [
            [Paragraph(escape(names.get(w["prize_rank"], "")), body), str(w["ticket"]), w["holder"]]
            for w in record["winners"]
        ]
        grid = Table(winners, colWidths=[90 * mm, 30 * mm, 50 * mm], repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [grid, Spacer(1, 6 * mm)]
        story.append(
            Paragraph(
                escape(
                    _(
                        "Anyone can check this draw from the published files with: "
                        "python3 tools/verify_draw.py draw.json ledger.txt"
                    )
                ),
                body,
            )
        )
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            title=_("Draw certificate"),
            author="Assosolos",
            invariant=1,
        )
        doc.build(story)
    return out.getvalue()
