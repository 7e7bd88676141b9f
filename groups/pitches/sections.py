"""What the pitches add to the site's pages (registered in PitchesConfig.ready)."""

from __future__ import annotations

from typing import Any

from .models import ShowcaseSchedule


def association_dashboard(*, request: Any, context: Any) -> dict | None:
    association = context.get("association")
    if association is None:
        return None
    return {"showcase_schedule": ShowcaseSchedule.objects.filter(association=association).first()}


def home(*, request: Any, context: Any) -> dict | None:
    """The home page's pointer to the weekly showcase, with its next edition's date."""
    from .selectors import showcase_next_edition_at, showcase_page_live

    page = showcase_page_live()
    if page is None:
        return None
    return {"showcase_page": page, "next_edition_at": showcase_next_edition_at()}


def association_page(*, request: Any, context: Any) -> dict | None:
    """An association's public page: its latest showcase editions and the next one."""
    from .selectors import editions_of_association, showcase_next_edition_at, showcase_page_live

    association = context.get("association")
    if association is None:
        return None
    editions = editions_of_association(association=association)
    page = showcase_page_live()
    if not editions and page is None:
        return None
    return {
        "association_editions": editions,
        "showcase_page": page,
        "next_edition_at": showcase_next_edition_at(association=association),
    }
