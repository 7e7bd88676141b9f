"""A treasurer's papers, in Chromium: the request, the authorisation, the report, the funds page.

The admin downloads the pre-filled request, records the mayor's authorisation with
the scan of the arrêté, opens sales; tickets sell online and in cash; after the
draw the admin downloads the financial report, and the public funds page shows the
same figures as the report.
"""

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from lottery import services
from lottery.models import Lottery, Order
from lottery.templatetags.lottery_tags import euros
from papers import selectors
from papers.models import CostLine, LotteryRequest
from tests.factories import DEFAULT_PASSWORD
from tests.lottery.factories import LotteryFactory, PrizeFactory, manager_of, paid_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf_text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    # Words joined by single spaces: the PDF's no-break spaces come out as plain ones.
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_request_authorisation_opening_report_and_funds_page(
    browser_page, live_server, settings, tmp_path, artifacts_dir
):
    settings.DRAND_URLS = []
    lottery = LotteryFactory(
        title="Tombola du quartier",
        ticket_price_cents=400,
        ticket_cap=100,
        authorisation_reference="",
        authorisation_date=None,
        authorisation_commune="",
        authorisation_scan="",
    )
    PrizeFactory(lottery=lottery, name="Un vélo de ville", value_cents=25_000)
    LotteryRequest.objects.create(lottery=lottery, funds_use="Des ateliers pour les jeunes.")
    CostLine.objects.create(lottery=lottery, kind="printing", label="Affiches", amount_cents=2_500)
    association = lottery.association
    admin = manager_of(association)
    page = browser_page
    papers_url = f"/papiers/gestion/{association.slug}/{lottery.slug}/"

    page.goto("/accounts/login/")
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))

    # The pre-filled request, downloaded from the papers page.
    page.goto(papers_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la demande pré-remplie (PDF)").click()
    request_path = tmp_path / "demande.pdf"
    download.value.save_as(request_path)
    text = _pdf_text(request_path)
    assert association.name in text and "cerfa 11823*03" in text
    assert "Des ateliers pour les jeunes." in text and "Un vélo de ville" in text

    # The authorisation, with the scan of the arrêté; then sales open.
    scan = tmp_path / "arrete.pdf"
    scan.write_bytes(PDF)
    form = page.locator("#authorisation form")
    form.get_by_label("Référence de l'arrêté").fill("ARR-2027-007")
    form.get_by_label("Date de l'arrêté").fill((date.today() - timedelta(days=3)).isoformat())
    form.get_by_label("Commune qui autorise").fill("Villeurbanne")
    form.get_by_label("Scan de l'arrêté signé").set_input_files(str(scan))
    form.get_by_role("button", name="Enregistrer l'autorisation").click()
    page.get_by_text("L'autorisation est enregistrée.").wait_for()
    page.goto(f"/loteries/gestion/{association.slug}/{lottery.slug}/")
    page.get_by_role("button", name=re.compile("Ouvrir les ventes")).click()
    page.wait_for_load_state()
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.OPEN
    assert lottery.authorisation_commune == "Villeurbanne"

    # Sales, online and in cash; then the draw.
    for quantity in (3, 2):
        order = paid_order(lottery=lottery, quantity=quantity)
        Order.objects.filter(pk=order.pk).update(stripe_fee_cents=40, platform_fee_cents=0)
    services.order_record_offline(
        lottery=lottery, actor=admin, channel=Order.Channel.CASH, quantity=4, receipt_number="R-1"
    )
    assert services.lottery_close(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    services.ledger_seal(lottery_id=lottery.pk)
    services.draw_perform(lottery_id=lottery.pk, now=lottery.draw_at + timedelta(minutes=1))
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAWN
    funds = selectors.lottery_funds(lottery=lottery)
    assert funds.net_cents == 3_600 - 80 - 2_500

    # The report, downloaded after the draw.
    page.goto(papers_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Bilan financier (PDF)").click()
    report_path = tmp_path / "bilan.pdf"
    download.value.save_as(report_path)
    report = _pdf_text(report_path)
    net = euros(funds.net_cents)
    assert " ".join(net.split()) in report and "ARR-2027-007" in report

    # The public funds page, for anyone, shows the same figures.
    page.context.clear_cookies()
    page.goto(f"/papiers/fonds/{lottery.slug}/")
    assert page.locator("[data-figure=net]").inner_text() == net
    assert page.locator("[data-figure=online]").inner_text() == euros(2_000)
    assert page.locator("[data-figure=offline]").inner_text() == euros(1_600)
    assert "définitifs" in page.locator("#main").inner_text()
    page.screenshot(path=str(artifacts_dir / "papers-funds.png"), full_page=True)
