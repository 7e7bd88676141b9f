"""Writes about an association's team: invitations, roles, leaving."""

import hashlib
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assosolos.ratelimit import ratelimit_consume

from .. import emails, selectors
from ..models import Association, Invitation, Membership
from ..signals import team_membership_changed
from .registration import INVITATION_VALIDITY, InvitationError, association_require_active

Role = Membership.Role


# --- Team ---------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_manager(*, user: Any, association: Association) -> None:
    selectors.association_manage_check(
        actor=user,
        association=association,
        message=_("Only the association's owners and admins manage its team."),
    )


def _invitation_rate_limit_consume(*, association: Association, inviter: Any) -> None:
    """Count one invitation email; refuse once the association or the person sent too many.

    Each invitation is an email the platform sends to an address it was given, so an
    account or an association must not turn it into a mass mailer.
    """
    per_person = ratelimit_consume(
        scope="invitation-person",
        key=str(inviter.pk),
        limit=settings.ASSOCIATIONS_INVITATIONS_PER_PERSON,
        period=settings.ASSOCIATIONS_INVITATIONS_PERIOD,
    )
    per_association = per_person and ratelimit_consume(
        scope="invitation-association",
        key=str(association.pk),
        limit=settings.ASSOCIATIONS_INVITATIONS_PER_ASSOCIATION,
        period=settings.ASSOCIATIONS_INVITATIONS_PERIOD,
    )
    if not per_association:
        raise ValidationError(
            _("Too many invitations were sent recently. Try again in an hour."),
            code="invitation_rate_limited",
        )


def invitation_create(
    *, association: Association, inviter: Any, email: str, role: str = Role.MEMBER
) -> tuple[Invitation, str]:
    """Invite someone by email; return the invitation and the secret token for its link.

    Only a verified association invites: its name, which the email carries, was checked
    by staff. A new invitation to the same address replaces the earlier pending one.
    """
    _require_manager(user=inviter, association=association)
    association_require_active(association=association)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not selectors.association_can_assign_role(user=inviter, association=association, role=role):
        raise PermissionDenied(_("Only owners can invite another owner."))
    email = BaseUserManager.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    if Membership.objects.filter(association=association, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already in the team.")})

    _invitation_rate_limit_consume(association=association, inviter=inviter)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            association=association,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            association=association,
            email=email,
            role=role,
            token_hash=invitation_token_hash(token),
            invited_by=inviter,
            created_at=now,
            expires_at=now + INVITATION_VALIDITY,
        )
        emails.email_invitation(invitation=invitation, token=token)
    return invitation, token


def invitation_get(*, token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("association", "invited_by")
        .filter(token_hash=invitation_token_hash(token or ""))
        .first()
    )


def _user_has_email(*, user: Any, email: str) -> bool:
    if user.email.casefold() == email.casefold():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def _invitation_inviter_may_still_invite(*, invitation: Invitation) -> bool:
    """Whether the invitation would be allowed if it were sent today."""
    association = invitation.association
    inviter = invitation.invited_by
    if inviter is None or not inviter.is_active:
        return False
    if not selectors.association_is_active(association=association):
        return False
    return selectors.association_can_manage(
        user=inviter, association=association
    ) and selectors.association_can_assign_role(
        user=inviter, association=association, role=invitation.role
    )


def invitations_revoke_sent_by(*, association: Association, user: Any) -> int:
    """Withdraw the pending invitations `user` sent for `association`; return how many."""
    return Invitation.objects.filter(
        association=association,
        invited_by=user,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())


def invitation_check(*, invitation: Invitation | None, actor: Any | None = None) -> None:
    """Raise InvitationError unless the invitation can still be accepted (by `actor`)."""
    if invitation is None:
        raise InvitationError(
            _("This invitation link is not valid. Ask the association for a new one."),
            code="invitation_unknown",
        )
    if invitation.is_used:
        raise InvitationError(_("This invitation has already been used."), code="invitation_used")
    if invitation.is_revoked:
        raise InvitationError(
            _("This invitation was withdrawn. Ask the association for a new one."),
            code="invitation_revoked",
        )
    if invitation.is_expired:
        raise InvitationError(
            _("This invitation has expired. Ask the association for a new one."),
            code="invitation_expired",
        )
    if not _invitation_inviter_may_still_invite(invitation=invitation):
        raise InvitationError(
            _(
                "This invitation is no longer valid: the person who sent it can no longer "
                "invite for this association. Ask the association for a new one."
            ),
            code="invitation_inviter_gone",
        )
    if actor is not None and not _user_has_email(user=actor, email=invitation.email):
        raise InvitationError(
            _(
                "This invitation was sent to %(email)s, but you are signed in as %(current)s. "
                "Sign in with the invited address to accept it."
            ),
            code="invitation_wrong_email",
            params={"email": invitation.email, "current": actor.email},
        )


def invitation_accept(*, token: str, actor: Any) -> Membership:
    """Accept an invitation: once, before it expires, by the invited address only."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    with transaction.atomic():
        invitation = invitation_get(token=token)
        if invitation is not None:
            # Lock it, so two clicks cannot both accept.
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_check(invitation=invitation, actor=actor)
        if Membership.objects.filter(association=invitation.association, user=actor).exists():
            raise InvitationError(
                _("You are already in this association's team."), code="invitation_member"
            )
        membership = Membership.objects.create(
            association=invitation.association, user=actor, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = actor
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitation_revoke(*, invitation: Invitation, actor: Any) -> Invitation:
    _require_manager(user=actor, association=invitation.association)
    if invitation.is_used:
        raise ValidationError(_("This invitation has already been accepted."))
    if not invitation.is_revoked:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _lock_association(association: Association) -> Association:
    # Serialises team changes per association, so two owners cannot both step down.
    return Association.objects.select_for_update().get(pk=association.pk)


def _refuse_if_last_owner(*, membership: Membership, message: str) -> None:
    if (
        membership.role == Role.OWNER
        and selectors.association_owner_count(association=membership.association) <= 1
    ):
        raise ValidationError(message, code="last_owner")


def membership_change_role(*, membership: Membership, actor: Any, role: str) -> Membership:
    """Change a team member's role. Only owners touch the owner role."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    association = membership.association
    _require_manager(user=actor, association=association)
    with transaction.atomic():
        _lock_association(association)
        membership = Membership.objects.select_related("association").get(pk=membership.pk)
        if not selectors.membership_can_be_changed_by(membership=membership, user=actor):
            raise PermissionDenied(_("Only owners can change an owner's role."))
        if not selectors.association_can_assign_role(
            user=actor, association=association, role=role
        ):
            raise PermissionDenied(_("Only owners can make someone an owner."))
        if membership.role == role:
            return membership
        if role != Role.OWNER:
            _refuse_if_last_owner(
                membership=membership,
                message=_(
                    "The association's last owner cannot be demoted: make someone else "
                    "an owner first."
                ),
            )
        membership.role = role
        membership.save(update_fields=["role"])
        team_membership_changed.send(
            sender=Membership,
            association_id=association.pk,
            user_id=membership.user_id,
            ended=False,
        )
    return membership


def membership_remove(*, membership: Membership, actor: Any) -> None:
    """Remove someone from the team, or leave it when `actor` is that person."""
    association = membership.association
    leaving = membership.user_id == getattr(actor, "pk", None)
    if not leaving:
        _require_manager(user=actor, association=association)
    with transaction.atomic():
        _lock_association(association)
        membership = Membership.objects.select_related("association").get(pk=membership.pk)
        if not leaving and not selectors.membership_can_be_changed_by(
            membership=membership, user=actor
        ):
            raise PermissionDenied(_("Only owners can remove an owner."))
        _refuse_if_last_owner(
            membership=membership,
            message=_(
                "The association's last owner cannot leave: make someone else an owner first."
            )
            if leaving
            else _("The association's last owner cannot be removed."),
        )
        membership.delete()
        # What they sent in the association's name goes with them.
        invitations_revoke_sent_by(association=association, user=membership.user)
        # And what they held through the team, in other apps (group facilitation…).
        team_membership_changed.send(
            sender=Membership,
            association_id=association.pk,
            user_id=membership.user_id,
            ended=True,
        )


def association_leave(*, association: Association, actor: Any) -> None:
    membership = Membership.objects.filter(association=association, user=actor).first()
    if membership is None:
        raise ValidationError(_("You are not in this association's team."))
    membership_remove(membership=membership, actor=actor)
