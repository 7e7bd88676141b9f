"""iCalendar feeds of sessions (one per group, one per member), with `icalendar`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from icalendar import Calendar, Event, vCalAddress

from .models import Session, SessionAnswer

FEED_SALT = "groups.calendar.member"

# A member's answer as the participation status of RFC 5545 (3.2.12); no answer yet
# is NEEDS-ACTION, the default for an attendee asked to reply.
ANSWER_PARTSTAT = {
    SessionAnswer.Answer.COMING: "ACCEPTED",
    SessionAnswer.Answer.NOT_COMING: "DECLINED",
    SessionAnswer.Answer.MAYBE: "TENTATIVE",
}
NO_ANSWER_PARTSTAT = "NEEDS-ACTION"


def member_feed_token(*, user_id: int) -> str:
    """A signed token naming the member: calendar apps fetch feeds without cookies."""
    return signing.dumps(user_id, salt=FEED_SALT)


def member_feed_user_id(*, token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=FEED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def sessions_calendar(
    *,
    name: str,
    sessions: Iterable[Session],
    attendee: Any | None = None,
    answers: Mapping[int, str | None] | None = None,
) -> bytes:
    """The sessions as a calendar; with `attendee`, each session whose id is a key of
    `answers` names that person as an ATTENDEE whose PARTSTAT is their answer."""
    answers = answers or {}
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
        if attendee is not None and session.pk in answers:
            answer = answers[session.pk]
            event.add(
                "attendee",
                vCalAddress.new(
                    attendee.email,
                    cn=attendee.public_name,
                    role="REQ-PARTICIPANT",
                    partstat=ANSWER_PARTSTAT.get(answer, NO_ANSWER_PARTSTAT),
                ),
            )
        calendar.add_component(event)
    return calendar.to_ical()
