"""What the groups app adds to the site's pages (registered in GroupsConfig.ready)."""

from __future__ import annotations

from typing import Any

from . import selectors
from .calendar import member_feed_token


def account(*, request: Any, context: Any) -> dict:
    user = request.user
    return {
        "my_groups": selectors.groups_of_user(user=user),
        "group_invitations": list(selectors.invitations_for_user(user=user)),
        "waiting_entries": list(selectors.waiting_entries_for_user(user=user)),
        "my_calendar_token": member_feed_token(user_id=user.pk),
    }


def association_dashboard(*, request: Any, context: Any) -> dict | None:
    association = context.get("association")
    if association is None:
        return None
    return {"association_groups": list(selectors.groups_of_association(association=association))}


def lottery_page(*, request: Any, context: Any) -> dict | None:
    """Which of the lottery's prizes come with a seat in a group (none: no section)."""
    prizes = context.get("prizes") or []
    seats = selectors.prize_seats_of(prize_ids=[prize.pk for prize in prizes])
    return {"prize_seats": seats} if seats else None


def association_page(*, request: Any, context: Any) -> dict | None:
    """An association's public page: its groups, what each does, no member named."""
    association = context.get("association")
    if association is None:
        return None
    groups = list(selectors.groups_of_association(association=association))
    return {"association_groups": groups} if groups else None
