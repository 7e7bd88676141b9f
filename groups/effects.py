"""Where a room's live events go: channel-layer group names, from primary keys only.

Broadcasts and tasks wait for the commit through the project's one helper,
`assosolos.effects` (re-exported here for the groups services).
"""

from __future__ import annotations

from assosolos.effects import broadcast_on_commit, task_on_commit

__all__ = ["broadcast_on_commit", "room_group_name", "room_user_group_name", "task_on_commit"]


def room_group_name(group_id: int) -> str:
    return f"room.{int(group_id)}"


def room_user_group_name(group_id: int, user_id: int) -> str:
    """One channel group per member and room, to reach only that person's sockets."""
    return f"room.{int(group_id)}.user.{int(user_id)}"
