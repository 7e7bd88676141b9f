"""Sessions of a group and the commitments members make at them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Commitment, Group, GroupMembership, Session
from .errors import GroupError

SESSION_FIELDS = ("starts_at", "duration_minutes", "place", "video_url", "agenda", "capacity")


def _require_organiser(*, actor: Any, group: Group) -> None:
    membership = selectors.group_membership(user=actor, group_id=group.pk)
    if not selectors.group_is_moderator(user=actor, group=group, membership=membership):
        raise PermissionDenied(
            _("Only the facilitator and the association's admins plan sessions.")
        )


def session_create(*, group: Group, actor: Any, **fields: Any) -> Session:
    _require_organiser(actor=actor, group=group)
    fields = {k: v for k, v in fields.items() if k in SESSION_FIELDS}
    if not fields.get("place") and not fields.get("video_url"):
        raise GroupError({"place": _("Give a place or a video link.")})
    if fields["starts_at"] <= timezone.now():
        raise GroupError({"starts_at": _("A session is planned in the future.")})
    return Session.objects.create(group=group, **fields)


def commitment_set(*, session: Session, actor: Any, goal: str) -> Commitment:
    """A member sets (or rewrites) their goal for the week at a session."""
    if not GroupMembership.objects.filter(group_id=session.group_id, user=actor).exists():
        raise PermissionDenied(_("Only the group's members set goals."))
    goal = goal.strip()
    if not goal:
        raise GroupError({"goal": _("Write a concrete goal.")})
    commitment, _created = Commitment.objects.update_or_create(
        session=session, user=actor, defaults={"goal": goal[:300]}
    )
    return commitment


def commitment_report(*, commitment: Commitment, actor: Any, done: bool) -> Commitment:
    """The member says whether they did it; reported once, at the next session or later."""
    if commitment.user_id != actor.pk:
        raise PermissionDenied(_("Only its author reports on a goal."))
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if commitment.outcome != Commitment.Outcome.OPEN:
            raise GroupError(_("This goal has already been reported on."))
        commitment.outcome = Commitment.Outcome.DONE if done else Commitment.Outcome.NOT_DONE
        commitment.reported_at = timezone.now()
        commitment.save(update_fields=["outcome", "reported_at"])
    return commitment
