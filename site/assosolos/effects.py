"""Side effects that must wait for the database commit: tasks, schedules, signals, broadcasts.

A change and what it announces must agree: a task queued, a schedule set, another app
signalled or a room told about a row that is then rolled back would act on something
that never happened. So these helpers only register the effect; it runs once the
outermost transaction commits, and not at all if it rolls back (outside a
transaction, at once). Emails do not come through here: they are written to the
outgoing queue inside the transaction itself (`assosolos.emails`).

The change is committed by the time its effects run: a broker, channel layer, cache or
receiver that fails then must not turn it into an error page. The failure is logged
and the next effect still runs; every task queued this way is also covered by a
periodic sweep that finds the work from the database.

- `task_on_commit`: queue a django-q2 task (a dotted path, with primary keys);
- `broadcast_on_commit`: send a message to a channel-layer group (live pages, rooms);
- `signal_on_commit`: tell other apps through a signal, each receiver on its own;
- `on_commit`: anything else, such as setting a schedule or forgetting a cached value.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


def _after_commit(what: str, effect: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    # The registered callback keeps the name of what it runs (tests and logs read it).
    @functools.wraps(effect)
    def run() -> None:
        try:
            effect(*args, **kwargs)
        except Exception:  # noqa: BLE001 (the change is committed: log, never undo or raise)
            logger.exception("After commit: %s failed", what)

    transaction.on_commit(run)


def _name(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def on_commit(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Call `func(*args, **kwargs)` once the change commits; a failure is logged."""
    _after_commit(_name(func), func, *args, **kwargs)


def task_on_commit(func: str, *args: Any, **kwargs: Any) -> None:
    """Queue the django-q2 task `func` (a dotted path) with primary keys, after commit."""

    def queue() -> None:
        from django_q.tasks import async_task

        async_task(func, *args, **kwargs)

    _after_commit(f"queueing {func}", queue)


def broadcast_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send `message` to a channel-layer group once the change it reports is committed."""

    def send() -> None:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, message)

    _after_commit(f"broadcast to {group}", send)


def signal_on_commit(signal: Signal, sender: Any, **kwargs: Any) -> None:
    """Send `signal` once the change commits. A receiver that fails is logged; the
    others are still called."""

    def send() -> None:
        for receiver, error in signal.send_robust(sender=sender, **kwargs):
            if isinstance(error, Exception):
                logger.error(
                    "After commit: receiver %s of %r failed",
                    _name(receiver),
                    signal,
                    exc_info=(type(error), error, error.__traceback__),
                )

    _after_commit(f"signal from {_name(sender)}", send)
