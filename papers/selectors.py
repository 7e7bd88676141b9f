"""The lottery's figures for the law: issue capital, thresholds, deadline, costs, funds.

All amounts are integer cents; every comparison is on cents, so the boundaries are
exact. The rules, with their sources, are in docs/compliance.md:

- the issue capital is the ticket price times the number of tickets issued;
- above 7,500 € of issue capital the mayor asks for the last year's accounts;
- above 30,000 € the mayor first consults the public finance office (DDFiP or DRFiP), which
  takes longer: the request is best filed two months ahead rather than one;
- the request is filed at least a month before sales open (Paris calendar);
- organisation costs may not exceed 15 % of the issue capital.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum

from associations.models import AssociationDocument
from lottery.models import Lottery, Order
from lottery.selectors.money import OnlineMoney, lotteries_online_money, lottery_online_money

from .models import CostLine, FundUse, LotteryRequest

PARIS = ZoneInfo("Europe/Paris")
ACCOUNTS_THRESHOLD_CENTS = 750_000
FINANCE_OFFICE_THRESHOLD_CENTS = 3_000_000
COSTS_LIMIT_PERCENT = 15
FILING_MONTHS = 1
FILING_MONTHS_FINANCE_OFFICE = 2


def issue_capital_cents(*, ticket_price_cents: int, ticket_cap: int) -> int:
    return ticket_price_cents * ticket_cap


def accounts_required(capital_cents: int) -> bool:
    return capital_cents > ACCOUNTS_THRESHOLD_CENTS


def finance_office_consulted(capital_cents: int) -> bool:
    return capital_cents > FINANCE_OFFICE_THRESHOLD_CENTS


def costs_limit_cents(capital_cents: int) -> int:
    """The most the costs may come to: 15 % of the issue capital, in whole cents (down)."""
    return capital_cents * COSTS_LIMIT_PERCENT // 100


def costs_over_limit(*, costs_cents: int, capital_cents: int) -> bool:
    # Exact: costs × 100 against capital × 15, with no rounding on either side.
    return costs_cents * 100 > capital_cents * COSTS_LIMIT_PERCENT


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, or the month's last day if shorter."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    if year < dt.MINYEAR:
        # A date the forms refuse, but a row may hold (see lottery.services.date_window).
        return dt.date.min
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def filing_deadline(*, sales_open_at: dt.datetime, capital_cents: int) -> dt.date:
    """The last day to file: a month (two above 30,000 €) before sales open, in Paris."""
    months = (
        FILING_MONTHS_FINANCE_OFFICE if finance_office_consulted(capital_cents) else FILING_MONTHS
    )
    try:
        opening_day = sales_open_at.astimezone(PARIS).date()
    except OverflowError:  # the last hours of year 9999, which Paris time cannot show
        opening_day = dt.date.max
    return months_before(opening_day, months)


def lottery_authorised(lottery: Lottery) -> bool:
    """The mayor's authorisation is recorded in full: reference, date, commune and scan."""
    return bool(
        lottery.authorisation_reference.strip()
        and lottery.authorisation_date
        and lottery.authorisation_commune.strip()
        and lottery.authorisation_scan
    )


def paris_today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(PARIS).date()


@dataclass(frozen=True)
class Costs:
    lines_cents: int
    stripe_fees_cents: int
    platform_fees_cents: int
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total_cents(self) -> int:
        return self.lines_cents + self.stripe_fees_cents + self.platform_fees_cents


@dataclass(frozen=True)
class Papers:
    """Everything the papers page, the request and the checks need, read once."""

    lottery: Lottery
    request: LotteryRequest | None
    capital_cents: int
    costs: Costs
    online: OnlineMoney
    deadline: dt.date
    today: dt.date
    accounts_on_file: bool
    cost_lines: list[CostLine]

    @property
    def accounts_required(self) -> bool:
        return accounts_required(self.capital_cents)

    @property
    def finance_office(self) -> bool:
        return finance_office_consulted(self.capital_cents)

    @property
    def costs_limit_cents(self) -> int:
        return costs_limit_cents(self.capital_cents)

    @property
    def costs_over(self) -> bool:
        return costs_over_limit(
            costs_cents=self.costs.total_cents, capital_cents=self.capital_cents
        )

    @property
    def costs_percent(self) -> str:
        """The costs' share of the issue capital, to one decimal (display only)."""
        if not self.capital_cents:
            return "0"
        tenths = (self.costs.total_cents * 1000 * 2 + self.capital_cents) // (
            2 * self.capital_cents
        )
        return f"{tenths // 10},{tenths % 10}"

    @property
    def filing_late(self) -> bool:
        return (
            self.lottery.status == Lottery.Status.DRAFT
            and not self.authorised
            and (self.today > self.deadline)
        )

    @property
    def authorised(self) -> bool:
        return lottery_authorised(self.lottery)

    @property
    def authorisation_missing(self) -> list[str]:
        from django.utils.translation import gettext as _

        lottery = self.lottery
        missing = []
        if not lottery.authorisation_reference.strip():
            missing.append(_("its reference"))
        if not lottery.authorisation_date:
            missing.append(_("its date"))
        if not lottery.authorisation_commune.strip():
            missing.append(_("the commune"))
        if not lottery.authorisation_scan:
            missing.append(_("the scan of the signed arrêté"))
        return missing


def lottery_costs(*, lottery: Lottery, online: OnlineMoney | None = None) -> Costs:
    online = online or lottery_online_money(lottery_id=lottery.pk)
    by_kind = dict(
        CostLine.objects.filter(lottery=lottery)
        .values("kind")
        .annotate(total=Sum("amount_cents"))
        .order_by()
        .values_list("kind", "total")
    )
    return Costs(
        lines_cents=sum(by_kind.values()),
        stripe_fees_cents=online.stripe_fees_cents,
        platform_fees_cents=online.platform_fees_cents,
        by_kind=by_kind,
    )


def lottery_papers(*, lottery: Lottery, now: dt.datetime | None = None) -> Papers:
    online = lottery_online_money(lottery_id=lottery.pk)
    capital = issue_capital_cents(
        ticket_price_cents=lottery.ticket_price_cents, ticket_cap=lottery.ticket_cap
    )
    return Papers(
        lottery=lottery,
        request=LotteryRequest.objects.filter(lottery=lottery).first(),
        capital_cents=capital,
        costs=lottery_costs(lottery=lottery, online=online),
        online=online,
        deadline=filing_deadline(sales_open_at=lottery.sales_open_at, capital_cents=capital),
        today=paris_today(now),
        accounts_on_file=AssociationDocument.objects.filter(
            association_id=lottery.association_id, kind=AssociationDocument.Kind.ACCOUNTS
        ).exists(),
        cost_lines=list(CostLine.objects.filter(lottery=lottery)),
    )


# --- The funds raised ----------------------------------------------------------------

# Money taken: paid orders, and refunded ones (the money came in, then went back).
# A voided cash sale was a mistake: no money changed hands.
_TAKEN = Q(status__in=(Order.Status.PAID, Order.Status.REFUNDED))


@dataclass(frozen=True)
class Funds:
    online_cents: int
    offline_cents: int
    refunded_cents: int
    costs: Costs
    used_cents: int
    paid_orders: int

    @property
    def raised_cents(self) -> int:
        return self.online_cents + self.offline_cents

    @property
    def net_cents(self) -> int:
        """What remains for the cause: raised, less refunds and every cost."""
        return self.raised_cents - self.refunded_cents - self.costs.total_cents

    @property
    def unspent_cents(self) -> int:
        return self.net_cents - self.used_cents


def lottery_funds(*, lottery: Lottery) -> Funds:
    """The lottery's money from its orders, in a fixed number of queries.

    Online and offline takings and refunds (partial ones included) from one
    aggregate over the orders; fees from the online figures; the recorded costs and
    uses from their own aggregates.
    """
    online_channel = Q(channel=Order.Channel.ONLINE)
    row = Order.objects.filter(_TAKEN, lottery=lottery).aggregate(
        online=Sum("amount_cents", filter=online_channel),
        offline=Sum("amount_cents", filter=~online_channel),
        refunded=Sum("refunded_cents"),
        paid_orders=Count("pk", filter=Q(status=Order.Status.PAID)),
    )
    used = FundUse.objects.filter(lottery=lottery).aggregate(total=Sum("amount_cents"))["total"]
    return Funds(
        online_cents=row["online"] or 0,
        offline_cents=row["offline"] or 0,
        refunded_cents=row["refunded"] or 0,
        costs=lottery_costs(lottery=lottery),
        used_cents=used or 0,
        paid_orders=row["paid_orders"],
    )


def lottery_fund_uses(*, lottery: Lottery) -> list[FundUse]:
    return list(FundUse.objects.filter(lottery=lottery))


# --- The association's dashboard -----------------------------------------------------


@dataclass(frozen=True)
class PapersFlag:
    lottery: Lottery
    capital_cents: int
    costs_cents: int
    costs_over: bool
    authorised: bool
    deadline: dt.date
    filing_late: bool

    @property
    def needs_attention(self) -> bool:
        return self.costs_over or self.filing_late or not self.authorised


def lotteries_papers_flags(
    *, lotteries: list[Lottery], now: dt.datetime | None = None
) -> list[PapersFlag]:
    """What needs attention in each lottery's papers, in three queries whatever their number."""
    ids = [lottery.pk for lottery in lotteries]
    online = lotteries_online_money(lottery_ids=ids)
    lines = dict(
        CostLine.objects.filter(lottery_id__in=ids)
        .values("lottery_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
        .values_list("lottery_id", "total")
    )
    today = paris_today(now)
    flags = []
    for lottery in lotteries:
        money = online[lottery.pk]
        costs = lines.get(lottery.pk, 0) + money.stripe_fees_cents + money.platform_fees_cents
        capital = issue_capital_cents(
            ticket_price_cents=lottery.ticket_price_cents, ticket_cap=lottery.ticket_cap
        )
        authorised = lottery_authorised(lottery)
        deadline = filing_deadline(sales_open_at=lottery.sales_open_at, capital_cents=capital)
        flags.append(
            PapersFlag(
                lottery=lottery,
                capital_cents=capital,
                costs_cents=costs,
                costs_over=costs_over_limit(costs_cents=costs, capital_cents=capital),
                authorised=authorised,
                deadline=deadline,
                filing_late=lottery.status == Lottery.Status.DRAFT
                and not authorised
                and today > deadline,
            )
        )
    return flags
