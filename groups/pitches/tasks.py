"""Scheduled work of the showcase (django-q2). Tasks take primary keys and are idempotent."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

SWEEP_NAME = "showcase-sweep"


def showcase_publish_task(association_id: int) -> int | None:
    """Run by each association's weekly cron schedule."""
    from .services import showcase_publish

    edition = showcase_publish(association_id=association_id)
    return edition.pk if edition else None


def showcase_sweep_task() -> int:
    from .services import showcase_sweep

    return showcase_sweep()


def showcase_schedules_ensure_after_migrate(sender: Any = None, **kwargs: Any) -> None:
    """The sweeper every 15 minutes, and each showcase's weekly cron schedule."""
    from django_q.models import Schedule

    from .models import ShowcaseSchedule
    from .services import showcase_schedule_ensure

    Schedule.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "groups.pitches.tasks.showcase_sweep_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": 15,
            "repeats": -1,
        },
    )
    for association_id in ShowcaseSchedule.objects.values_list("association_id", flat=True):
        showcase_schedule_ensure(association_id=association_id)
