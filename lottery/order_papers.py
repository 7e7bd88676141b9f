"""What a buyer takes home: a PDF receipt and ticket per paid order, and the draw's .ics.

The receipt holds what the buyer may need to show or check: the association, the
lottery and its mayor's authorisation, the ticket numbers, the amount and the date
paid, how the draw works and where to follow it, and the refund policy. It reuses
the draw certificate's PDF helpers. Only the order's buyer (or its signed guest
link) reaches the views that serve these files.
"""

from __future__ import annotations

import io
from datetime import timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from .draw.certificate import paris_time, pdf_day, pdf_euros, pdf_facts_table, pdf_qr
from .models import Lottery, Order
from .selectors import ticket_numbers

# How long the draw's calendar entry lasts: the live draw takes a few minutes.
DRAW_EVENT_MINUTES = 30


def refund_policy() -> str:
    """The refund policy, as the checkout page, the buy form and the receipt state it."""
    return _(
        "A paid ticket is final: buying one is taking part in a lottery, so there is no "
        "right of withdrawal. If the lottery is cancelled, every ticket paid online is "
        "refunded in full, automatically, to the card used. An unpaid reservation costs "
        "nothing: its numbers go back on sale."
    )


def draw_explained(*, lottery: Lottery) -> str:
    return _(
        "The draw takes place on %(when)s. When sales opened, the platform published a "
        "commitment to a secret seed; when they close, the list of sold tickets is sealed. "
        "The winners follow from the seed, that list and a public random number (drand) "
        "drawn after the seal, so nobody can choose them, and anyone can re-run the draw "
        "and check it."
    ) % {"when": paris_time(lottery.draw_at)}


def authorisation_text(*, lottery: Lottery) -> str:
    if not lottery.authorisation_reference:
        return _("not given")
    return _("order %(ref)s of the mayor of %(commune)s, %(date)s") % {
        "ref": lottery.authorisation_reference,
        "commune": lottery.authorisation_commune or _("not given"),
        "date": pdf_day(lottery.authorisation_date),
    }


def lottery_public_url(*, lottery: Lottery) -> str:
    return settings.SITE_URL.rstrip("/") + lottery.get_absolute_url()


def receipt_filename(*, order: Order) -> str:
    return f"recu-{order.lottery.slug}-{order.pk}.pdf"


def receipt_pdf(*, order: Order) -> bytes:
    """The receipt and ticket of a paid order, in the site's language (French)."""
    lottery = order.lottery
    numbers = ticket_numbers(orders=[order])[order.pk]
    url = lottery_public_url(lottery=lottery)
    with translation.override(settings.LANGUAGE_CODE):
        styles = getSampleStyleSheet()
        body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading3"]
        story = [
            Paragraph(escape(_("Receipt and ticket")), h1),
            Paragraph(escape(f"{lottery.title} · {lottery.association.name}"), h2),
            pdf_facts_table(
                [
                    (_("Association"), lottery.association.name),
                    (_("Lottery"), lottery.title),
                    (_("Mayor's authorisation"), authorisation_text(lottery=lottery)),
                    (_("Order"), str(order.pk)),
                    (_("Buyer"), order.buyer_name or order.buyer_email),
                    (_("Paid on"), paris_time(order.paid_at or order.created_at)),
                    (_("Amount paid"), pdf_euros(order.amount_cents)),
                    (_("Number of tickets"), str(order.quantity)),
                    (_("Ticket numbers"), ", ".join(str(n) for n in numbers)),
                    (_("Draw"), paris_time(lottery.draw_at)),
                    (_("Follow the draw"), url),
                ],
                body,
                {_("Follow the draw")},
                styles["Code"],
            ),
            Spacer(1, 4 * mm),
            Paragraph(escape(_("How the draw works")), h2),
            Paragraph(escape(draw_explained(lottery=lottery)), body),
            Paragraph(
                escape(_("Follow it live, then see the result and check it, at %(url)s"))
                % {"url": escape(url)},
                body,
            ),
            pdf_qr(url, size=28 * mm),
            Paragraph(escape(_("Refunds")), h2),
            Paragraph(escape(refund_policy()), body),
            Paragraph(
                escape(
                    _(
                        "This receipt is issued on behalf of the association, which runs "
                        "the lottery and receives the money."
                    )
                ),
                body,
            ),
        ]
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            title=_("Receipt and ticket"),
            author=lottery.association.name,
            invariant=1,
            topMargin=14 * mm,
            bottomMargin=14 * mm,
        )
        doc.build(story)
    return out.getvalue()


def receipt_response(order: Order) -> HttpResponse:
    """The receipt of a paid order; none (404) before payment or after a refund."""
    if order.status != Order.Status.PAID:
        raise Http404
    response = HttpResponse(receipt_pdf(order=order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(order=order)}"'
    return response


def draw_calendar(*, lottery: Lottery) -> bytes:
    """One event: the lottery's draw, with the page where it is followed live."""
    url = lottery_public_url(lottery=lottery)
    host = settings.SITE_URL.split("//")[-1].split("/")[0]
    calendar = Calendar()
    calendar.add("prodid", "-//Assosolos//Lottery//FR")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"draw-{lottery.pk}@{host}")
    event.add("summary", _("Draw: %(title)s") % {"title": lottery.title})
    event.add("dtstart", lottery.draw_at)
    event.add("dtend", lottery.draw_at + timedelta(minutes=DRAW_EVENT_MINUTES))
    event.add("dtstamp", lottery.draw_at)
    event.add("url", url)
    event.add("description", f"{lottery.association.name}. {_('Follow the draw')}: {url}")
    calendar.add_component(event)
    return calendar.to_ical()


def calendar_response(lottery: Lottery) -> HttpResponse:
    response = HttpResponse(draw_calendar(lottery=lottery), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="tirage-{lottery.slug}.ics"'
    return response
