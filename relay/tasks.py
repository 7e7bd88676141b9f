"""Scheduled work of the relay (django-q2): one sweep every few minutes, idempotent."""

from __future__ import annotations

from typing import Any

SWEEP_NAME = "relay-sweep"
SWEEP_MINUTES = 5


def relay_sweep_task() -> dict[str, int]:
    from .services import relay_sweep

    return relay_sweep()


def relay_schedule_ensure_after_migrate(sender: Any = None, **kwargs: Any) -> None:
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "relay.tasks.relay_sweep_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": SWEEP_MINUTES,
            "repeats": -1,
        },
    )
