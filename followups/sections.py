"""What follow-ups add to the site's pages (registered in FollowupsConfig.ready)."""

from __future__ import annotations

from typing import Any

from groups import selectors as group_selectors

from . import selectors


def group_session(*, request: Any, context: Any) -> dict | None:
    """For the group's facilitator (and its managers): counts of the session's follow-ups."""
    session, group = context.get("session"), context.get("group")
    if session is None or group is None:
        return None
    if not group_selectors.group_is_moderator(
        user=request.user, group=group, membership=context.get("membership")
    ):
        return None
    return {"followup_counts": selectors.session_followup_counts(session=session)}
