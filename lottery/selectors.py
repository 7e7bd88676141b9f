"""Reads for lotteries: what is on sale, prices, figures, warnings, a buyer's tickets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncHour
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.search.backends import get_search_backend

from associations.models import Association
from assosolos.page_cache import LISTINGS

from .models import Bundle, Lottery, LotteryIndexPage, Order, Prize, Ticket

Status = Lottery.Status
HELD = (Ticket.Status.RESERVED, Ticket.Status.SOLD)

# CSI L322-3: prizes in kind only; mayors usually ask prizes + costs ≤ 15% of sales.
COSTS_RATIO_PERCENT = 15

CASH_LIKE = re.compile(
    r"(€|\beur\b|\beuros?\b|esp[eè]ces|ch[eè]ques?|bons? d[’'\s]?achat|cartes?[\s-]cadeaux?"
    r"|\bcash\b|num[eé]raire|gift\s*cards?|vouchers?|\bvirement\b)",
    re.IGNORECASE,
)


# --- Lists ---------------------------------------------------------------------------


def _tickets_available() -> Coalesce:
    """Free tickets of each lottery row, counted in the query on the ticket pool index."""
    count = (
        Ticket.objects.filter(lottery=OuterRef("pk"), status=Ticket.Status.AVAILABLE)
        .order_by()
        .values("lottery")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def lotteries_open() -> QuerySet[Lottery]:
    """Lotteries whose tickets are on sale, closing soonest first.

    Each carries what a card shows without one more query per lottery: its
    association, its prizes in rank order, `tickets_sold` and `tickets_available`.
    """
    return _with_card_facts(
        # A suspended association's lotteries leave the listings until it is lifted.
        Lottery.objects.filter(status=Status.OPEN, association__status=Association.Status.VERIFIED)
        .select_related("association")
        .annotate(tickets_available=_tickets_available())
        .order_by("sales_close_at", "pk")
    )


def lotteries_open_for_home(*, limit: int = 3) -> list[Lottery]:
    return list(lotteries_open()[:limit])


def lottery_public_get(*, slug: str) -> Lottery | None:
    """A lottery the public may see: anything but a draft."""
    return (
        _with_card_facts(Lottery.objects.exclude(status=Status.DRAFT))
        .select_related("association")
        .filter(slug=slug)
        .first()
    )


# What the anonymous page cache (assosolos.page_cache) keys pages on: one lottery's
# page, and the lists of lotteries (home page, lottery index).
LOTTERY_LISTINGS = LISTINGS


def lottery_page_dependency(lottery_id: int) -> str:
    return f"lottery:{lottery_id}"


PAGE_DATA_CACHE_KEY = "lottery:page-data:{slug}"


@dataclass
class LotteryPageData:
    """What every visitor of a lottery's page sees alike, whoever they are."""

    lottery: Lottery
    prizes: list[Any]
    choices: list[dict[str, int]]
    tickets_left: int


def lottery_page_data(*, slug: str, request: Any = None) -> LotteryPageData | None:
    """The shared part of a lottery's public page, or None for no such public lottery.

    Kept in the cache as long as anonymous pages are (ANONYMOUS_PAGE_CACHE_SECONDS) and
    rebuilt as soon as a sale or a change bumps the lottery's version: signed-in
    visitors then only cost the queries about themselves. Each process also keeps its
    own copy; with `request`, the versions checked are recorded as the page's
    dependencies (see `page_cache.page_depends_on`), so the check is the only round trip.
    """
    from assosolos.page_cache import (
        dependency_versions,
        local_cache,
        page_cache_seconds,
        page_depends_on_versions,
    )

    seconds = page_cache_seconds()
    key = PAGE_DATA_CACHE_KEY.format(slug=slug)
    local = local_cache() if seconds > 0 else None
    if seconds > 0:
        # This process's copy first, then the shared one; either is served only under
        # the current versions, read in one round trip and handed to the page.
        entry = local.get(key) if local is not None else None
        from_local = entry is not None
        if entry is None:
            entry = cache.get(key)
        if entry is not None:
            current = dependency_versions(*entry["versions"])
            if current == entry["versions"]:
                if request is not None:
                    page_depends_on_versions(request, current)
                if local is not None and not from_local:
                    local.set(key, entry, seconds)
                return entry["data"]
    lottery = (
        _with_card_facts(Lottery.objects.exclude(status=Status.DRAFT))
        .select_related("association")
        .prefetch_related("bundles")
        .filter(slug=slug)
        .first()
    )
    if lottery is None:
        return None
    # Read before the figures below, so a sale committed meanwhile makes this stale.
    versions = dependency_versions(lottery_page_dependency(lottery.pk))
    data = LotteryPageData(
        lottery=lottery,
        prizes=list(lottery.prizes.all()),
        choices=purchase_choices(lottery=lottery),
        tickets_left=lottery_tickets_left(lottery=lottery),
    )
    if seconds > 0:
        cache.set(key, {"versions": versions, "data": data}, seconds)
        if local is not None:
            local.set(key, {"versions": versions, "data": data}, seconds)
    return data


INDEX_URL_CACHE_KEY = "lottery:index-url"
INDEX_URL_CACHE_SECONDS = 300
_SLUG_MARK = "lottery-slug-mark"


def lottery_url_template() -> str:
    """The public URL of a lottery with `{slug}` in place of its slug, "" without an index.

    A lottery's page lives under the live lottery index page; finding that page is
    a query, and every card and link needs it, so the answer is kept in the cache
    (and forgotten whenever an index page is published, unpublished, moved or deleted).
    """
    from assosolos.page_cache import local_copy

    def shared() -> str:
        template = cache.get(INDEX_URL_CACHE_KEY)
        if template is None:
            template = ""
            index = LotteryIndexPage.objects.live().first()
            index_url = index.get_url() if index is not None else None
            if index_url:
                subpage = index.reverse_subpage("lottery", args=[_SLUG_MARK])
                template = (index_url + subpage).replace(_SLUG_MARK, "{slug}")
            cache.set(INDEX_URL_CACHE_KEY, template, INDEX_URL_CACHE_SECONDS)
        return template

    return local_copy(INDEX_URL_CACHE_KEY, shared)


def lottery_url_template_forget(**kwargs: Any) -> None:
    from assosolos.page_cache import local_cache

    cache.delete(INDEX_URL_CACHE_KEY)
    local = local_cache()
    if local is not None:
        local.delete(INDEX_URL_CACHE_KEY)


def lotteries_of_association(*, association: Any) -> QuerySet[Lottery]:
    return (
        Lottery.objects.filter(association=association)
        .annotate(tickets_available=_tickets_available())
        .order_by("-created_at", "-pk")
    )


# --- Tickets and prices --------------------------------------------------------------


def lottery_tickets_left(*, lottery: Lottery) -> int:
    """Tickets still free. Before sales open, the whole cap."""
    if lottery.status == Status.DRAFT:
        return lottery.ticket_cap
    if lottery.status != Status.OPEN:
        return 0
    annotated = getattr(lottery, "tickets_available", None)  # from a list's query
    if annotated is not None:
        return annotated
    return Ticket.objects.filter(lottery=lottery, status=Ticket.Status.AVAILABLE).count()


def buyer_ticket_count(*, lottery_id: int, buyer_id: int) -> int:
    """Tickets a person holds in a lottery: pending orders hold theirs, paid ones own them."""
    total = Order.objects.filter(
        lottery_id=lottery_id,
        buyer_id=buyer_id,
        status__in=(Order.Status.PENDING, Order.Status.PAID),
    ).aggregate(n=Sum("quantity"))["n"]
    return total or 0


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
    return bool(CASH_LIKE.search(name or ""))


def lottery_prizes_value_cents(*, lottery: Lottery) -> int:
    return sum(p.value_cents * p.quantity for p in lottery.prizes.all())


def lottery_warnings(*, lottery: Lottery) -> list[str]:
    """Things an admin should check, which do not block opening."""
    warnings = []
    for prize in lottery.prizes.all():
        if prize_looks_like_cash(name=prize.name):
            warnings.append(
                _(
                    "The prize “%(name)s” looks like money. The law (CSI L322-3) allows "
                    "prizes in kind only: no cash, cheques, vouchers or gift cards."
                )
                % {"name": prize.name}
            )
    spent = lottery_prizes_value_cents(lottery=lottery) + lottery.costs_cents
    takings = lottery.ticket_price_cents * lottery.ticket_cap
    if spent * 100 > COSTS_RATIO_PERCENT * takings:
        percent = (spent * 100 // takings) if takings else 100
        warnings.append(
            _(
                "Prizes and costs come to %(percent)s%% of the ticket value at cap; mayors "
                "usually ask for no more than %(limit)s%%."
            )
            % {"percent": percent, "limit": COSTS_RATIO_PERCENT}
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


def lottery_figures(*, lottery: Lottery) -> LotteryFigures:
    figures = LotteryFigures()
    counts = dict(
        Ticket.objects.filter(lottery=lottery)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    figures.sold = counts.get(Ticket.Status.SOLD, 0)
    figures.reserved = counts.get(Ticket.Status.RESERVED, 0)
    figures.void = counts.get(Ticket.Status.VOID, 0)
    figures.available = lottery_tickets_left(lottery=lottery)
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
    return figures


def lottery_sales_series(*, lottery: Lottery) -> list[tuple[datetime, int]]:
    """Cumulative tickets sold over time: by hour over short sales, by day otherwise."""
    sold = Ticket.objects.filter(lottery=lottery, sold_at__isnull=False).exclude(
        status=Ticket.Status.AVAILABLE
    )
    span = sold.order_by("sold_at").values_list("sold_at", flat=True)
    first, last = span.first(), sold.order_by("-sold_at").values_list("sold_at", flat=True).first()
    if first is None:
        return []
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
    return series


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
        group = groups.setdefault(order.lottery_id, LotteryTickets(order.lottery, [], []))
        group.orders.append(order)
        if order.status == Order.Status.PAID:
            group.numbers.extend(order.numbers)
    for group in groups.values():
        group.numbers.sort()
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


# --- Public pages: cards, sales state, an association's lotteries ----------------------

# What search and search engines list: not drafts, not cancelled lotteries.
LISTED_STATUSES = (Status.OPEN, Status.CLOSED, Status.DRAWN)


def _with_card_facts(lotteries: QuerySet[Lottery]) -> QuerySet[Lottery]:
    """Adds what a lottery card shows: `tickets_sold`, and the prizes in rank order."""
    sold = (
        Ticket.objects.filter(lottery=OuterRef("pk"), status=Ticket.Status.SOLD)
        .order_by()
        .values("lottery")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return lotteries.annotate(tickets_sold=Coalesce(Subquery(sold), 0)).prefetch_related(
        Prefetch("prizes", queryset=Prize.objects.order_by("rank", "pk"))
    )


def lottery_first_prize_image(*, lottery: Lottery) -> Any:
    """The image of the best-ranked prize that has one, or None (uses prefetched prizes)."""
    for prize in lottery.prizes.all():
        if prize.image:
            return prize.image
    return None


def lottery_shows_sales_progress(*, lottery: Lottery) -> bool:
    """A cancelled lottery refunded its tickets: a count of sold tickets would mislead."""
    return lottery.status != Status.CANCELLED and lottery.ticket_cap > 0


@dataclass(frozen=True)
class SalesState:
    """Where a lottery's ticket sales stand, as its public page tells it.

    `countdown` says whether counting down to the closing and the draw means
    anything: never once sales have stopped for good or are suspended.
    """

    on_sale: bool
    countdown: bool
    message: str = ""
    level: str = "info"


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def lottery_sales_state(
    *, lottery: Lottery, tickets_left: int | None = None, now: datetime | None = None
) -> SalesState:
    """Whether tickets are on sale and, when they are not, why, in one sentence."""
    now = now or timezone.now()
    if lottery.status == Status.CANCELLED:
        at = _transition_at(lottery=lottery, to_status=Status.CANCELLED)
        return SalesState(
            on_sale=False,
            countdown=False,
            level="error",
            message=_(
                "The association cancelled this lottery on %(date)s. Every ticket bought "
                "online is refunded."
            )
            % {"date": _when(at)},
        )
    if lottery.status in (Status.CLOSED, Status.DRAWN) or (
        lottery.status == Status.OPEN and lottery.sales_close_at <= now
    ):
        at = _transition_at(lottery=lottery, to_status=Status.CLOSED) or lottery.sales_close_at
        if lottery.status == Status.DRAWN:
            message = _("Ticket sales closed on %(date)s and the draw has taken place.")
        else:
            message = _("Ticket sales closed on %(date)s.")
        return SalesState(on_sale=False, countdown=False, message=message % {"date": _when(at)})
    if lottery.association.status != lottery.association.Status.VERIFIED:
        return SalesState(
            on_sale=False,
            countdown=False,
            level="warning",
            message=_("Ticket sales are suspended while the platform reviews the association."),
        )
    if lottery.status == Status.DRAFT or lottery.sales_open_at > now:
        return SalesState(
            on_sale=False,
            countdown=True,
            message=_("Sales open on %(date)s.") % {"date": _when(lottery.sales_open_at)},
        )
    if tickets_left is None:
        tickets_left = lottery_tickets_left(lottery=lottery)
    if tickets_left <= 0:
        return SalesState(
            on_sale=False,
            countdown=True,
            level="warning",
            message=_(
                "All tickets are sold or held at the moment. Held tickets that are not paid "
                "come back on sale within minutes."
            ),
        )
    return SalesState(on_sale=True, countdown=True)


def _transition_at(*, lottery: Lottery, to_status: str) -> datetime | None:
    return (
        lottery.transitions.filter(to_status=to_status)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )


@dataclass
class AssociationLotteries:
    open: list[Lottery]
    coming: list[Lottery]
    past: list[Lottery]

    def __bool__(self) -> bool:
        return bool(self.open or self.coming or self.past)


def lotteries_public_of_association(
    *, association: Any, now: datetime | None = None
) -> AssociationLotteries:
    """An association's lotteries for its public page: on sale, coming, and past.

    Coming ones include drafts whose opening is scheduled (shown without a link, as
    their page is not public until they open).
    """
    now = now or timezone.now()
    lotteries = _with_card_facts(
        Lottery.objects.filter(association=association)
        .filter(~Q(status=Status.DRAFT) | Q(open_requested_at__isnull=False))
        .select_related("association")
        .order_by("sales_open_at", "pk")
    )
    groups = AssociationLotteries(open=[], coming=[], past=[])
    for lottery in lotteries:
        lottery.page_is_public = lottery.status != Status.DRAFT
        if lottery.status == Status.DRAFT or (
            lottery.status == Status.OPEN and lottery.sales_open_at > now
        ):
            groups.coming.append(lottery)
        elif lottery.status == Status.OPEN and lottery.sales_close_at > now:
            groups.open.append(lottery)
        else:
            groups.past.append(lottery)
    groups.past.reverse()
    return groups


def lotteries_search(*, query: str, limit: int = 5) -> list[Lottery]:
    """Public lotteries matching `query` (plain words), best first, for the site search.

    Public: open, closed or drawn (not drafts, not cancelled), of a verified association.
    """
    if not query.strip():
        return []
    verified = list(
        Association.objects.filter(status=Association.Status.VERIFIED).values_list("pk", flat=True)
    )
    lotteries = Lottery.objects.filter(
        status__in=LISTED_STATUSES, association_id__in=verified
    ).select_related("association")
    return list(get_search_backend().search(query, lotteries)[:limit])


def lotteries_public_for_sitemap() -> QuerySet[Lottery]:
    """Lotteries whose page search engines may list: open, closed or drawn, of a verified
    association."""
    return Lottery.objects.filter(
        status__in=LISTED_STATUSES, association__status=Association.Status.VERIFIED
    ).order_by("pk")
