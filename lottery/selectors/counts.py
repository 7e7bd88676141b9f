"""The one set of counters every page shows for a lottery, and the word for its status.

Sold, reserved and left are read together, from the same rows, so that no page can
show "0 sold" beside "1995 / 2000 left" while five tickets are held: sold + reserved
+ left (+ void, refunded tickets out of the draw) is the cap while sales are open.
A list annotates them in its own query (`lotteries_with_counts`); a single lottery
reads them in two queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..models import Lottery, Order, Ticket
from .common import Status

# Annotation names a list's query gives each lottery (read by `lottery_counts`).
COUNT_ANNOTATIONS = ("tickets_sold", "tickets_reserved", "tickets_available", "raised_cents")


@dataclass(frozen=True)
class LotteryCounts:
    """Tickets sold (paid), reserved (held, awaiting payment) and left (on sale), and money."""

    cap: int
    sold: int
    reserved: int
    left: int
    # What paid orders brought in, every channel, refunded orders excluded.
    raised_cents: int

    @property
    def sold_percent(self) -> int:
        """The share of the cap sold, in whole percent, rounded down (never 100 too early)."""
        if self.cap <= 0:
            return 0
        return min(100, self.sold * 100 // self.cap)


def _ticket_count(status: str) -> Coalesce:
    count = (
        Ticket.objects.filter(lottery=OuterRef("pk"), status=status)
        .order_by()
        .values("lottery")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def _raised() -> Coalesce:
    total = (
        Order.objects.filter(lottery=OuterRef("pk"), status=Order.Status.PAID)
        .order_by()
        .values("lottery")
        .annotate(t=Sum("amount_cents"))
        .values("t")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def lotteries_with_counts(lotteries: QuerySet[Lottery]) -> QuerySet[Lottery]:
    """Annotates what `lottery_counts` reads, in the list's own query (no query per row)."""
    return lotteries.annotate(
        tickets_sold=_ticket_count(Ticket.Status.SOLD),
        tickets_reserved=_ticket_count(Ticket.Status.RESERVED),
        tickets_available=_ticket_count(Ticket.Status.AVAILABLE),
        raised_cents=_raised(),
    )


def _left(lottery: Lottery, available: int) -> int:
    # Before sales open, the whole cap is still to sell; once they stop, nothing is left.
    if lottery.status == Status.DRAFT:
        return lottery.ticket_cap
    if lottery.status != Status.OPEN:
        return 0
    return available


def lottery_counts_from(
    *, lottery: Lottery, by_status: dict[str, int], raised_cents: int
) -> LotteryCounts:
    """The counters from ticket counts by status and the paid total, read by the caller."""
    return LotteryCounts(
        cap=lottery.ticket_cap,
        sold=by_status.get(Ticket.Status.SOLD, 0),
        reserved=by_status.get(Ticket.Status.RESERVED, 0),
        left=_left(lottery, by_status.get(Ticket.Status.AVAILABLE, 0)),
        raised_cents=raised_cents,
    )


def lottery_counts(*, lottery: Lottery) -> LotteryCounts:
    """Sold, reserved, left and raised: from the list's annotations, else read now."""
    if all(getattr(lottery, name, None) is not None for name in COUNT_ANNOTATIONS):
        sold, reserved = lottery.tickets_sold, lottery.tickets_reserved
        available, raised = lottery.tickets_available, lottery.raised_cents
    else:
        by_status = dict(
            Ticket.objects.filter(lottery=lottery)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        sold = by_status.get(Ticket.Status.SOLD, 0)
        reserved = by_status.get(Ticket.Status.RESERVED, 0)
        available = by_status.get(Ticket.Status.AVAILABLE, 0)
        raised = (
            Order.objects.filter(lottery=lottery, status=Order.Status.PAID).aggregate(
                t=Sum("amount_cents")
            )["t"]
            or 0
        )
    return LotteryCounts(
        cap=lottery.ticket_cap,
        sold=sold,
        reserved=reserved,
        left=_left(lottery, available),
        raised_cents=raised,
    )


@dataclass(frozen=True)
class BuyerTickets:
    """A person's tickets in one lottery: paid ones are theirs, unpaid ones only reserved."""

    paid: int = 0
    reserved: int = 0
    # The unpaid order to finish paying, if any (the latest).
    pending_order_id: int | None = None

    @property
    def held(self) -> int:
        return self.paid + self.reserved


def buyer_tickets(*, lottery_id: int, buyer_id: int) -> BuyerTickets:
    """What a signed-in buyer holds in a lottery, paid and reserved apart, in one query."""
    rows = list(
        Order.objects.filter(
            lottery_id=lottery_id,
            buyer_id=buyer_id,
            status__in=(Order.Status.PENDING, Order.Status.PAID),
        )
        .order_by("-created_at", "-pk")
        .values_list("pk", "status", "quantity")
    )
    paid = sum(q for _pk, status, q in rows if status == Order.Status.PAID)
    pending = [(pk, q) for pk, status, q in rows if status == Order.Status.PENDING]
    return BuyerTickets(
        paid=paid,
        reserved=sum(q for _pk, q in pending),
        pending_order_id=pending[0][0] if pending else None,
    )


# --- The word for a status ----------------------------------------------------------


@dataclass(frozen=True)
class StatusWord:
    """What a badge says about a lottery, and its style."""

    key: str
    label: Any
    badge: str

    # What templates ask instead of comparing raw statuses.
    @property
    def draft(self) -> bool:
        return self.key in (Status.DRAFT, "scheduled")

    @property
    def scheduled(self) -> bool:
        return self.key == "scheduled"

    @property
    def open(self) -> bool:
        return self.key == Status.OPEN

    @property
    def drawn(self) -> bool:
        return self.key == Status.DRAWN

    @property
    def cancelled(self) -> bool:
        return self.key == Status.CANCELLED

    @property
    def editable(self) -> bool:
        """Its settings may still change (a draft, or open for texts and later dates)."""
        return self.draft or self.open

    @property
    def finished(self) -> bool:
        return self.key in (Status.DRAWN, Status.CANCELLED)


_BADGES = {
    Status.DRAFT: "",
    "scheduled": "badge-info",
    Status.OPEN: "badge-ok",
    Status.CLOSED: "badge-warn",
    Status.DRAWN: "",
    Status.CANCELLED: "badge-err",
}


def lottery_status_word(*, lottery: Lottery) -> StatusWord:
    """ "Scheduled" for a draft whose opening is requested (it opens by itself), else its status."""
    if lottery.status == Status.DRAFT and lottery.open_requested_at is not None:
        return StatusWord(key="scheduled", label=_("Scheduled"), badge=_BADGES["scheduled"])
    return StatusWord(
        key=lottery.status,
        label=lottery.get_status_display(),
        badge=_BADGES.get(lottery.status, ""),
    )
