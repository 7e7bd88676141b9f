"""The papers as the town hall reads them: the request and the report, PDF and xlsx."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from openpyxl import load_workbook
from pypdf import PdfReader

from lottery import services
from lottery.exports import EURO_FORMAT
from lottery.models import Lottery, Order
from lottery.templatetags.lottery_tags import euros
from papers.documents import report_pdf, report_xlsx, request_pdf
from papers.models import Cause, CostLine, FundUse, LotteryRequest
from papers.selectors import lottery_funds, lottery_papers
from tests.associations.factories import AssociationFactory
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, PrizeFactory, open_lottery

pytestmark = pytest.mark.django_db

SALES_OPEN = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)  # 10:00 in Paris (winter time)
SALES_CLOSE = datetime(2026, 6, 20, 16, 30, tzinfo=UTC)  # 18:30 in Paris (summer time)
DRAW_AT = datetime(2026, 6, 21, 13, 0, tzinfo=UTC)
DATES = {"sales_open_at": SALES_OPEN, "sales_close_at": SALES_CLOSE, "draw_at": DRAW_AT}


def t(msgid: str) -> str:
    """A label as the documents print it: in the site's language."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return gettext(msgid)


def sheet_name(msgid: str) -> str:
    with translation.override(django_settings.LANGUAGE_CODE):
        return pgettext("spreadsheet sheet", msgid)


def eur(cents: int) -> str:
    with translation.override(django_settings.LANGUAGE_CODE):
        return euros(cents).replace("\u202f", " ").replace("\u00a0", " ")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def assert_in_order(text: str, items: list[str]) -> None:
    position = 0
    for item in items:
        found = text.find(item, position)
        assert found >= 0, (item, text[position : position + 400])
        position = found + len(item)


def association(**kwargs):
    defaults = {
        "name": "Les Amis du Vieux Lavoir",
        "address": "12 rue des Tanneurs",
        "postcode": "69100",
        "commune": "Villeurbanne",
        "rna_number": "W691234567",
        "siren": "552100554",
        "contact_email": "bureau@lavoir.example.org",
        "purpose": "Restaurer le lavoir du quartier et y organiser des fêtes.",
    }
    return AssociationFactory(**{**defaults, **kwargs})


def full_request(lottery: Lottery, **kwargs) -> LotteryRequest:
    defaults = {
        "cause": Cause.ARTS,
        "funds_use": "Restaurer la toiture du lavoir classé.",
        "sales_places": "Marché de la place Lazare-Goujon",
        "draw_place": "Salle des fêtes de Villeurbanne",
        "public_utility_decree": "D-1987-455",
        "public_utility_date": date(1987, 5, 12),
        "subsidies": "Ville de Villeurbanne : 1 200 €",
    }
    return LotteryRequest.objects.create(lottery=lottery, **{**defaults, **kwargs})


# --- The request -----------------------------------------------------------------------


def test_the_request_carries_every_item_of_the_form_in_its_order(settings):
    settings.SITE_URL = "https://tombola.example.org"
    lottery = LotteryFactory(
        association=association(), ticket_price_cents=750, ticket_cap=1000, **DATES
    )
    full_request(lottery)
    PrizeFactory(lottery=lottery, rank=1, name="Vélo électrique", value_cents=120000)
    PrizeFactory(lottery=lottery, rank=2, name="Panier garni", value_cents=4550, quantity=3)
    CostLine.objects.create(
        lottery=lottery, kind=CostLine.Kind.PRINTING, label="Billets imprimés", amount_cents=8000
    )
    papers = lottery_papers(lottery=lottery)
    text = pdf_text(request_pdf(papers=papers))
    url = lottery.get_absolute_url()
    url = url if url.startswith("http") else "https://tombola.example.org" + url
    assert url in text.replace(" ", "")
    assert papers.costs.total_cents == 8000
    assert_in_order(
        text,
        [
            t("To the mayor of %(commune)s") % {"commune": "Villeurbanne"},
            t(
                "This document is a pre-filled summary of the request, to attach to the "
                "official form cerfa 11823*03 or to copy into it. It is not the form itself."
            ),
            # the organiser
            f"{t('Name of the association')} Les Amis du Vieux Lavoir",
            "12 rue des Tanneurs",
            "69100 Villeurbanne",
            f"{t('RNA number')} W691234567",
            f"{t('SIREN')} 552100554",
            "bureau@lavoir.example.org",
            "Restaurer le lavoir du quartier",
            "D-1987-455",
            "12 mai 1987",
            "Ville de Villeurbanne : 1 200 €",
            # the purpose and the use of the funds
            t("Encouragement of the arts"),
            "Restaurer la toiture du lavoir classé.",
            # the tickets and the issue capital
            f"{t('Number of tickets')} 1 000",
            f"{t('Ticket price')} 7,50 €",
            f"{t('Issue capital')} 7 500 €",
            # the sales: period (Paris time, winter then summer) and places
            "14 mars 2026, 10:00",
            "20 juin 2026, 18:30",
            "Marché de la place Lazare-Goujon",
            # the draw
            "21 juin 2026, 15:00",
            "Salle des fêtes de Villeurbanne",
            # the prizes, their values and the total (1 200 + 3 × 45,50)
            "Vélo électrique",
            "1 200 €",
            "Panier garni",
            "45,50 €",
            "136,50 €",
            f"{t('Total value of the prizes')} 1 336,50 €",
            # the costs, their share and the 15 % limit
            "Billets imprimés",
            "80 €",
            t("Stripe fees"),
            t("Platform fee"),
            f"{t('Total organisation costs')} 80 €",
            "1,1 %",
            "1 125 €",
            t("Within the limit of 15 % of the issue capital."),
            # the documents to attach
            t("The association's statutes (for a first request)."),
            t("The rules of the lottery."),
            # the deadline: a month before sales open
            f"{t('File the request by')} 14 février 2026",
        ],
    )
    assert t("Online, on %(site)s").split("%")[0].strip() in text


def test_missing_details_print_not_given_and_never_crash():
    lottery = LotteryFactory(association=association(siren=""), **DATES)
    papers = lottery_papers(lottery=lottery)
    assert papers.request is None
    text = pdf_text(request_pdf(papers=papers))
    given = t("not given")
    for label in (
        "SIREN",
        "Public-utility recognition: decree number",
        "Public-utility recognition: date",
        "Public subsidies received",
        "Purpose of the lottery",
        "Precise use of the funds",
        "Place of the draw",
    ):
        assert f"{t(label)} {given}" in text, label
    assert t("No prize recorded yet.") in text
    assert "W691234567" in text


@pytest.mark.parametrize(
    ("price", "cap", "capital", "accounts"),
    [(750, 1000, "7 500 €", False), (2149, 349, "7 500,01 €", True)],
)
def test_the_accounts_are_asked_for_only_above_7500_euros(price, cap, capital, accounts):
    lottery = LotteryFactory(ticket_price_cents=price, ticket_cap=cap, **DATES)
    full_request(lottery)
    papers = lottery_papers(lottery=lottery)
    assert papers.accounts_required is accounts
    text = pdf_text(request_pdf(papers=papers))
    assert f"{t('Issue capital')} {capital}" in text
    line = t("The accounts of the last financial year: the issue capital is above 7 500 €.")
    assert (line in text) is accounts
    assert t("The rules of the lottery.") in text
    assert "DRFiP" not in text
    assert f"{t('File the request by')} 14 février 2026" in text


@pytest.mark.parametrize(
    ("price", "office", "deadline"),
    [(30000, False, "14 février 2026"), (30001, True, "14 janvier 2026")],
)
def test_above_30000_euros_the_finance_office_is_named_and_filing_is_earlier(
    price, office, deadline
):
    lottery = LotteryFactory(ticket_price_cents=price, ticket_cap=100, **DATES)
    papers = lottery_papers(lottery=lottery)
    assert papers.finance_office is office
    text = pdf_text(request_pdf(papers=papers))
    assert ("DRFiP" in text) is office
    assert f"{t('File the request by')} {deadline}" in text
    assert t("The accounts of the last financial year: the issue capital is above 7 500 €.") in text


@pytest.mark.parametrize(("costs", "over"), [(112_500, False), (112_501, True)])
def test_costs_above_15_percent_of_the_issue_capital_are_flagged(costs, over):
    lottery = LotteryFactory(ticket_price_cents=750, ticket_cap=1000, **DATES)
    CostLine.objects.create(lottery=lottery, label="Lots achetés", amount_cents=costs)
    papers = lottery_papers(lottery=lottery)
    assert papers.costs_over is over
    text = pdf_text(request_pdf(papers=papers))
    assert f"{t('Legal limit (15 % of the issue capital)')} 1 125 €" in text
    assert f"{t('Share of the issue capital')} 15,0 %" in text
    warning = t(
        "The organisation costs come to %(costs)s, %(percent)s %% of the issue capital: "
        "above the 15 %% the law allows (%(limit)s at most)."
    ) % {"costs": eur(costs), "percent": "15,0", "limit": "1 125 €"}
    assert (warning in text) is over
    assert (t("Within the limit of 15 % of the issue capital.") in text) is not over


def test_long_texts_wrap_and_flow_onto_more_pages():
    lottery = LotteryFactory(**DATES)
    words = " ".join(f"mot{n}" for n in range(2500))
    full_request(lottery, funds_use=words + " fin-du-texte")
    pdf = request_pdf(papers=lottery_papers(lottery=lottery))
    text = pdf_text(pdf)
    assert pages(pdf) >= 3
    assert "mot0 mot1 mot2" in text
    assert "mot2499 fin-du-texte" in text
    assert t("9. Filing deadline") in text


# --- The financial report --------------------------------------------------------------


def _online(lottery: Lottery, pi: str, **kwargs) -> Order:
    values = {
        "lottery": lottery,
        "channel": Order.Channel.ONLINE,
        "status": Order.Status.PAID,
        "stripe_payment_intent_id": pi,
        "buyer_email": f"{pi}@example.org",
        "paid_at": timezone.now(),
    }
    return Order.objects.create(**{**values, **kwargs})


def sold_lottery(*, details: bool = True) -> Lottery:
    """A drawn lottery with cash, cheque and card sales, refunds, costs and uses."""
    lottery = open_lottery(association=association(), ticket_price_cents=1000, ticket_cap=100)
    user = UserFactory()
    cash, cheque = Order.Channel.CASH, Order.Channel.CHEQUE
    services.order_record_offline(
        lottery=lottery, actor=user, channel=cash, quantity=3, receipt_number="R-1"
    )
    services.order_record_offline(
        lottery=lottery, actor=user, channel=cheque, quantity=2, receipt_number="R-2"
    )
    _online(
        lottery, "pi_a", quantity=5, amount_cents=5000, stripe_fee_cents=120, platform_fee_cents=75
    )
    _online(
        lottery,
        "pi_b",
        quantity=2,
        amount_cents=2000,
        refunded_cents=750,  # a partial refund
        stripe_fee_cents=60,
        platform_fee_cents=30,
    )
    _online(
        lottery,
        "pi_c",
        quantity=1,
        amount_cents=1000,
        status=Order.Status.REFUNDED,
        refunded_cents=1000,
        stripe_fee_cents=35,
        platform_fee_cents=5,  # given back with the refund
    )
    Lottery.objects.filter(pk=lottery.pk).update(
        status=Lottery.Status.DRAWN,
        authorisation_reference="ARR-2026-017",
        authorisation_date=date(2026, 2, 20),
        authorisation_commune="Villeurbanne",
        **DATES,
    )
    if details:
        full_request(lottery)
        printing = CostLine.Kind.PRINTING
        CostLine.objects.create(
            lottery=lottery, kind=printing, label="Affiches A3", amount_cents=4500
        )
        CostLine.objects.create(lottery=lottery, label="=Location de la sono", amount_cents=1250)
        FundUse.objects.create(
            lottery=lottery,
            amount_cents=3000,
            used_on=date(2026, 7, 2),
            beneficiary="Couvreurs Réunis",
            description="Tuiles de la toiture",
        )
        FundUse.objects.create(
            lottery=lottery, amount_cents=1234, used_on=date(2026, 8, 15), beneficiary="Mairie"
        )
    lottery.refresh_from_db()
    return lottery


def test_the_figures_the_report_is_built_on():
    funds = lottery_funds(lottery=sold_lottery())
    assert (funds.online_cents, funds.offline_cents) == (8000, 5000)
    assert funds.refunded_cents == 1750
    assert (funds.costs.stripe_fees_cents, funds.costs.platform_fees_cents) == (215, 105)
    assert funds.costs.total_cents == 215 + 105 + 4500 + 1250
    assert funds.net_cents == 13000 - 1750 - 6070 == 5180
    assert (funds.used_cents, funds.unspent_cents) == (4234, 946)


def test_the_report_pdf_states_the_money_the_uses_and_the_authorisation():
    lottery = sold_lottery()
    text = pdf_text(report_pdf(lottery=lottery))
    assert_in_order(
        text,
        [
            t("Financial report of the lottery"),
            lottery.title,
            "Les Amis du Vieux Lavoir",
            f"{t('Authorisation reference')} ARR-2026-017",
            f"{t('Authorisation date')} 20 février 2026",
            f"{t('Authorising commune')} Villeurbanne",
            "14 mars 2026, 10:00",
            "20 juin 2026, 18:30",
            "21 juin 2026, 15:00",
            f"{t('Sales online (card payments)')} 80 €",
            f"{t('Sales in cash')} 30 €",
            f"{t('Sales by cheque')} 20 €",
            f"{t('Sales offline (cash and cheque)')} 50 €",
            f"{t('Total sales')} 130 €",
            f"{t('Refunds (partial ones included)')} 17,50 €",
            f"{t('Stripe fees')} 2,15 €",
            f"{t('Platform fee')} 1,05 €",
            "Affiches A3",
            t("Printing"),
            "45 €",
            "=Location de la sono",
            "12,50 €",
            f"{t('Total costs')} 60,70 €",
            f"{t('Net amount for the cause')} 51,80 €",
            "Restaurer la toiture du lavoir classé.",
            "2 juillet 2026",
            "Couvreurs Réunis",
            "Tuiles de la toiture",
            "30 €",
            "15 août 2026",
            "Mairie",
            "12,34 €",
            f"{t('Total of the recorded uses')} 42,34 €",
            f"{t('Unspent')} 9,46 €",
        ],
    )


def _report_cells(workbook) -> dict[str, object]:
    sheet = workbook.worksheets[0]
    return {row[0].value: row[1] for row in sheet.iter_rows(min_col=1, max_col=2) if row[0].value}


def test_the_report_xlsx_has_the_same_figures_as_numbers_in_euros():
    lottery = sold_lottery()
    funds = lottery_funds(lottery=lottery)
    workbook = load_workbook(io.BytesIO(report_xlsx(lottery=lottery)))
    assert workbook.sheetnames == [sheet_name("Report"), sheet_name("Uses")]
    cells = _report_cells(workbook)
    expected = {
        "Sales online (card payments)": funds.online_cents,
        "Sales in cash": 3000,
        "Sales by cheque": 2000,
        "Sales offline (cash and cheque)": funds.offline_cents,
        "Total sales": funds.raised_cents,
        "Refunds (partial ones included)": funds.refunded_cents,
        "Stripe fees": funds.costs.stripe_fees_cents,
        "Platform fee": funds.costs.platform_fees_cents,
        "Total costs": funds.costs.total_cents,
        "Net amount for the cause": funds.net_cents,
        "Total of the recorded uses": funds.used_cents,
        "Unspent": funds.unspent_cents,
    }
    for label, cents in expected.items():
        cell = cells[t(label)]
        assert isinstance(cell.value, int | float), (label, cell.value)
        assert Decimal(str(cell.value)) == Decimal(cents) / 100, label
        assert cell.number_format == EURO_FORMAT
    printing = t("Other cost: %(label)s (%(kind)s)") % {
        "label": "Affiches A3",
        "kind": t("Printing"),
    }
    assert cells[printing].value == 45
    # a label a spreadsheet would run as a formula stays text
    other = t("Other cost: %(label)s (%(kind)s)") % {
        "label": "=Location de la sono",
        "kind": t("Other"),
    }
    assert cells[other].value == 12.5
    assert cells[t("Authorisation reference")].value == "ARR-2026-017"
    assert cells[t("Authorisation date")].value == datetime(2026, 2, 20)
    assert cells[t("Authorising commune")].value == "Villeurbanne"
    assert cells[t("Sales opened")].value == datetime(2026, 3, 14, 10, 0)  # Paris wall clock
    assert cells[t("Date of the draw")].value == datetime(2026, 6, 21, 15, 0)
    assert cells[t("Declared use of the funds")].value == "Restaurer la toiture du lavoir classé."

    uses = workbook.worksheets[1]
    rows = list(uses.iter_rows(values_only=True))
    assert rows[0] == (t("Date"), t("Beneficiary"), t("What it paid for"), t("Amount (€)"))
    assert rows[1] == (datetime(2026, 7, 2), "Couvreurs Réunis", "Tuiles de la toiture", 30)
    assert rows[2][:2] == (datetime(2026, 8, 15), "Mairie")
    assert rows[2][3] == pytest.approx(12.34)
    assert rows[3][2:] == (t("Total"), pytest.approx(42.34))
    assert uses.cell(row=2, column=4).number_format == EURO_FORMAT


def test_text_a_spreadsheet_would_run_as_a_formula_stays_text():
    lottery = sold_lottery()
    FundUse.objects.create(
        lottery=lottery, amount_cents=1, used_on=date(2026, 9, 1), beneficiary="=SUM(1,2)"
    )
    uses = load_workbook(io.BytesIO(report_xlsx(lottery=lottery))).worksheets[1]
    cell = uses.cell(row=4, column=2)
    assert (cell.value, cell.data_type) == ("=SUM(1,2)", "s")


def test_a_report_without_details_or_uses_prints_not_given():
    lottery = sold_lottery(details=False)
    Lottery.objects.filter(pk=lottery.pk).update(authorisation_reference="")
    lottery.refresh_from_db()
    text = pdf_text(report_pdf(lottery=lottery))
    assert f"{t('Authorisation reference')} {t('not given')}" in text
    assert f"{t('Declared use of the funds')} {t('not given')}" in text
    assert t("No use of the funds recorded yet.") in text
    assert f"{t('Unspent')} 109,30 €" in text  # 13000 - 1750 - 215 - 105 cents

    workbook = load_workbook(io.BytesIO(report_xlsx(lottery=lottery)))
    cells = _report_cells(workbook)
    assert cells[t("Unspent")].value == pytest.approx(109.30)
    assert cells[t("Authorisation reference")].value == t("not given")
    rows = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2:] == (t("Total"), 0)
