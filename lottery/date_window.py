"""The one rule for a lottery's dates: from 2000 to YEARS_AHEAD years after today.

Sales, draw, the mayor's authorisation and the claim deadline all fall inside it;
the forms and the services refuse anything else. Rows written before the rule may
still hold any date Python allows: `display_safe` keeps those showable.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

EARLIEST = dt.date(2000, 1, 1)
YEARS_AHEAD = 5
DATE_FIELDS = ("authorisation_date", "claim_deadline")
DATETIME_FIELDS = ("sales_open_at", "sales_close_at", "draw_at")

# A day inside Python's own limits: local time, a day's arithmetic and the
# calendar all work on it (the last hours of 9999 cannot be shown in Paris time).
_SAFE_MIN = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
_SAFE_MAX = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def date_window(*, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day a lottery's date may fall on."""
    today = today or timezone.localdate()
    try:
        last = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        last = today.replace(year=today.year + YEARS_AHEAD, day=28)
    return EARLIEST, last


def date_in_window(*, value: dt.date | dt.datetime, today: dt.date | None = None) -> bool:
    first, last = date_window(today=today)
    if isinstance(value, dt.datetime):
        # Compared in UTC: local time may not exist for the dates refused here.
        value = value.astimezone(dt.UTC).date() if timezone.is_aware(value) else value.date()
    return first <= value <= last


def window_errors(*, values: dict[str, dt.date | dt.datetime | None]) -> dict[str, str]:
    """A message for each of `values` (field -> date) outside the window."""
    first, last = date_window()
    message = _("Give a date between %(first)s and %(last)s.") % {
        "first": date_format(first, "SHORT_DATE_FORMAT"),
        "last": date_format(last, "SHORT_DATE_FORMAT"),
    }
    return {
        field: message
        for field, value in values.items()
        if value is not None and not date_in_window(value=value)
    }


def display_safe(value):
    """`value` (a date or an aware datetime) moved inside the limits that can be shown.

    Only an out-of-window row written before the rule is changed, and only by the
    hours or the day that separate it from Python's last day.
    """
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            return min(max(value, _SAFE_MIN), _SAFE_MAX)
        return value
    if isinstance(value, dt.date):
        return min(max(value, _SAFE_MIN.date()), _SAFE_MAX.date())
    return value
