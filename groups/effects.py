"""Side effects of group changes, run only once the database change is committed.

Room broadcasts and emails both wait for the commit: a client that receives a
message frame can fetch it, and a rolled-back change tells nobody.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django_q.tasks import async_task


def room_group_name(group_id: int) -> str:
    return f"room.{int(group_id)}"


def room_user_group_name(group_id: int, user_id: int) -> str:
    """One channel group per member and room, to reach only that person's sockets."""
    return f"room.{int(group_id)}.user.{int(user_id)}"


def broadcast_now(group_name: str, event: dict[str, Any]) -> None:
    """Send to a channel group from synchronous code; must not run inside a transaction."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_name, event)


def broadcast_on_commit(group_name: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: broadcast_now(group_name, event))


def task_on_commit(func: str, *args: Any) -> None:
    """Queue a django-q2 task once committed; tasks take primary keys."""
    transaction.on_commit(lambda: async_task(func, *args))
