"""Reads for the public pages: listings, a lottery's page and its cached parts, cards, search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.search.backends import get_search_backend

from associations.models import Association
from assosolos.page_cache import LISTINGS
from connect.selectors import payments_ready_exists

from ..models import Lottery, LotteryIndexPage, Prize
from .actions import NotOnSale, lottery_not_on_sale
from .common import Status
from .counts import LotteryCounts, lotteries_with_counts, lottery_counts
from .sales import purchase_choices

# --- Lists ---------------------------------------------------------------------------


def lotteries_open() -> QuerySet[Lottery]:
    """Lotteries whose tickets are on sale, closing soonest first.

    Each carries what a card shows without one more query per lottery: its
    association, its prizes in rank order and its counters (`lottery_counts`).
    """
    return _with_card_facts(
        # A suspended association's lotteries leave the listings until it is lifted.
        Lottery.objects.filter(status=Status.OPEN, association__status=Association.Status.VERIFIED)
        .select_related("association")
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


# v2: the page data carries the counters (an older copy has no `counts`).
PAGE_DATA_CACHE_KEY = "lottery:page-data:v2:{slug}"


@dataclass
class LotteryPageData:
    """What every visitor of a lottery's page sees alike, whoever they are."""

    lottery: Lottery
    prizes: list[Any]
    choices: list[dict[str, int]]
    counts: LotteryCounts
    # The association's Stripe account can take payments (else no online sale).
    online_ready: bool = True


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
        .annotate(online_ready=payments_ready_exists(association_ref=OuterRef("association_id")))
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
        counts=lottery_counts(lottery=lottery),
        online_ready=lottery.online_ready,
    )
    if seconds > 0:
        cache.set(key, {"versions": versions, "data": data}, seconds)
        if local is not None:
            local.set(key, {"versions": versions, "data": data}, seconds)
    return data


def lottery_index_page() -> LotteryIndexPage | None:
    """The CMS page that holds the index's title and introduction, if editors made one:
    its translation in the active language if there is one, else the page itself."""
    pages = LotteryIndexPage.objects.live().select_related("locale")
    by_language = {page.locale.language_code: page for page in pages}
    language = translation.get_language() or settings.LANGUAGE_CODE
    return (
        by_language.get(language)
        or by_language.get(settings.LANGUAGE_CODE)
        or next(iter(by_language.values()), None)
    )


def lotteries_of_association(*, association: Any) -> QuerySet[Lottery]:
    return lotteries_with_counts(
        Lottery.objects.filter(association=association).order_by("-created_at", "-pk")
    )


# --- Public pages: cards, sales state, an association's lotteries ----------------------

# What search and search engines list: not drafts, not cancelled lotteries.
LISTED_STATUSES = (Status.OPEN, Status.CLOSED, Status.DRAWN)


def _with_card_facts(lotteries: QuerySet[Lottery]) -> QuerySet[Lottery]:
    """Adds what a lottery card shows: its counters, and the prizes in rank order."""
    return lotteries_with_counts(lotteries).prefetch_related(
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
    reason = lottery_not_on_sale(lottery=lottery, now=now)
    if reason == NotOnSale.CANCELLED:
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
    if reason in (NotOnSale.CLOSED, NotOnSale.DRAWN):
        at = _transition_at(lottery=lottery, to_status=Status.CLOSED) or lottery.sales_close_at
        if reason == NotOnSale.DRAWN:
            message = _("Ticket sales closed on %(date)s and the draw has taken place.")
        else:
            message = _("Ticket sales closed on %(date)s.")
        return SalesState(on_sale=False, countdown=False, message=message % {"date": _when(at)})
    if reason == NotOnSale.ASSOCIATION:
        return SalesState(
            on_sale=False,
            countdown=False,
            level="warning",
            message=_("Ticket sales are suspended while the platform reviews the association."),
        )
    if reason == NotOnSale.NOT_YET:
        return SalesState(
            on_sale=False,
            countdown=True,
            message=_("Sales open on %(date)s.") % {"date": _when(lottery.sales_open_at)},
        )
    if tickets_left is None:
        tickets_left = lottery_counts(lottery=lottery).left
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


# --- The lottery index: on sale, coming, waiting for the draw, drawn ------------------


class LotteryPhase:
    """Where a lottery stands on the index, in the order the index lists them."""

    ON_SALE = 0
    COMING = 1
    DRAW_PENDING = 2
    DRAWN = 3


def lotteries_for_index(*, now: datetime | None = None) -> QuerySet[Lottery]:
    """Every lottery the public index lists, in one ordered queryset to paginate.

    On sale first (closing soonest first), then coming (opening soonest; scheduled
    drafts have no page yet), then those whose sales closed and whose draw is to come,
    then the drawn ones, newest draw first. Each row carries `phase` (`LotteryPhase`),
    `page_is_public` and the card facts, so a page of it costs the same few queries
    however many lotteries there are.
    """
    now = now or timezone.now()
    phase = Case(
        When(status=Status.DRAWN, then=Value(LotteryPhase.DRAWN)),
        When(status=Status.CLOSED, then=Value(LotteryPhase.DRAW_PENDING)),
        When(status=Status.DRAFT, then=Value(LotteryPhase.COMING)),
        When(sales_open_at__gt=now, then=Value(LotteryPhase.COMING)),
        When(sales_close_at__lte=now, then=Value(LotteryPhase.DRAW_PENDING)),
        default=Value(LotteryPhase.ON_SALE),
        output_field=IntegerField(),
    )
    first_key = Case(
        When(phase=LotteryPhase.ON_SALE, then="sales_close_at"),
        When(phase=LotteryPhase.COMING, then="sales_open_at"),
        When(phase=LotteryPhase.DRAW_PENDING, then="draw_at"),
        default=None,
        output_field=DateTimeField(),
    )
    drawn_key = Case(
        When(phase=LotteryPhase.DRAWN, then="draw_at"), default=None, output_field=DateTimeField()
    )
    listed = Q(status__in=LISTED_STATUSES) | Q(status=Status.DRAFT, open_requested_at__isnull=False)
    return (
        _with_card_facts(
            Lottery.objects.filter(listed, association__status=Association.Status.VERIFIED)
        )
        .select_related("association")
        .annotate(
            phase=phase,
            page_is_public=Case(
                When(status=Status.DRAFT, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
        )
        .annotate(first_key=first_key, drawn_key=drawn_key)
        .order_by("phase", "first_key", F("drawn_key").desc(nulls_last=True), "pk")
    )
