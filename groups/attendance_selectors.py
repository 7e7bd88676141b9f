"""Reads about answers to sessions (coming, maybe, not coming) and attendance.

Who may answer, see the answers or take attendance is decided with the groups'
selectors (`group_membership`, `group_is_moderator`); nothing here re-derives roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Group, GroupMembership, Session, SessionAnswer, SessionAttendance

Answer = SessionAnswer.Answer
Role = GroupMembership.Role


def session_answers_open(*, session: Session, now: datetime | None = None) -> bool:
    """Members answer until the session starts; from then on the answers stand."""
    return (now or timezone.now()) < session.starts_at


def session_attendance_open(*, session: Session, now: datetime | None = None) -> bool:
    """Attendance is taken once the session has started: during it or after."""
    return not session_answers_open(session=session, now=now)


def session_may_answer(*, membership: GroupMembership | None) -> bool:
    """Members answer; the facilitator runs the session and takes no place (as for seats)."""
    return membership is not None and membership.role == Role.MEMBER


def session_coming_count(*, session_id: int, excluding_membership_id: int | None = None) -> int:
    """How many places the "coming" answers take (the caller's own answer left out)."""
    answers = SessionAnswer.objects.filter(session_id=session_id, answer=Answer.COMING)
    if excluding_membership_id is not None:
        answers = answers.exclude(membership_id=excluding_membership_id)
    return answers.count()


@dataclass(frozen=True)
class AnswerCounts:
    """A session's answers by kind, and its places (None: no limit)."""

    capacity: int | None
    coming: int = 0
    maybe: int = 0
    not_coming: int = 0

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.coming)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.coming >= self.capacity


def session_answer_counts(*, sessions: Iterable[Session]) -> dict[int, AnswerCounts]:
    """Answer counts of these sessions, by session id; one query."""
    sessions = list(sessions)
    tally: dict[int, dict[str, int]] = {s.pk: {} for s in sessions}
    if sessions:
        rows = (
            SessionAnswer.objects.filter(session_id__in=list(tally))
            .values("session_id", "answer")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            tally[row["session_id"]][row["answer"]] = row["n"]
    return {
        s.pk: AnswerCounts(
            capacity=s.capacity,
            coming=tally[s.pk].get(Answer.COMING, 0),
            maybe=tally[s.pk].get(Answer.MAYBE, 0),
            not_coming=tally[s.pk].get(Answer.NOT_COMING, 0),
        )
        for s in sessions
    }


@dataclass(frozen=True)
class AnswerChoice:
    """One button of the answer form; `chosen` marks the member's current answer."""

    value: str
    label: str
    chosen: bool


@dataclass(frozen=True)
class SessionAnswerPanel:
    """What a page shows of one session's answers to the person looking."""

    session: Session
    counts: AnswerCounts
    open: bool
    may_answer: bool
    answer_label: str | None
    choices: list[AnswerChoice]
    # False when every place is taken by others: "coming" would be refused.
    may_come: bool


def session_answer_panels(
    *,
    sessions: Iterable[Session],
    membership: GroupMembership | None,
    now: datetime | None = None,
) -> list[SessionAnswerPanel]:
    """The answer panel of each session for this person (two queries whatever the count)."""
    sessions = list(sessions)
    counts = session_answer_counts(sessions=sessions)
    may_answer = session_may_answer(membership=membership)
    mine: dict[int, str] = {}
    if may_answer and sessions:
        mine = dict(
            SessionAnswer.objects.filter(
                membership_id=membership.pk, session_id__in=[s.pk for s in sessions]
            ).values_list("session_id", "answer")
        )
    labels = dict(Answer.choices)
    return [
        SessionAnswerPanel(
            session=s,
            counts=counts[s.pk],
            open=session_answers_open(session=s, now=now),
            may_answer=may_answer,
            answer_label=labels.get(mine.get(s.pk)),
            choices=[
                AnswerChoice(value=value, label=label, chosen=mine.get(s.pk) == value)
                for value, label in Answer.choices
            ],
            may_come=mine.get(s.pk) == Answer.COMING or not counts[s.pk].is_full,
        )
        for s in sessions
    ]


@dataclass(frozen=True)
class AnswerGroup:
    """The members who gave one answer (`answer` None: no answer yet)."""

    answer: str | None
    label: str
    members: list[GroupMembership]


def session_answer_sheet(*, session: Session) -> list[AnswerGroup]:
    """Who answered what, for the facilitator: coming, maybe, not coming, then no answer."""
    answers = dict(
        SessionAnswer.objects.filter(session_id=session.pk).values_list("membership_id", "answer")
    )
    members = list(
        GroupMembership.objects.filter(group_id=session.group_id, role=Role.MEMBER)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    sheet = [
        AnswerGroup(
            answer=value, label=label, members=[m for m in members if answers.get(m.pk) == value]
        )
        for value, label in Answer.choices
    ]
    sheet.append(
        AnswerGroup(
            answer=None,
            label=_("No answer yet"),
            members=[m for m in members if m.pk not in answers],
        )
    )
    return sheet


def session_roster(*, session: Session) -> list[GroupMembership]:
    """Whose attendance is taken: the members who had joined when the session started."""
    return list(
        GroupMembership.objects.filter(
            group_id=session.group_id, role=Role.MEMBER, joined_at__lte=session.starts_at
        )
        .select_related("user")
        .order_by("joined_at", "pk")
    )


def session_attendance_marks(*, session: Session) -> dict[int, bool]:
    """Presence recorded at a session, by user id (empty: attendance not taken yet)."""
    return dict(
        SessionAttendance.objects.filter(session_id=session.pk).values_list("user_id", "present")
    )


@dataclass(frozen=True)
class AttendanceRate:
    """Sessions a member attended over the sessions held since they joined.

    A session counts as held once its attendance was taken: one the facilitator
    never recorded is left out rather than counted as missed by everyone.
    """

    membership: GroupMembership
    held: int
    attended: int

    @property
    def percent(self) -> int | None:
        if not self.held:
            return None
        return (200 * self.attended + self.held) // (2 * self.held)  # rounded half up


def group_attendance_rates(*, group: Group) -> list[AttendanceRate]:
    """Each member's attendance rate; three queries whatever the size of the group."""
    members = list(
        GroupMembership.objects.filter(group_id=group.pk, role=Role.MEMBER)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    held = list(
        Session.objects.filter(group_id=group.pk, attendance__isnull=False)
        .distinct()
        .values_list("pk", "starts_at")
    )
    present = set(
        SessionAttendance.objects.filter(session__group_id=group.pk, present=True).values_list(
            "user_id", "session_id"
        )
    )
    rates = []
    for membership in members:
        since = [pk for pk, starts_at in held if starts_at >= membership.joined_at]
        rates.append(
            AttendanceRate(
                membership=membership,
                held=len(since),
                attended=sum((membership.user_id, pk) in present for pk in since),
            )
        )
    return rates


def group_sessions_held(*, group: Group, now: datetime | None = None) -> list[Session]:
    """Sessions that have started, newest first, each with `marks`: how many members'
    attendance was recorded (0: not taken yet)."""
    return list(
        Session.objects.filter(group_id=group.pk, starts_at__lte=now or timezone.now())
        .annotate(marks=Count("attendance"))
        .order_by("-starts_at", "-pk")
    )


def calendar_answers(*, user_id: int, sessions: Iterable[Session]) -> dict[int, str | None]:
    """A person's answers for their calendar feed, by session id: the sessions they may
    answer (those of groups where they are a member), None where they have not yet.

    Two queries whatever the number of sessions.
    """
    member_of = set(
        GroupMembership.objects.filter(user_id=user_id, role=Role.MEMBER).values_list(
            "group_id", flat=True
        )
    )
    answerable = [s.pk for s in sessions if s.group_id in member_of]
    given: dict[int, str] = {}
    if answerable:
        given = dict(
            SessionAnswer.objects.filter(
                membership__user_id=user_id, session_id__in=answerable
            ).values_list("session_id", "answer")
        )
    return {pk: given.get(pk) for pk in answerable}
