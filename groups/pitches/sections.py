"""What the pitches add to the site's pages (registered in PitchesConfig.ready)."""

from __future__ import annotations

from typing import Any

from .models import ShowcaseSchedule


def association_dashboard(*, request: Any, context: Any) -> dict | None:
    association = context.get("association")
    if association is None:
        return None
    return {"showcase_schedule": ShowcaseSchedule.objects.filter(association=association).first()}
