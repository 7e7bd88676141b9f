"""Reads about a lottery's online money: paid, refunded, fees and what reaches the association."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from ..models import Order

_ONLINE_PAID = Q(
    channel=Order.Channel.ONLINE, status__in=(Order.Status.PAID, Order.Status.REFUNDED)
)


@dataclass(frozen=True)
class OnlineMoney:
    """A lottery's card payments, from the orders and the fees Stripe reported for them.

    Gross counts every payment taken, refunded or not; Stripe keeps its fee on a
    refunded payment, the platform returns its own (`refund_application_fee`).
    """

    gross_cents: int = 0
    refunded_cents: int = 0
    stripe_fees_cents: int = 0
    platform_fees_cents: int = 0
    # Payments whose fees Stripe has not reported yet: the net is provisional.
    fees_unknown: int = 0

    @property
    def net_cents(self) -> int:
        return (
            self.gross_cents
            - self.refunded_cents
            - self.stripe_fees_cents
            - self.platform_fees_cents
        )

    @property
    def any(self) -> bool:
        return bool(self.gross_cents)


def lotteries_online_money(*, lottery_ids: Iterable[int]) -> dict[int, OnlineMoney]:
    """Each lottery's online money, in one query; a lottery with no payment gets zeros."""
    ids = list(lottery_ids)
    result = {pk: OnlineMoney() for pk in ids}
    if not ids:
        return result
    refunded = Q(status=Order.Status.REFUNDED)
    rows = (
        Order.objects.filter(_ONLINE_PAID, lottery_id__in=ids)
        .values("lottery_id")
        .annotate(
            gross=Sum("amount_cents"),
            refunded=Sum("refunded_cents"),
            stripe_fees=Sum("stripe_fee_cents"),
            platform_fees=Sum("platform_fee_cents", filter=~refunded),
            unknown=Count("pk", filter=Q(stripe_fee_cents__isnull=True)),
        )
        .order_by()
    )
    for row in rows:
        result[row["lottery_id"]] = OnlineMoney(
            gross_cents=row["gross"] or 0,
            refunded_cents=row["refunded"] or 0,
            stripe_fees_cents=row["stripe_fees"] or 0,
            platform_fees_cents=row["platform_fees"] or 0,
            fees_unknown=row["unknown"],
        )
    return result


def lottery_online_money(*, lottery_id: int) -> OnlineMoney:
    return lotteries_online_money(lottery_ids=[lottery_id])[lottery_id]
