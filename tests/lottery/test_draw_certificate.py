"""The procès-verbal as a town hall reads it: the text extracted from the PDF."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from pypdf import PdfReader

from associations.models import Membership
from lottery import services
from lottery.draw.certificate import certificate_pdf
from lottery.models import Order
from tests.associations.factories import MembershipFactory
from tests.factories import UserFactory

from .test_draw_services import after_draw_time, closed_lottery

pytestmark = pytest.mark.django_db


def _drawn(settings, **kwargs):
    settings.DRAND_URLS = []
    settings.SITE_URL = "https://tombola.example.org"
    lottery = closed_lottery(
        prizes=(1, 2),
        ticket_price_cents=250,
        claim_deadline=date(2027, 1, 31),
        authorisation_date=date(2026, 11, 2),
        **kwargs,
    )
    owner = UserFactory(display_name="Camille Martin")
    MembershipFactory(association=lottery.association, user=owner, role=Membership.Role.OWNER)
    prizes = list(lottery.prizes.order_by("rank"))
    prizes[0].name, prizes[0].value_cents = "Panier garni", 4500
    prizes[1].name, prizes[1].value_cents = "Atelier LinkedIn", 1250
    for prize in prizes:
        prize.save()
    services.ledger_seal(lottery_id=lottery.pk)
    services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    lottery.refresh_from_db()
    return lottery


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def test_the_certificate_states_everything_a_town_hall_asks_for(settings, client):
    lottery = _drawn(settings)
    result = lottery.draw_result
    a = lottery.association
    pdf = result.certificate.read()
    reader = PdfReader(io.BytesIO(pdf))
    text = _text(pdf)
    record = result.record
    record_bytes = client.get(reverse("lottery:draw_record", args=[lottery.slug])).content
    collected = sum(o.amount_cents for o in Order.objects.filter(lottery=lottery, status="paid"))
    assert collected > 0
    site = "https://tombola.example.org"
    expected = [
        # organiser
        a.name,
        a.address,
        a.postcode,
        a.commune,
        "Camille Martin",
        a.purpose.split()[0],
        # authorisation and issue
        lottery.authorisation_reference,
        "2 novembre 2026",
        f"maire de {a.commune}",
        f"Billets émis (autorisés) {lottery.ticket_cap}",
        "2,50 €",
        f"Billets vendus (dans le registre) {record['ticket_count']}",
        f"Somme collectée {collected // 100},{collected % 100:02d} €".replace(",00 €", " €"),
        "31 janvier 2027",
        # prizes and values
        "Panier garni",
        "45 €",
        "12,50 €",
        "70 €",  # 45 + 2 × 12.50
        "Lots non attribués : aucun",
        # how it was decided: seed only, explained
        "graine secrète de la plateforme",
        "heure de Paris",
        # where to check it, with hashes
        f"{site}/",
        hashlib.sha256(record_bytes).hexdigest()[:32],
        record["ledger_sha256"][:32],
        record["prizes_sha256"][:32],
        "verify_draw.py",
        # attestation
        "certifie",
        "Signature",
    ]
    if a.rna_number:
        expected.append(a.rna_number)
    if a.siren:
        expected.append(a.siren)
    missing = [item for item in expected if item not in text]
    assert not missing, (missing, text)
    for name in ("draw_result", "draw_record", "draw_ledger"):
        assert site + reverse(f"lottery:{name}", args=[lottery.slug]) in text.replace(" ", "")
    assert site + reverse("lottery:draw_verifier") in text.replace(" ", "")
    # a QR code is drawn: many filled squares
    drawn = b"".join(p.get_contents().get_data() for p in reader.pages)
    assert drawn.count(b" re") > 100, len(reader.pages)
    # the creation date is the draw's, not 2000-01-01
    created = reader.metadata.creation_date
    assert abs(created.timestamp() - result.drawn_at.timestamp()) < 2
    assert len(reader.pages) <= 2


@pytest.mark.parametrize(
    ("drawn_at", "shown"),
    [
        # the night of the spring clock change: 02:00 CET becomes 03:00 CEST
        (
            datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
            "28 mars 2027, 01:30:00 (heure de Paris, UTC+01:00)",
        ),
        (
            datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
            "28 mars 2027, 03:30:00 (heure de Paris, UTC+02:00)",
        ),
        # and the autumn one, back to winter time
        (
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            "25 octobre 2026, 02:30:00 (heure de Paris, UTC+02:00)",
        ),
        (
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            "25 octobre 2026, 02:30:00 (heure de Paris, UTC+01:00)",
        ),
    ],
)
def test_the_draw_time_is_paris_time_with_its_zone_across_a_clock_change(settings, drawn_at, shown):
    lottery = _drawn(settings)
    result = lottery.draw_result
    result.drawn_at = drawn_at
    text = _text(certificate_pdf(lottery=lottery, result=result))
    assert f"Tiré le {shown}" in text, text
    created = PdfReader(io.BytesIO(certificate_pdf(lottery=lottery, result=result)))
    assert created.metadata.creation_date.timestamp() == drawn_at.timestamp()


def test_the_same_draw_gives_the_same_bytes(settings):
    lottery = _drawn(settings)
    result = lottery.draw_result
    assert certificate_pdf(lottery=lottery, result=result) == certificate_pdf(
        lottery=lottery, result=result
    )


def test_the_verifier_source_is_served_by_the_site(client):
    response = client.get(reverse("lottery:draw_verifier"))
    assert response.status_code == 200
    assert b"def main" in b"".join(response.streaming_content)
