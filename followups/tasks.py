"""Scheduled work of follow-ups (django-q2): the reminders of steps that are due."""

from __future__ import annotations

from typing import Any

REMINDERS_NAME = "followup-reminders"


def step_reminders_send_task() -> int:
    from .services import step_reminders_send

    return step_reminders_send()


def followup_schedules_ensure_after_migrate(sender: Any = None, **kwargs: Any) -> None:
    """Every 15 minutes: a reminder leaves within 15 minutes of 8:00 in Paris."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=REMINDERS_NAME,
        defaults={
            "func": "followups.tasks.step_reminders_send_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": 15,
            "repeats": -1,
        },
    )
