"""The figures the law turns on: issue capital thresholds, the 15 % rule, the filing date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from lottery import services
from lottery.models import Lottery
from papers import selectors
from papers.models import CostLine
from tests.lottery.factories import LotteryFactory, PrizeFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("capital", "accounts", "finance_office"),
    [
        (749_999, False, False),
        (750_000, False, False),
        (750_001, True, False),
        (2_999_999, True, False),
        (3_000_000, True, False),
        (3_000_001, True, True),
    ],
)
def test_thresholds_are_exact_to_the_cent(capital, accounts, finance_office):
    assert selectors.accounts_required(capital) is accounts
    assert selectors.finance_office_consulted(capital) is finance_office


@pytest.mark.parametrize(("costs", "over"), [(149_999, False), (150_000, False), (150_001, True)])
def test_the_fifteen_percent_rule_at_its_boundary(costs, over):
    # 15 % of 10,000.00 € is exactly 1,500.00 €: reaching it is allowed, a cent more is not.
    assert selectors.costs_over_limit(costs_cents=costs, capital_cents=1_000_000) is over


def test_the_fifteen_percent_rule_has_no_rounding_on_odd_capitals():
    # 15 % of 0.07 € is 0.0105 €: one cent is within it, two cents are over.
    assert not selectors.costs_over_limit(costs_cents=1, capital_cents=7)
    assert selectors.costs_over_limit(costs_cents=2, capital_cents=7)
    assert selectors.costs_limit_cents(7) == 1


def test_the_filing_date_is_a_month_before_sales_in_paris_across_a_clock_change():
    # Sales open on 1 April 2027 at 00:30 in Paris (summer time, UTC+2): still 31 March
    # 22:30 in UTC. The filing date follows the Paris calendar: 1 March, in winter time.
    opens = dt.datetime(2027, 4, 1, 0, 30, tzinfo=PARIS)
    assert opens.astimezone(dt.UTC).date() == dt.date(2027, 3, 31)
    assert selectors.filing_deadline(sales_open_at=opens, capital_cents=100_000) == dt.date(
        2027, 3, 1
    )
    # Autumn: sales on 31 October 2027 at 00:15 Paris, after the change back to winter time.
    autumn = dt.datetime(2027, 10, 31, 0, 15, tzinfo=PARIS)
    assert selectors.filing_deadline(sales_open_at=autumn, capital_cents=100_000) == dt.date(
        2027, 9, 30
    )


def test_a_month_before_the_31st_is_the_end_of_a_shorter_month():
    assert selectors.months_before(dt.date(2027, 3, 31), 1) == dt.date(2027, 2, 28)
    assert selectors.months_before(dt.date(2028, 3, 31), 1) == dt.date(2028, 2, 29)
    assert selectors.months_before(dt.date(2027, 1, 15), 1) == dt.date(2026, 12, 15)
    assert selectors.months_before(dt.date(2027, 4, 30), 2) == dt.date(2027, 2, 28)


def test_above_thirty_thousand_euros_the_request_is_due_two_months_ahead():
    opens = dt.datetime(2027, 6, 15, 10, 0, tzinfo=PARIS)
    assert selectors.filing_deadline(sales_open_at=opens, capital_cents=3_000_000) == dt.date(
        2027, 5, 15
    )
    assert selectors.filing_deadline(sales_open_at=opens, capital_cents=3_000_001) == dt.date(
        2027, 4, 15
    )


@pytest.mark.django_db
def test_the_papers_count_the_cost_lines():
    lottery = LotteryFactory(ticket_price_cents=500, ticket_cap=200)  # 1,000.00 €
    CostLine.objects.create(lottery=lottery, kind="printing", label="Affiches", amount_cents=10_000)
    CostLine.objects.create(lottery=lottery, kind="prizes", label="Panier", amount_cents=5_000)

    papers = selectors.lottery_papers(lottery=lottery)

    assert papers.capital_cents == 100_000
    assert papers.costs.lines_cents == 15_000 and papers.costs.by_kind["printing"] == 10_000
    assert not papers.costs_over and papers.costs_percent == "15,0"
    CostLine.objects.create(lottery=lottery, kind="other", label="Timbres", amount_cents=1)
    assert selectors.lottery_papers(lottery=lottery).costs_over


@pytest.mark.django_db
def test_a_late_request_is_flagged_while_the_lottery_is_a_draft_and_unauthorised():
    now = dt.datetime(2027, 3, 10, 12, 0, tzinfo=PARIS)
    lottery = LotteryFactory(
        sales_open_at=dt.datetime(2027, 4, 1, 9, 0, tzinfo=PARIS),
        sales_close_at=dt.datetime(2027, 5, 1, 9, 0, tzinfo=PARIS),
        draw_at=dt.datetime(2027, 5, 2, 9, 0, tzinfo=PARIS),
        authorisation_scan="",
    )
    papers = selectors.lottery_papers(lottery=lottery, now=now)
    assert papers.deadline == dt.date(2027, 3, 1) and papers.filing_late
    on_time = selectors.lottery_papers(
        lottery=lottery, now=dt.datetime(2027, 3, 1, 23, 0, tzinfo=PARIS)
    )
    assert not on_time.filing_late


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"authorisation_scan": ""}, "authorisation_scan"),
        ({"authorisation_commune": ""}, "authorisation_commune"),
        ({"authorisation_reference": ""}, "authorisation_reference"),
        ({"authorisation_date": None}, "authorisation_date"),
    ],
)
def test_sales_cannot_open_without_the_whole_authorisation(missing, field):
    lottery = LotteryFactory(**missing)
    PrizeFactory(lottery=lottery)

    with pytest.raises(ValidationError) as caught:
        services.lottery_request_open(lottery=lottery, actor=None)

    assert field in caught.value.message_dict
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT and lottery.open_requested_at is None
