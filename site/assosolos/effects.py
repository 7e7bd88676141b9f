"""Side effects that must wait for the database commit: background tasks and live broadcasts.

A change and what it announces must agree: a task queued, or a room told, about a
row that is then rolled back would act on something that never happened. So these
helpers only register the effect; it runs once the outermost transaction commits,
and not at all if it rolls back. Emails do not come through here: they are written
to the outgoing queue inside the transaction itself (`assosolos.emails`).

A broker or channel layer that is down when the commit happens must not turn a
committed change into an error page: the failure is logged, and every task queued
this way is also covered by a periodic sweep that finds the work from the database.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def task_on_commit(func: str, *args: Any, **kwargs: Any) -> None:
    """Queue the django-q2 task `func` (a dotted path) with primary keys, after commit."""

    def queue() -> None:
        from django_q.tasks import async_task

        async_task(func, *args, **kwargs)

    transaction.on_commit(queue, robust=True)


def broadcast_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send `message` to a channel-layer group once the change it reports is committed."""

    def send() -> None:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, message)

    transaction.on_commit(send, robust=True)
