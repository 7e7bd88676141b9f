"""Reads about selling: tickets left, prices, warnings, figures, orders, the back office."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..draw.selectors import winnings_of_user
from ..models import Bundle, Lottery, Order, Ticket
from .common import CASH_LIKE, CASH_PRIZE, Status
from .counts import LotteryCounts, lottery_counts_from

# --- Tickets and prices --------------------------------------------------------------


def lottery_tickets_left(*, lottery: Lottery) -> int:
    """Tickets still free (`LotteryCounts.left`). Before sales open, the whole cap."""
    if lottery.status == Status.DRAFT:
        return lottery.ticket_cap
    if lottery.status != Status.OPEN:
        return 0
    annotated = getattr(lottery, "tickets_available", None)  # from a list's query
    if annotated is not None:
        return annotated
    # One count, cheaper than every counter: the reservation path asks it often.
    return Ticket.objects.filter(lottery=lottery, status=Ticket.Status.AVAILABLE).count()


def price_for_quantity(
    *, lottery: Lottery, quantity: int, bundles: list[Bundle] | None = None
) -> int:
    """The lowest price in cents for exactly `quantity` tickets, combining bundles and singles."""
    if quantity <= 0:
        return 0
    if bundles is None:
        sizes = Bundle.objects.filter(lottery=lottery).values_list("quantity", "price_cents")
    else:
        sizes = ((b.quantity, b.price_cents) for b in bundles)
    return price_from_table(
        unit_cents=lottery.ticket_price_cents, bundles=tuple(sizes), quantity=quantity
    )


@lru_cache(maxsize=1024)
def price_from_table(
    *, unit_cents: int, bundles: tuple[tuple[int, int], ...], quantity: int
) -> int:
    """`price_for_quantity` from a price table: the single price and (size, price) bundles.

    Pure, so its answers are kept: a rush asks the same few questions again and again.
    """
    if quantity <= 0:
        return 0
    options = [(1, unit_cents)] + [(q, p) for q, p in bundles if q > 0]
    best = [0] + [None] * quantity
    for n in range(1, quantity + 1):
        candidates = [
            best[n - size] + price
            for size, price in options
            if size <= n and best[n - size] is not None
        ]
        best[n] = min(candidates) if candidates else None
    return best[quantity] or 0


def purchase_choices(*, lottery: Lottery) -> list[dict[str, int]]:
    """What the buy form offers: each bundle, with its saving over single tickets."""
    choices = []
    for bundle in lottery.bundles.all():
        full = bundle.quantity * lottery.ticket_price_cents
        choices.append(
            {
                "quantity": bundle.quantity,
                "price_cents": bundle.price_cents,
                "saving_cents": max(full - bundle.price_cents, 0),
            }
        )
    return choices


# --- Warnings ------------------------------------------------------------------------


def prize_looks_like_cash(*, name: str) -> bool:
    """The name mentions money in any way (an amount included): worth a second look."""
    return bool(CASH_LIKE.search(name or ""))


def prize_is_cash(*, name: str) -> bool:
    """The prize is money or stands for it (cash, cheque, voucher, gift card...)."""
    return bool(CASH_PRIZE.search(name or ""))


def lottery_prizes_value_cents(*, lottery: Lottery) -> int:
    return sum(p.value_cents * p.quantity for p in lottery.prizes.all())


def prize_cash_refusal(*, name: str) -> str:
    return _(
        "The prize “%(name)s” is money or stands for it (cash, cheque, voucher, gift "
        "card). A solidarity lottery may only offer goods: article L322-3 of the Code de "
        "la sécurité intérieure allows lotteries of movable objects (“loteries d'objets "
        "mobiliers”) only. Replace it with a prize in kind before opening sales."
    ) % {"name": name}


def lottery_sales_window_warning(*, lottery: Lottery) -> str:
    """A warning when sales last less than LOTTERY_SHORT_SALES_WINDOW_HOURS, else ""."""
    hours = settings.LOTTERY_SHORT_SALES_WINDOW_HOURS
    opens, closes = lottery.sales_open_at, lottery.sales_close_at
    if lottery.status not in (Status.DRAFT, Status.OPEN):
        return ""  # a setup warning: nothing can change any more
    if not hours or opens is None or closes is None or closes <= opens:
        return ""
    if closes - opens >= timedelta(hours=hours):
        return ""
    minutes = int((closes - opens).total_seconds() // 60)
    return ngettext(
        "Sales last only %(minutes)s minute (from opening to closing), less than %(hours)s "
        "hours: few people will have the time to buy. Check the dates.",
        "Sales last only %(minutes)s minutes (from opening to closing), less than %(hours)s "
        "hours: few people will have the time to buy. Check the dates.",
        minutes,
    ) % {"minutes": minutes, "hours": hours}


def lottery_warnings(*, lottery: Lottery) -> list[str]:
    """Things an admin should check: prizes that block opening, then mere doubts."""
    warnings = []
    window = lottery_sales_window_warning(lottery=lottery)
    if window:
        warnings.append(window)
    for prize in lottery.prizes.all():
        if prize_is_cash(name=prize.name):
            warnings.append(prize_cash_refusal(name=prize.name))
        elif prize_looks_like_cash(name=prize.name):
            warnings.append(
                _(
                    "The prize “%(name)s” mentions an amount. The law (CSI L322-3) allows "
                    "prizes in kind only: make sure it is goods, not money or a voucher."
                )
                % {"name": prize.name}
            )
    return warnings


# --- Figures -------------------------------------------------------------------------


@dataclass
class LotteryFigures:
    sold: int = 0
    reserved: int = 0
    available: int = 0
    void: int = 0
    paid_orders: int = 0
    pending_orders: int = 0
    takings_cents: int = 0
    takings_by_channel: dict[str, int] = field(default_factory=dict)
    counts: LotteryCounts | None = None


def lottery_figures(*, lottery: Lottery) -> LotteryFigures:
    figures = LotteryFigures()
    counts = dict(
        Ticket.objects.filter(lottery=lottery)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    figures.void = counts.get(Ticket.Status.VOID, 0)
    paid = Order.objects.filter(lottery=lottery, status=Order.Status.PAID)
    figures.paid_orders = paid.count()
    figures.pending_orders = Order.objects.filter(
        lottery=lottery, status=Order.Status.PENDING
    ).count()
    for channel, total in (
        paid.values_list("channel").annotate(t=Sum("amount_cents")).values_list("channel", "t")
    ):
        figures.takings_by_channel[channel] = total or 0
    figures.takings_cents = sum(figures.takings_by_channel.values())
    # Sold, reserved and left by the rule every other page uses.
    figures.counts = lottery_counts_from(
        lottery=lottery, by_status=counts, raised_cents=figures.takings_cents
    )
    figures.sold, figures.reserved = figures.counts.sold, figures.counts.reserved
    figures.available = figures.counts.left
    return figures


@dataclass(frozen=True)
class SalesHistory:
    """Cumulative tickets sold per period, and the exact times of the first and last sale.

    The periods are hours or days (what the chart draws); the summary reads the exact
    times, so five sales between 13:02 and 13:17 do not read "between 13:00 and 13:00".
    """

    series: list[tuple[datetime, int]]
    first_at: datetime | None = None
    last_at: datetime | None = None


def lottery_sales_history(*, lottery: Lottery) -> SalesHistory:
    """Cumulative tickets sold over time: by hour over short sales, by day otherwise."""
    sold = Ticket.objects.filter(lottery=lottery, sold_at__isnull=False).exclude(
        status=Ticket.Status.AVAILABLE
    )
    span = sold.order_by().aggregate(first=Min("sold_at"), last=Max("sold_at"))
    first, last = span["first"], span["last"]
    if first is None:
        return SalesHistory(series=[])
    trunc = TruncHour if (last - first).total_seconds() < 3 * 86400 else TruncDate
    tz = timezone.get_current_timezone()
    rows = (
        sold.annotate(bucket=trunc("sold_at", tzinfo=tz))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket")
        .values_list("bucket", "n")
    )
    series, total = [], 0
    for bucket, n in rows:
        total += n
        if not isinstance(bucket, datetime):  # a date, from TruncDate
            bucket = timezone.make_aware(datetime(bucket.year, bucket.month, bucket.day), tz)
        series.append((bucket, total))
    return SalesHistory(series=series, first_at=first, last_at=last)


def lottery_sales_series(*, lottery: Lottery) -> list[tuple[datetime, int]]:
    return lottery_sales_history(lottery=lottery).series


# --- Orders --------------------------------------------------------------------------


def lottery_orders(*, lottery: Lottery) -> QuerySet[Order]:
    return (
        Order.objects.filter(lottery=lottery)
        .select_related("buyer", "recorded_by")
        .order_by("-created_at", "-pk")
    )


def ticket_numbers(*, orders: list[Order]) -> dict[int, list[int]]:
    """Ticket numbers per order id, in one query (released numbers excluded)."""
    ids = [o.pk for o in orders]
    result: dict[int, list[int]] = {pk: [] for pk in ids}
    rows = (
        Ticket.objects.filter(order_id__in=ids)
        .exclude(status=Ticket.Status.AVAILABLE)
        .order_by("number")
        .values_list("order_id", "number")
    )
    for order_id, number in rows:
        result[order_id].append(number)
    return result


def orders_pending_for_reconcile(
    *, older_than: datetime, expired_since: datetime | None = None
) -> QuerySet[Order]:
    """Online orders with a PaymentIntent whose outcome we may have missed.

    Pending ones created before `older_than`; and, when `expired_since` is given,
    those whose hold expired after it (a lost `succeeded` webhook must still be
    served or refunded).
    """
    query = Q(status=Order.Status.PENDING, created_at__lt=older_than)
    if expired_since is not None:
        query |= Q(status=Order.Status.EXPIRED, expires_at__gte=expired_since)
    return (
        Order.objects.filter(query, channel=Order.Channel.ONLINE)
        .exclude(stripe_payment_intent_id__isnull=True)
        .exclude(stripe_payment_intent_id="")
        .order_by("created_at", "pk")
    )


@dataclass
class LotteryTickets:
    lottery: Lottery
    orders: list[Order]
    numbers: list[int]
    # The prizes these tickets won (`DrawWinner` rows), once the lottery is drawn.
    wins: list[Any] = field(default_factory=list)


def tickets_of_user(*, user: Any) -> list[LotteryTickets]:
    """A person's orders that hold or held tickets, grouped by lottery, latest first."""
    orders = list(
        Order.objects.filter(buyer=user)
        .exclude(status__in=(Order.Status.EXPIRED, Order.Status.FAILED))
        .select_related("lottery", "lottery__association")
        .order_by("-created_at", "-pk")
    )
    numbers = ticket_numbers(orders=orders)
    groups: dict[int, LotteryTickets] = {}
    for order in orders:
        order.numbers = numbers[order.pk]
        order.has_receipt = order.status == Order.Status.PAID
        group = groups.setdefault(order.lottery_id, LotteryTickets(order.lottery, [], []))
        group.orders.append(order)
        if order.status == Order.Status.PAID:
            group.numbers.extend(order.numbers)
    for group in groups.values():
        group.numbers.sort()
    if any(group.lottery.status == Status.DRAWN for group in groups.values()):
        for lottery_id, wins in winnings_of_user(user=user).items():
            if lottery_id in groups:
                groups[lottery_id].wins = wins
    return list(groups.values())


# --- Back office ---------------------------------------------------------------------


def lottery_ledger_sealed(*, lottery: Lottery) -> bool:
    """Whether the ticket ledger is sealed for the draw: from then on no order may change."""
    return lottery.status == Status.DRAWN or lottery.ledger_sealed_at is not None


def order_events(*, order: Order) -> QuerySet:
    """The changes made to an order from the back office, oldest first."""
    return order.events.select_related("by").order_by("at", "pk")


def order_actions(*, order: Order, lottery: Lottery) -> set[str]:
    """What the back office may still do to an order: "refund", "void", "correct"."""
    if lottery_ledger_sealed(lottery=lottery) or order.status != Order.Status.PAID:
        return set()
    if order.channel == Order.Channel.ONLINE:
        return {"refund"} if order.stripe_payment_intent_id else set()
    return {"void", "correct"}
