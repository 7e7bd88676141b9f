"""The papers page: who may use it, each form, the private scan, what is fixed when."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.storage import private_storage
from lottery import services
from lottery.models import Lottery
from papers.models import CostLine, FundUse, LotteryRequest
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, PrizeFactory, manager_of, open_lottery

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _url(lottery, name="papers:manage"):
    return reverse(name, args=[lottery.association.slug, lottery.slug])


@pytest.fixture
def draft():
    lottery = LotteryFactory(
        authorisation_reference="",
        authorisation_date=None,
        authorisation_commune="",
        authorisation_scan="",
        ticket_price_cents=500,
        ticket_cap=2000,
    )
    PrizeFactory(lottery=lottery)
    return lottery


@pytest.fixture
def admin_client(client, draft):
    client.force_login(manager_of(draft.association))
    return client


def test_only_the_association_s_managers_open_the_papers(client, draft):
    client.force_login(UserFactory())
    assert client.get(_url(draft)).status_code == 403
    client.force_login(manager_of(draft.association))
    page = client.get(_url(draft))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="capital"' in html and "10\u202f000\u00a0€" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_request_s_details_are_saved(admin_client, draft):
    response = admin_client.post(
        _url(draft),
        {
            "action": "request",
            "cause": "arts",
            "funds_use": "Acheter un projecteur pour les ateliers.",
            "draw_place": "Salle des fêtes",
        },
    )
    assert response.status_code == 302
    details = LotteryRequest.objects.get(lottery=draft)
    assert details.cause == "arts" and details.draw_place == "Salle des fêtes"


def test_a_request_without_its_use_of_funds_is_refused_and_saves_nothing(admin_client, draft):
    response = admin_client.post(_url(draft), {"action": "request", "cause": "charity"})
    assert response.status_code == 400
    assert not LotteryRequest.objects.filter(lottery=draft).exists()


def test_costs_are_added_in_euros_and_removed(admin_client, draft):
    response = admin_client.post(
        _url(draft),
        {"action": "cost_add", "kind": "printing", "label": "Affiches", "amount_cents": "45,50"},
    )
    assert response.status_code == 302
    line = CostLine.objects.get(lottery=draft)
    assert line.amount_cents == 4550 and line.kind == "printing"

    bad = admin_client.post(
        _url(draft),
        {"action": "cost_add", "kind": "other", "label": "Timbres", "amount_cents": "beaucoup"},
    )
    assert bad.status_code == 400
    assert CostLine.objects.filter(lottery=draft).count() == 1

    admin_client.post(_url(draft), {"action": "cost_delete", "line": line.pk})
    assert not CostLine.objects.filter(lottery=draft).exists()


def test_costs_over_fifteen_percent_are_flagged_before_sales_open(admin_client, draft):
    CostLine.objects.create(lottery=draft, kind="prizes", label="Lots", amount_cents=150_000)
    assert 'data-test="costs-over"' not in admin_client.get(_url(draft)).content.decode()
    CostLine.objects.create(lottery=draft, kind="other", label="Timbre", amount_cents=1)
    html = admin_client.get(_url(draft)).content.decode()
    assert 'data-test="costs-over"' in html
    manage = admin_client.get(reverse("lottery:manage", args=[draft.association.slug, draft.slug]))
    assert 'data-test="costs-over"' in manage.content.decode()


def test_above_7500_euros_the_accounts_are_asked_for(admin_client, draft):
    html = admin_client.get(_url(draft)).content.decode()
    assert 'data-test="accounts-required"' in html  # 10,000.00 €


def test_the_authorisation_is_recorded_with_its_private_scan_and_sales_open(
    admin_client, client, draft
):
    scan = SimpleUploadedFile("arrete.pdf", PDF, content_type="application/pdf")
    response = admin_client.post(
        _url(draft),
        {
            "action": "authorisation",
            "reference": "ARR-2027-12",
            "date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
            "commune": "Lyon",
            "scan": scan,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.authorisation_reference == "ARR-2027-12" and draft.authorisation_scan
    # Kept outside the public media, served only through the managers' view.
    assert draft.authorisation_scan.storage is private_storage
    download = admin_client.get(_url(draft, "papers:authorisation_scan"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert services.lottery_request_open(lottery=draft, actor=None)

    client.force_login(UserFactory())
    assert client.get(_url(draft, "papers:authorisation_scan")).status_code == 403


def test_a_scan_that_is_not_a_document_is_refused(admin_client, draft):
    fake = SimpleUploadedFile("arrete.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = admin_client.post(
        _url(draft),
        {"action": "authorisation", "reference": "A-1", "commune": "Lyon", "scan": fake},
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert not draft.authorisation_scan and draft.authorisation_reference == ""


def test_once_sales_are_open_the_authorisation_is_fixed(client):
    lottery = open_lottery()
    client.force_login(manager_of(lottery.association))
    response = client.post(
        _url(lottery), {"action": "authorisation", "reference": "AUTRE-1", "commune": "Lyon"}
    )
    assert response.status_code == 400
    lottery.refresh_from_db()
    assert lottery.authorisation_reference == "ARR-2026-042"


def test_uses_of_the_funds_are_recorded_after_the_draw_only(client):
    lottery = open_lottery()
    client.force_login(manager_of(lottery.association))
    data = {
        "action": "use_add",
        "amount_cents": "120",
        "used_on": dt.date.today().isoformat(),
        "beneficiary": "Atelier Photo Lyon",
    }
    refused = client.post(_url(lottery), data)
    assert refused.status_code == 400
    assert not FundUse.objects.exists()

    Lottery.objects.filter(pk=lottery.pk).update(status=Lottery.Status.DRAWN)
    assert client.post(_url(lottery), data).status_code == 302
    use = FundUse.objects.get(lottery=lottery)
    assert use.amount_cents == 12_000

    future = {**data, "used_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}
    assert client.post(_url(lottery), future).status_code == 400
    assert FundUse.objects.count() == 1


@pytest.mark.parametrize("size", [1, 8])
def test_the_dashboard_flags_the_papers_that_need_attention(client, size):
    association = LotteryFactory().association
    over = [LotteryFactory(association=association, ticket_price_cents=100, ticket_cap=100)]
    for lottery in over:
        CostLine.objects.create(lottery=lottery, kind="other", label="Salle", amount_cents=1_501)
    fine = [
        LotteryFactory(association=association, ticket_price_cents=100, ticket_cap=100)
        for _ in range(size)
    ]
    for lottery in fine:
        CostLine.objects.create(lottery=lottery, kind="other", label="Salle", amount_cents=1_500)
    client.force_login(manager_of(association))
    url = reverse("associations:dashboard", args=[association.slug])
    client.get(url)  # warm the caches the dashboard's other panels keep

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()

    assert html.count('data-test="costs-over"') == len(over)
    assert f'data-lottery="{over[0].pk}"' in html
    # One query for the costs of every lottery, whatever their number.
    papers_queries = [q for q in queries.captured_queries if "papers_costline" in q["sql"]]
    assert len(papers_queries) == 1
