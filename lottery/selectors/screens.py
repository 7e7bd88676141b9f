"""What the lottery's pages show, gathered in one read each: the public page, the
manager's page of one lottery.

The views add only what belongs to the request (forms, the page cache's keys) and
render; every decision shown comes from `lottery_actions`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from assosolos.emails import absolute_url
from connect.selectors import payments_readiness

from ..charts import sales_chart
from ..draw.selectors import winnings_of_user
from ..models import Lottery
from .actions import lottery_actions
from .counts import BuyerTickets, buyer_tickets, lottery_counts
from .money import lottery_online_money
from .pages import LotteryPageData, lottery_sales_state
from .sales import (
    lottery_figures,
    lottery_orders,
    lottery_sales_history,
    lottery_warnings,
    purchase_choices,
    ticket_numbers,
)


def _signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def lottery_public_page(
    *,
    lottery: Lottery,
    actor: Any,
    now: datetime,
    data: LotteryPageData | None = None,
    preview: bool = False,
) -> dict[str, Any]:
    """What the public lottery page shows `actor` (a visitor, signed in or not).

    `data` is the part every visitor sees alike (`lottery_page_data`, cached);
    without it, it is read now. A `preview` (a draft, for its managers) sells nothing.
    """
    actions = lottery_actions(lottery=lottery, actor=actor, now=now)
    mine = BuyerTickets()
    if _signed_in(actor) and not preview:
        mine = buyer_tickets(lottery_id=lottery.pk, buyer_id=actor.pk)
    my_wins: list = []
    if _signed_in(actor) and not preview and actions.is_drawn:
        my_wins = winnings_of_user(user=actor, lottery_id=lottery.pk).get(lottery.pk, [])
    if data is None:
        prizes = list(lottery.prizes.all())
        choices = purchase_choices(lottery=lottery)
        counts = lottery_counts(lottery=lottery)
        online_ready = payments_readiness(association_id=lottery.association_id).ready
    else:
        prizes, choices, counts = data.prizes, data.choices, data.counts
        online_ready = data.online_ready
    sales = lottery_sales_state(lottery=lottery, tickets_left=counts.left, now=now)
    return {
        "lottery": lottery,
        "actions": actions,
        "prizes": prizes,
        "choices": choices,
        "counts": counts,
        "tickets_left": counts.left,
        "sales": sales,
        "on_sale": sales.on_sale and not preview,
        "online_ready": online_ready,
        "mine": mine,
        "held": mine.held,
        "my_wins": my_wins,
        "now": now,
        "canonical_url": absolute_url(lottery.get_absolute_url()),
        "preview": preview,
    }


def lottery_manage_page(*, lottery: Lottery, actor: Any, now: datetime) -> dict[str, Any]:
    """What the manager's page of one lottery shows: figures, orders, chart, actions."""
    orders = list(lottery_orders(lottery=lottery)[:20])
    numbers = ticket_numbers(orders=orders)
    for order in orders:
        order.numbers = numbers[order.pk]
    history = lottery_sales_history(lottery=lottery)
    return {
        "lottery": lottery,
        "actions": lottery_actions(lottery=lottery, actor=actor, now=now),
        "figures": lottery_figures(lottery=lottery),
        "online_money": lottery_online_money(lottery_id=lottery.pk),
        "warnings": lottery_warnings(lottery=lottery),
        "prizes": list(lottery.prizes.all()),
        "bundles": list(lottery.bundles.all()),
        "orders": orders,
        "transitions": list(lottery.transitions.select_related("by")),
        "chart": sales_chart(
            history.series,
            cap=lottery.ticket_cap,
            start=lottery.sales_open_at,
            end=min(now, lottery.sales_close_at),
            first_sale=history.first_at,
            last_sale=history.last_at,
        ),
        "now": now,
        "payments": payments_readiness(association_id=lottery.association_id),
        "platform_fee_percent": settings.PLATFORM_FEE_PERCENT,
    }
