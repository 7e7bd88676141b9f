"""Groups and who is in them: creation, applications, invitations, seats, removal.

Lock order: the group row first (`_group_lock`), then its memberships and waiting
list. Every change of who holds a seat takes the group lock, so two admissions
never both take the last seat.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from associations.services import association_require_active

from .. import selectors
from ..effects import broadcast_on_commit, room_user_group_name
from ..models import Group, GroupApplication, GroupInvitation, GroupMembership, WaitingListEntry
from .errors import GroupError

Role = GroupMembership.Role
JoinedVia = GroupMembership.JoinedVia

GROUP_FIELDS = (
    "title",
    "topic",
    "topic_other",
    "description",
    "title_en",
    "description_en",
    "capacity",
    "admission",
)


def _require_manager(*, actor: Any, group: Group) -> None:
    if not selectors.group_can_manage(user=actor, group=group):
        raise PermissionDenied(_("Only the association's admins manage this group."))


def _require_moderator(*, actor: Any, group: Group) -> None:
    membership = selectors.group_membership(user=actor, group_id=group.pk)
    if not selectors.group_is_moderator(user=actor, group=group, membership=membership):
        raise PermissionDenied(_("Only the facilitator and the association's admins moderate."))


def _group_lock(group_id: int) -> Group:
    """Lock the group row; call inside a transaction, before reading its seats."""
    return Group.objects.select_for_update().get(pk=group_id)


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("topic") == Group.Topic.OTHER and not (fields.get("topic_other") or "").strip():
        raise GroupError({"topic_other": _("Say what the group is about.")})
    if fields.get("topic") and fields["topic"] != Group.Topic.OTHER:
        fields["topic_other"] = ""
    return fields


def group_create(
    *, association: Association, actor: Any, facilitator: Any | None = None, **fields: Any
) -> Group:
    """Create a group; only a verified association's admins may."""
    unknown = set(fields) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"Unknown group fields: {sorted(unknown)}")
    probe = Group(association=association)
    _require_manager(actor=actor, group=probe)
    association_require_active(association=association)
    with transaction.atomic():
        group = Group.objects.create(
            association=association, facilitator=facilitator, **_clean_fields(fields)
        )
        if facilitator is not None:
            GroupMembership.objects.create(
                group=group, user=facilitator, role=Role.FACILITATOR, joined_via=JoinedVia.APPOINTED
            )
    return group


def group_update(*, group: Group, actor: Any, **fields: Any) -> Group:
    _require_manager(actor=actor, group=group)
    association_require_active(association=group.association)
    fields = _clean_fields({k: v for k, v in fields.items() if k in GROUP_FIELDS})
    with transaction.atomic():
        locked = _group_lock(group.pk)
        if "capacity" in fields and fields["capacity"] < selectors.group_seats_taken(group=locked):
            raise GroupError(
                {"capacity": _("The group already has more members than this capacity.")}
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields])
        _waiting_list_promote(group=locked)
    return locked


def _enroll(*, group: Group, user: Any, joined_via: str, front: bool = False) -> str:
    """Give `user` a seat, or a place on the waiting list when the group is full.

    Caller holds the group lock. Returns "member", "waiting" or "already".
    """
    if GroupMembership.objects.filter(group=group, user=user).exists():
        return "already"
    if selectors.group_has_free_seat(group=group):
        WaitingListEntry.objects.filter(group=group, user=user).delete()
        GroupMembership.objects.create(group=group, user=user, joined_via=joined_via)
        return "member"
    existing = WaitingListEntry.objects.filter(group=group, user=user).first()
    bounds = group.waiting_list.aggregate(low=Min("position"), high=Max("position"))
    if front:
        position = (bounds["low"] if bounds["low"] is not None else 1) - 1
    else:
        position = (bounds["high"] if bounds["high"] is not None else 0) + 1
    if existing is not None:
        if front and existing.position > position:
            existing.position, existing.joined_via = position, joined_via
            existing.save(update_fields=["position", "joined_via"])
        return "waiting"
    WaitingListEntry.objects.create(
        group=group, user=user, position=position, joined_via=joined_via
    )
    return "waiting"


def _waiting_list_promote(*, group: Group) -> list[int]:
    """Fill free seats from the head of the waiting list. Caller holds the group lock."""
    promoted = []
    while selectors.group_has_free_seat(group=group):
        entry = group.waiting_list.order_by("position", "pk").first()
        if entry is None:
            break
        GroupMembership.objects.create(group=group, user=entry.user, joined_via=entry.joined_via)
        entry.delete()
        promoted.append(entry.user_id)
        _emails().seat_granted_email_send(group.pk, entry.user_id)
    return promoted


def group_apply(*, group: Group, actor: Any, message: str = "") -> GroupApplication:
    if group.admission != Group.Admission.APPLICATIONS:
        raise GroupError(_("This group takes members by invitation only."))
    association_require_active(association=group.association)
    with transaction.atomic():
        _group_lock(group.pk)
        if GroupMembership.objects.filter(group=group, user=actor).exists():
            raise GroupError(_("You are already in this group."))
        if group.applications.filter(user=actor, status=GroupApplication.Status.PENDING).exists():
            raise GroupError(_("Your application is already waiting for an answer."))
        return GroupApplication.objects.create(group=group, user=actor, message=message[:2000])


def group_application_decide(*, application: GroupApplication, actor: Any, accept: bool) -> str:
    """Accept (a seat, or the waiting list when full) or refuse a pending application."""
    group = application.group
    _require_manager(actor=actor, group=group)
    with transaction.atomic():
        locked = _group_lock(group.pk)
        application = GroupApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != GroupApplication.Status.PENDING:
            raise GroupError(_("This application has already been answered."))
        application.status = (
            GroupApplication.Status.ACCEPTED if accept else GroupApplication.Status.REFUSED
        )
        application.decided_at, application.decided_by = timezone.now(), actor
        application.save(update_fields=["status", "decided_at", "decided_by"])
        outcome = "refused"
        if accept:
            outcome = _enroll(group=locked, user=application.user, joined_via=JoinedVia.APPLICATION)
        _emails().application_decided_email_send(application.pk, outcome)
    return outcome


def group_invite(*, group: Group, actor: Any, email: str) -> GroupInvitation:
    _require_manager(actor=actor, group=group)
    association_require_active(association=group.association)
    email = email.strip().lower()
    with transaction.atomic():
        _group_lock(group.pk)
        if GroupMembership.objects.filter(group=group, user__email__iexact=email).exists():
            raise GroupError({"email": _("This person is already in the group.")})
        if group.invitations.filter(email__iexact=email, status="pending").exists():
            raise GroupError({"email": _("This person already has a pending invitation.")})
        invitation = GroupInvitation.objects.create(group=group, email=email, invited_by=actor)
        _emails().invitation_email_send(invitation.pk)
    return invitation


def group_invitation_respond(*, invitation: GroupInvitation, actor: Any, accept: bool) -> str:
    if invitation.email.lower() != (actor.email or "").lower():
        raise PermissionDenied(_("This invitation was sent to another address."))
    with transaction.atomic():
        locked = _group_lock(invitation.group_id)
        invitation = GroupInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != GroupInvitation.Status.PENDING:
            raise GroupError(_("This invitation is no longer valid."))
        invitation.status = (
            GroupInvitation.Status.ACCEPTED if accept else GroupInvitation.Status.DECLINED
        )
        invitation.save(update_fields=["status"])
        if not accept:
            return "declined"
        return _enroll(group=locked, user=actor, joined_via=JoinedVia.INVITATION)


def _membership_end(*, group: Group, user_id: int) -> None:
    """Delete the membership, close the person's sockets, give the seat to the next in line."""
    GroupMembership.objects.filter(group=group, user_id=user_id).delete()
    broadcast_on_commit(room_user_group_name(group.pk, user_id), {"type": "room.kick"})
    _waiting_list_promote(group=group)


def group_member_remove(*, membership: GroupMembership, actor: Any) -> None:
    """A moderator removes a member; their open room sockets are closed at once."""
    group = membership.group
    _require_moderator(actor=actor, group=group)
    if membership.user_id == getattr(actor, "pk", None):
        raise GroupError(_("Use “leave the group” to leave it yourself."))
    with transaction.atomic():
        locked = _group_lock(group.pk)
        _membership_end(group=locked, user_id=membership.user_id)


def group_leave(*, group: Group, actor: Any) -> None:
    """Leave a group, decline a won seat, or leave its waiting list."""
    with transaction.atomic():
        locked = _group_lock(group.pk)
        WaitingListEntry.objects.filter(group=locked, user=actor).delete()
        if GroupMembership.objects.filter(group=locked, user=actor).exists():
            _membership_end(group=locked, user_id=actor.pk)


def group_member_mute(*, membership: GroupMembership, actor: Any, minutes: int) -> GroupMembership:
    """Mute a member for `minutes` (0 lifts it); their sockets learn it at once."""
    group = membership.group
    _require_moderator(actor=actor, group=group)
    if not 0 <= minutes <= 60 * 24 * 30:
        raise GroupError(_("A mute lasts between 0 minutes and 30 days."))
    with transaction.atomic():
        membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
        membership.muted_until = timezone.now() + timedelta(minutes=minutes) if minutes else None
        membership.save(update_fields=["muted_until"])
        until = membership.muted_until.isoformat() if membership.muted_until else None
        broadcast_on_commit(
            room_user_group_name(group.pk, membership.user_id),
            {"type": "room.muted", "until": until},
        )
    return membership


def group_seat_award(*, group_id: int, user_id: int, prize_id: int) -> str:
    """A winner of a seat-carrying prize joins the group, or heads its waiting list.

    Idempotent: a second call for the same winner changes nothing.
    """
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "no_user"
    with transaction.atomic():
        locked = _group_lock(group_id)
        outcome = _enroll(group=locked, user=user, joined_via=JoinedVia.PRIZE_SEAT, front=True)
        if outcome != "already":
            _emails().seat_won_email_send(group_id, user_id, outcome)
    return outcome


def _emails():
    """The groups' email senders (`groups.tasks`, imported late: it imports these services).

    Called inside the change's transaction, they put the email on the outgoing queue
    with it, so it leaves if and only if the change commits.
    """
    from .. import tasks

    return tasks


def group_roles_settle(*, association_id: int, user_id: int, ended: bool) -> None:
    """Someone's place in the association's team changed: settle their powers in its groups.

    Who left the team facilitates none of its groups any more: an appointed
    facilitator leaves the group (their sockets are closed, as for any removal), one
    who also held a seat keeps it as a plain member. Then each of their open room
    sockets in the association's groups learns at once whether it still moderates,
    or is closed when the person may no longer enter. Caller is in the transaction
    that changed the team, so all of it holds or none does.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return
    for group in Group.objects.filter(association_id=association_id).order_by("pk"):
        if ended and (
            group.facilitator_id == user_id
            or GroupMembership.objects.filter(
                group=group, user_id=user_id, role=Role.FACILITATOR
            ).exists()
        ):
            group = _group_lock(group.pk)
            if group.facilitator_id == user_id:
                group.facilitator = None
                group.save(update_fields=["facilitator"])
            role = GroupMembership.objects.filter(
                group=group, user_id=user_id, role=Role.FACILITATOR
            ).first()
            if role is not None and role.joined_via == JoinedVia.APPOINTED:
                _membership_end(group=group, user_id=user_id)
                continue
            if role is not None:
                role.role = Role.MEMBER
                role.save(update_fields=["role"])
        membership = selectors.group_membership(user=user, group_id=group.pk)
        moderator = selectors.group_is_moderator(user=user, group=group, membership=membership)
        inbox = room_user_group_name(group.pk, user_id)
        if membership is None and not moderator:
            broadcast_on_commit(inbox, {"type": "room.kick"})
        else:
            broadcast_on_commit(inbox, {"type": "room.role", "moderator": moderator})
