"""Answers to sessions, their places, and attendance.

A session with a capacity holds at most that many "coming" answers, under any
concurrency: an answer locks the session row, then counts the places taken and
saves, all in one transaction, so two members never both take the last place.
Lock order: the session row, then its answers (the group row is never taken here).
`SESSION_ANSWER_LOCKING = False` (the race test's switch) counts and saves without
the session lock: concurrent answers then overfill the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import attendance_selectors, selectors
from ..models import Session, SessionAnswer, SessionAttendance
from .errors import GroupError

Answer = SessionAnswer.Answer

# The race test switches this off to prove the race it guards against exists: it turns
# off the session row lock only. Never change it elsewhere.
SESSION_ANSWER_LOCKING = True


class SessionFull(GroupError):
    """Every place of the session is taken by a "coming" answer."""


class AnswersClosed(GroupError):
    """The session has started: its answers stand as they are."""


def _require_facilitator(*, actor: Any, session: Session) -> None:
    group = session.group
    membership = selectors.group_membership(user=actor, group_id=group.pk)
    if not selectors.group_is_moderator(user=actor, group=group, membership=membership):
        raise PermissionDenied(_("Only the facilitator and the association's admins do this."))


def _session_for_update(session_id: int) -> Session:
    """The session row, locked unless the race test switched the lock off."""
    sessions = Session.objects.select_related("group")
    if SESSION_ANSWER_LOCKING:
        sessions = sessions.select_for_update(of=("self",))
    return sessions.get(pk=session_id)


def session_answer_set(*, session: Session, actor: Any, answer: str) -> SessionAnswer:
    """A member answers a session (or changes their answer) until it starts.

    "Coming" is refused when every place is taken; the member's previous answer then
    stays as it was. "Maybe" and "not coming" take no place and are always accepted.
    """
    if answer not in Answer.values:
        raise GroupError({"answer": _("Choose coming, maybe or not coming.")})
    membership = selectors.group_membership(user=actor, group_id=session.group_id)
    if not attendance_selectors.session_may_answer(membership=membership):
        raise PermissionDenied(_("Only the group's members answer its sessions."))
    with transaction.atomic():
        locked = _session_for_update(session.pk)
        if not attendance_selectors.session_answers_open(session=locked):
            raise AnswersClosed(
                _("This session has started: answers are closed. Tell the facilitator instead.")
            )
        if answer == Answer.COMING and locked.capacity is not None:
            taken = attendance_selectors.session_coming_count(
                session_id=locked.pk, excluding_membership_id=membership.pk
            )
            if taken >= locked.capacity:
                raise SessionFull(
                    ngettext(
                        "This session is full (%(capacity)d place): your answer has not "
                        "changed. Answer “maybe”: a place frees up when someone who is "
                        "coming changes their answer.",
                        "This session is full (%(capacity)d places): your answer has not "
                        "changed. Answer “maybe”: a place frees up when someone who is "
                        "coming changes their answer.",
                        locked.capacity,
                    )
                    % {"capacity": locked.capacity}
                )
        saved, _created = SessionAnswer.objects.update_or_create(
            session=locked,
            membership=membership,
            defaults={"answer": answer, "answered_at": timezone.now()},
        )
    return saved


def session_capacity_set(*, session: Session, actor: Any, capacity: int | None) -> Session:
    """The facilitator sets (or lifts, with None) the number of places of a session.

    Never below the members already coming: their answers were accepted.
    """
    _require_facilitator(actor=actor, session=session)
    if capacity is not None and capacity < 1:
        raise GroupError({"capacity": _("A session has at least one place.")})
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        coming = attendance_selectors.session_coming_count(session_id=locked.pk)
        if capacity is not None and capacity < coming:
            raise GroupError(
                {
                    "capacity": ngettext(
                        "%(n)d member already said they are coming: give at least as many places.",
                        "%(n)d members already said they are coming: give at least as many places.",
                        coming,
                    )
                    % {"n": coming}
                }
            )
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
    return locked


def session_attendance_record(*, session: Session, actor: Any, presence: Mapping[int, bool]) -> int:
    """The facilitator records who was there (user id → present), once the session started.

    Recording again corrects the earlier marks. Only the session's roster (members who
    had joined when it started) may be marked. Returns how many marks were saved.
    """
    _require_facilitator(actor=actor, session=session)
    if not attendance_selectors.session_attendance_open(session=session):
        raise GroupError(_("Attendance is taken once the session has started."))
    roster = {m.user_id for m in attendance_selectors.session_roster(session=session)}
    if not presence:
        raise GroupError(_("Mark each member present or absent."))
    strangers = set(presence) - roster
    if strangers:
        raise GroupError(_("Only the group's members at the time of the session are marked."))
    now = timezone.now()
    with transaction.atomic():
        # Two people saving the same sheet at once take turns: no duplicate insert fails.
        Session.objects.select_for_update().filter(pk=session.pk).first()
        for user_id, present in sorted(presence.items()):
            SessionAttendance.objects.update_or_create(
                session_id=session.pk,
                user_id=user_id,
                defaults={"present": bool(present), "recorded_at": now, "recorded_by": actor},
            )
    return len(presence)
