"""What apps add to pages that `site/` owns, so `site/` imports no app above it.

An app registers its contributions in its `AppConfig.ready`; the pages render them
with the `{% sections "<place>" %}` tag, in order. A contribution is a template name
and an optional context callable; the callable gets the request and the page's
context and returns extra context, or None to leave the section out (an empty list
shows nothing rather than an empty box).

Places:
- `home`: sections of the home page ("what is coming").
- `account`: panels of "my account".
- `account_links`: `<li>` links in the account navigation.
- `association_dashboard`: panels of an association's dashboard
  (context: `association`, `can_manage`).
- `association_page`: sections of an association's public page (context: `association`).
- `lottery_page`: sections of a lottery's public page, below its prizes (context:
  `lottery`, `prizes`). They are part of what every visitor sees alike, kept with the
  page's shared parts until the lottery's version changes (`page_cache`): an app whose
  section changes bumps `lottery:<id>`.
- `lottery_manage`: panels of a lottery's management page, for its association's
  managers (context: `association`, `lottery`).
- `group_session`: sections of a group session's page (context: `group`, `session`,
  `membership`); each section decides who may see it.
- `pitch_page`: sections of a pitch's page (context: `pitch`, `network`); each section
  decides who may see it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

PLACES = (
    "home",
    "account",
    "account_links",
    "association_dashboard",
    "association_page",
    "lottery_page",
    "lottery_manage",
    "group_session",
    "pitch_page",
)

ContextCallable = Callable[..., Mapping[str, Any] | None]


@dataclass(frozen=True)
class Section:
    place: str
    template_name: str
    context: ContextCallable | None = None
    order: int = 100


_sections: dict[str, list[Section]] = {place: [] for place in PLACES}


def section_register(
    *, place: str, template_name: str, context: ContextCallable | None = None, order: int = 100
) -> Section:
    """Add a contribution to a place; registering the same template twice is a no-op."""
    if place not in _sections:
        raise ValueError(f"Unknown place {place!r}; known places: {', '.join(PLACES)}")
    for existing in _sections[place]:
        if existing.template_name == template_name:
            return existing
    section = Section(place=place, template_name=template_name, context=context, order=order)
    _sections[place].append(section)
    _sections[place].sort(key=lambda s: s.order)
    return section


def sections_for(*, place: str) -> list[Section]:
    return list(_sections[place])


def sections_render(*, place: str, request: Any, context: Mapping[str, Any]) -> SafeString:
    """Render every contribution to `place`, each with the page context plus its own."""
    parts = []
    for section in sections_for(place=place):
        extra: Mapping[str, Any] | None = {}
        if section.context is not None:
            extra = section.context(request=request, context=context)
            if extra is None:
                continue
        parts.append(render_to_string(section.template_name, {**context, **extra}, request=request))
    return mark_safe("".join(parts))  # each part rendered by an autoescaping template


# The template library, loaded by name through TEMPLATES["OPTIONS"]["libraries"].
register = template.Library()


@register.simple_tag(takes_context=True)
def sections(context, place: str) -> SafeString:
    return sections_render(place=place, request=context.get("request"), context=context.flatten())
