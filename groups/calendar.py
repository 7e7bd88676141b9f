"""iCalendar feeds of sessions (one per group, one per member), with `icalendar`."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from icalendar import Calendar, Event

from .models import Session

FEED_SALT = "groups.calendar.member"


def member_feed_token(*, user_id: int) -> str:
    """A signed token naming the member: calendar apps fetch feeds without cookies."""
    return signing.dumps(user_id, salt=FEED_SALT)


def member_feed_user_id(*, token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=FEED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def sessions_calendar(*, name: str, sessions: Iterable[Session]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Assosolos//Groups//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    host = settings.SITE_URL.split("//")[-1].split("/")[0]
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("summary", session.group.title)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("dtstamp", session.starts_at)
        location = session.place or session.video_url
        if location:
            event.add("location", location)
        if session.video_url:
            event.add("url", session.video_url)
        if session.agenda:
            event.add("description", session.agenda)
        calendar.add_component(event)
    return calendar.to_ical()
