"""Writes of follow-ups: record a person met, take steps, send the due reminders, delete.

Every function acts for `actor`, the signed-in member, and only on their own
follow-ups: another member's follow-up is `FollowUp.DoesNotExist`, as if it did not
exist (the views turn that into a 404).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Session

from . import selectors
from .emails import absolute_url, email_send
from .models import FollowUp, Step

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
# A step's reminder leaves on its due date at this hour, Paris time.
REMINDER_HOUR = 8
EARLIEST_DATE = dt.date(2000, 1, 1)
YEARS_AHEAD = 5
# Switched off only by the race test, to prove two runs at once would send twice.
LOCK_REMINDERS = True


def paris_today(*, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(PARIS).date()


def step_date_check(*, due_on: dt.date, today: dt.date) -> None:
    """A step's date is neither before 2000 nor more than five years ahead."""
    try:
        latest = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + YEARS_AHEAD, day=28)
    if due_on < EARLIEST_DATE:
        raise ValidationError(
            {"due_on": _("Choose a date in 2000 or later.")}, code="date_too_early"
        )
    if due_on > latest:
        raise ValidationError(
            {"due_on": _("Choose a date at most five years ahead.")}, code="date_too_late"
        )


def _require_member(actor: Any) -> None:
    if not selectors.actor_may_follow_up(actor=actor):
        raise PermissionDenied(_("Follow-ups are for members of a group."))


def followup_record(
    *,
    actor: Any,
    name: str,
    how: str,
    reach: str = "",
    session: Session | None = None,
    kind: str,
    due_on: dt.date,
    now: dt.datetime | None = None,
) -> FollowUp:
    """Record a person met and the first step to follow up with them."""
    _require_member(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the person's name.")}, code="name_missing")
    if how not in FollowUp.How.values:
        raise ValidationError({"how": _("Choose how you met.")}, code="how_invalid")
    if (
        session is not None
        and not selectors.sessions_of_member(actor=actor).filter(pk=session.pk).exists()
    ):
        raise ValidationError(
            {"session": _("Choose a session of one of your groups.")}, code="session_not_yours"
        )
    _step_fields_check(kind=kind, due_on=due_on, now=now)
    now = now or timezone.now()
    with transaction.atomic():
        followup = FollowUp.objects.create(
            owner=actor, name=name, how=how, reach=reach.strip(), session=session, created_at=now
        )
        Step.objects.create(followup=followup, kind=kind, due_on=due_on, created_at=now)
    return followup


def _step_fields_check(*, kind: str, due_on: dt.date, now: dt.datetime | None) -> None:
    if kind not in Step.Kind.values:
        raise ValidationError({"kind": _("Choose a next step.")}, code="kind_invalid")
    step_date_check(due_on=due_on, today=paris_today(now=now))


def step_complete(
    *, actor: Any, followup_id: int, step_id: int, outcome: str, now: dt.datetime | None = None
) -> Step:
    """Mark the follow-up's open step done, with what came of it."""
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what came of it.")}, code="outcome_missing")
    with transaction.atomic():
        followup = selectors.followups_of(actor=actor).select_for_update().get(pk=followup_id)
        step = followup.steps.filter(pk=step_id).first()
        if step is None:
            raise Step.DoesNotExist
        if step.is_done:
            raise ValidationError(_("This step is already done."), code="step_done")
        step.outcome = outcome
        step.done_at = now or timezone.now()
        step.save(update_fields=["outcome", "done_at"])
    return step


def step_add(
    *, actor: Any, followup_id: int, kind: str, due_on: dt.date, now: dt.datetime | None = None
) -> Step:
    """Plan the next step; a follow-up has one open step at a time."""
    _step_fields_check(kind=kind, due_on=due_on, now=now)
    with transaction.atomic():
        followup = selectors.followups_of(actor=actor).select_for_update().get(pk=followup_id)
        if followup.steps.filter(done_at=None).exists():
            raise ValidationError(
                _("Record the outcome of the current step before planning the next one."),
                code="step_open",
            )
        return Step.objects.create(
            followup=followup, kind=kind, due_on=due_on, created_at=now or timezone.now()
        )


def followup_delete(*, actor: Any, followup_id: int) -> None:
    deleted, _rows = selectors.followups_of(actor=actor).filter(pk=followup_id).delete()
    if not deleted:
        raise FollowUp.DoesNotExist


def followups_delete_all(*, actor: Any) -> int:
    """Delete every follow-up of the actor, with their steps; returns how many follow-ups."""
    with transaction.atomic():
        count = selectors.followups_of(actor=actor).count()
        selectors.followups_of(actor=actor).delete()
    return count


# --- Reminders -------------------------------------------------------------------------


def reminder_cutoff(*, now: dt.datetime) -> dt.date:
    """The latest due date whose reminder is due at `now`: today from 8:00 in Paris."""
    local = now.astimezone(PARIS)
    return local.date() if local.hour >= REMINDER_HOUR else local.date() - dt.timedelta(days=1)


def step_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send the reminder of every open step that is due, each once; returns how many were sent.

    Safe to run twice at once: each step is locked, checked and marked sent in the
    transaction that queues its email, so the second run finds it sent.
    """
    now = now or timezone.now()
    pks = list(
        Step.objects.filter(
            done_at=None, reminder_sent_at=None, due_on__lte=reminder_cutoff(now=now)
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in pks:
        if _step_reminder_send(step_id=pk, now=now):
            sent += 1
    return sent


def reminder_checked(step: Step) -> None:
    """Called between the check and the mark; a seam for the race test."""


def _step_reminder_send(*, step_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        steps = Step.objects.filter(pk=step_id, done_at=None, reminder_sent_at=None)
        if LOCK_REMINDERS:
            steps = steps.select_for_update(of=("self",))
        step = steps.select_related("followup__owner").first()
        if step is None:
            return False
        reminder_checked(step)
        owner = step.followup.owner
        email_send(
            template="step_due",
            context={
                "step": step,
                "followup": step.followup,
                "url": absolute_url(reverse("followups:detail", args=[step.followup_id])),
            },
            recipients=[owner.email],
        )
        Step.objects.filter(pk=step.pk).update(reminder_sent_at=now)
    return True
