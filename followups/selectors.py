"""Reads of follow-ups. A member's follow-ups are read through `followups_of` only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from groups.models import GroupMembership, Session

from .models import FollowUp, Step


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def actor_may_follow_up(*, actor: Any) -> bool:
    """Members of a group keep follow-ups of the people they meet."""
    return _signed_in(actor) and GroupMembership.objects.filter(user_id=actor.pk).exists()


def followups_of(*, actor: Any) -> QuerySet[FollowUp]:
    """The actor's own follow-ups, and nobody else's (staff included)."""
    if not _signed_in(actor):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(owner_id=actor.pk)


def sessions_of_member(*, actor: Any) -> QuerySet[Session]:
    """Sessions of the actor's groups, that a follow-up may relate to."""
    if not _signed_in(actor):
        return Session.objects.none()
    return (
        Session.objects.filter(group__memberships__user_id=actor.pk)
        .select_related("group")
        .order_by("-starts_at", "-pk")
    )


@dataclass(frozen=True)
class MemberPage:
    next_steps: list[Step]
    conversations: list[Step]
    today: dt.date


def member_page(*, actor: Any, today: dt.date) -> MemberPage:
    """Next steps due, soonest first (`is_overdue` and `is_due_today` flags on each), and
    conversations held."""
    steps = Step.objects.filter(followup__in=followups_of(actor=actor)).select_related(
        "followup__session__group"
    )
    next_steps = list(steps.filter(done_at=None).order_by("due_on", "pk"))
    for step in next_steps:
        step.is_overdue = step.due_on < today
        step.is_due_today = step.due_on == today
    conversations = list(steps.exclude(done_at=None).order_by("-done_at", "-pk"))
    return MemberPage(next_steps=next_steps, conversations=conversations, today=today)


def followup_steps(*, followup: FollowUp) -> list[Step]:
    return list(followup.steps.order_by("created_at", "pk"))


@dataclass(frozen=True)
class SessionCounts:
    """What a group's facilitator sees of its members' follow-ups: counts, never people."""

    people_met: int
    conversations_held: int
    steps_done: int


def session_followup_counts(*, session: Session) -> SessionCounts:
    """Follow-ups of the group's members that relate to `session`, counted."""
    followups = FollowUp.objects.filter(
        session=session, owner__group_memberships__group_id=session.group_id
    )
    counts = followups.aggregate(
        people_met=Count("pk", distinct=True),
        conversations_held=Count("pk", filter=Q(steps__done_at__isnull=False), distinct=True),
        steps_done=Count("steps", filter=Q(steps__done_at__isnull=False), distinct=True),
    )
    return SessionCounts(**counts)


def export_rows(*, actor: Any) -> QuerySet[Step]:
    """Every step of the actor's follow-ups, with its follow-up, in the order shown."""
    return (
        Step.objects.filter(followup__in=followups_of(actor=actor))
        .select_related("followup__session__group")
        .order_by("followup__created_at", "followup_id", "created_at", "pk")
    )
