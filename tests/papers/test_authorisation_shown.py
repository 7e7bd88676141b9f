"""The mayor's authorisation is named wherever a buyer or a visitor looks at the lottery."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from lottery import payment_emails, services
from tests.lottery.factories import open_lottery, paid_order
from tests.lottery.test_draw_services import after_draw_time, closed_lottery

pytestmark = pytest.mark.django_db

REFERENCE, COMMUNE = "ARR-2026-042", "Lyon"  # as the lottery factory records them


def test_on_the_ticket_confirmation_and_its_email(client):
    lottery = open_lottery()
    order = paid_order(lottery=lottery, quantity=2)
    client.force_login(order.buyer)

    page = client.get(reverse("lottery:confirmation", args=[order.pk])).content.decode()
    assert REFERENCE in page and COMMUNE in page

    mail.outbox.clear()
    payment_emails.order_paid_email(order=order)
    from assosolos.emails import emails_send_queued

    emails_send_queued()
    body = mail.outbox[-1].body
    assert REFERENCE in body and COMMUNE in body


def test_on_the_draw_s_result_page_and_its_certificate(client, settings):
    settings.DRAND_URLS = []
    lottery = closed_lottery()
    services.ledger_seal(lottery_id=lottery.pk)
    services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))

    page = client.get(reverse("lottery:draw_result", args=[lottery.slug])).content.decode()
    assert REFERENCE in page and COMMUNE in page

    pdf = client.get(reverse("lottery:draw_certificate", args=[lottery.slug]))
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert REFERENCE in text and COMMUNE in text
