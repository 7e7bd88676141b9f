"""Writes about associations: registration, staff decisions, the team.

Every function checks its own rules (who may act, which state allows it), so a
view, the CMS admin or another app cannot skip one. Emails go out after the
database commit.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import emails, selectors
from .models import (
    Association,
    AssociationDocument,
    AssociationStatusChange,
    Invitation,
    Membership,
)
from .validators import (
    normalise_identifier,
    validate_document_file,
    validate_rna,
    validate_siren,
)

Role = Membership.Role
Status = Association.Status

INVITATION_VALIDITY = timedelta(days=7)


class AssociationNotActive(ValidationError):
    """The association is not verified, so it may not start anything."""

    def __init__(self, association: Association) -> None:
        self.association = association
        super().__init__(
            _(
                "%(name)s is not a verified association (its status is “%(status)s”): "
                "it cannot start a lottery or a group until the platform has verified it."
            ),
            code="association_not_active",
            params={"name": association.name, "status": association.get_status_display()},
        )


class InvitationError(ValidationError):
    """An invitation link that cannot be used (unknown, expired, used, wrong person)."""


# --- Activity gate ----------------------------------------------------------------


def association_require_active(*, association: Association) -> None:
    """Raise AssociationNotActive unless the association is verified.

    Lotteries and groups call this before starting anything.
    """
    if not selectors.association_is_active(association=association):
        raise AssociationNotActive(association)


# --- Registration -------------------------------------------------------------------


# Slugs that would collide with the app's own URLs.
_RESERVED_SLUGS = {"inscription", "invitations"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:150] or "association"
    slug, n = base, 2
    while slug in _RESERVED_SLUGS or Association.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def association_identifiers_clean(
    *, rna_number: str, siren: str, exclude_pk: int | None = None
) -> tuple[str, str]:
    """Normalise and check the RNA number and SIREN; return them normalised.

    Raises a ValidationError keyed by field, so forms show it on the right input.
    """
    rna_number = normalise_identifier(rna_number)
    siren = normalise_identifier(siren)
    errors: dict[str, list] = {}
    if rna_number:
        try:
            validate_rna(rna_number)
        except ValidationError as exc:
            errors["rna_number"] = exc.error_list
        else:
            if selectors.association_identifier_taken(
                field="rna_number", value=rna_number, exclude_pk=exclude_pk
            ):
                errors["rna_number"] = [
                    ValidationError(
                        _("An association with this RNA number is already registered."),
                        code="duplicate_rna",
                    )
                ]
    if siren:
        try:
            validate_siren(siren)
        except ValidationError as exc:
            errors["siren"] = exc.error_list
        else:
            if selectors.association_identifier_taken(
                field="siren", value=siren, exclude_pk=exclude_pk
            ):
                errors["siren"] = [
                    ValidationError(
                        _("An association with this SIREN number is already registered."),
                        code="duplicate_siren",
                    )
                ]
    if not rna_number and not siren:
        errors["rna_number"] = [
            ValidationError(
                _("Give the RNA number or, for an older association, its SIREN number."),
                code="identifier_required",
            )
        ]
    if errors:
        raise ValidationError(errors)
    return rna_number, siren


def association_register(
    *,
    user: Any,
    name: str,
    address: str,
    postcode: str,
    commune: str,
    purpose: str,
    contact_email: str,
    rna_number: str = "",
    siren: str = "",
    legal_form: str = Association.LegalForm.LAW_1901,
    website: str = "",
    linkedin_url: str = "",
    facebook_url: str = "",
    instagram_url: str = "",
    x_url: str = "",
    logo: UploadedFile | None = None,
    documents: Iterable[tuple[str, UploadedFile]] = (),
) -> Association:
    """Register an association on behalf of a signed-in user, who becomes its owner.

    It starts pending; staff are told, and the owner gets a receipt by email.
    """
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    rna_number, siren = association_identifiers_clean(rna_number=rna_number, siren=siren)
    documents = list(documents)
    for _kind, file in documents:
        validate_document_file(file)
    association = Association(
        name=name.strip(),
        legal_form=legal_form,
        rna_number=rna_number,
        siren=siren,
        address=address.strip(),
        postcode=postcode.strip(),
        commune=commune.strip(),
        purpose=purpose.strip(),
        contact_email=contact_email.strip(),
        website=website,
        linkedin_url=linkedin_url,
        facebook_url=facebook_url,
        instagram_url=instagram_url,
        x_url=x_url,
        created_by=user,
    )
    if logo:
        association.logo = logo
    try:
        with transaction.atomic():
            association.slug = _unique_slug(association.name)
            association.full_clean(exclude=["slug", "logo"], validate_constraints=False)
            association.save()
            Membership.objects.create(association=association, user=user, role=Role.OWNER)
            for kind, file in documents:
                association_document_add(association=association, user=user, kind=kind, file=file)
            staff_emails = list(
                get_user_model()
                .objects.filter(is_staff=True, is_active=True)
                .values_list("email", flat=True)
            )
            emails.email_registration_received(association=association, recipients=[user.email])
            emails.email_registration_to_staff(association=association, recipients=staff_emails)
    except IntegrityError as exc:
        # Two registrations of the same number at once: the database constraint decides.
        raise ValidationError(
            _("An association with this RNA or SIREN number is already registered.")
        ) from exc
    return association


def association_document_add(
    *, association: Association, user: Any, kind: str, file: UploadedFile
) -> AssociationDocument:
    """Attach a private document (statutes, prefecture's receipt) to an association."""
    if not selectors.association_can_manage(user=user, association=association):
        raise PermissionDenied
    if kind not in AssociationDocument.Kind.values:
        raise ValidationError(_("Unknown kind of document."), code="invalid_kind")
    content_type = validate_document_file(file)
    document = AssociationDocument(
        association=association,
        kind=kind,
        original_name=(getattr(file, "name", "") or "document")[-255:],
        content_type=content_type,
        size=file.size,
        uploaded_by=user,
    )
    file.seek(0)
    document.file.save(file.name, file, save=False)
    document.save()
    return document


def association_details_update(
    *, association: Association, user: Any, **fields: Any
) -> Association:
    """Managers update their association's public details (not its identifiers)."""
    if not selectors.association_can_manage(user=user, association=association):
        raise PermissionDenied
    unknown = set(fields) - set(Association.EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by managers: {sorted(unknown)}")
    for name, value in fields.items():
        if name == "logo" and value is None:
            continue
        setattr(association, name, value.strip() if isinstance(value, str) else value)
    association.full_clean(exclude=["logo"], validate_constraints=False)
    # Only the edited fields: a staff decision taken meanwhile must not be undone.
    association.save(update_fields=[*fields, "updated_at"])
    return association


# --- Staff decisions ------------------------------------------------------------------

# Which statuses each decision may start from.
_DECISIONS: dict[str, set[str]] = {
    Status.VERIFIED: {Status.PENDING, Status.REJECTED, Status.SUSPENDED},
    Status.REJECTED: {Status.PENDING},
    Status.SUSPENDED: {Status.VERIFIED},
}


def association_decision_allowed(*, association: Association, status: str) -> bool:
    return association.status in _DECISIONS.get(status, set())


def _association_decide(
    *, association: Association, staff_user: Any, status: str, reason: str
) -> Association:
    if not (getattr(staff_user, "is_staff", False) and staff_user.is_active):
        raise PermissionDenied
    reason = (reason or "").strip()
    if status != Status.VERIFIED and not reason:
        raise ValidationError({"reason": _("Give a reason: the association will read it.")})
    with transaction.atomic():
        association = Association.objects.select_for_update().get(pk=association.pk)
        if not association_decision_allowed(association=association, status=status):
            raise ValidationError(
                _("This decision is not possible for an association that is “%(status)s”."),
                code="invalid_transition",
                params={"status": association.get_status_display()},
            )
        now = timezone.now()
        association.status = status
        association.status_reason = reason
        association.status_changed_by = staff_user
        association.status_changed_at = now
        association.save(
            update_fields=[
                "status",
                "status_reason",
                "status_changed_by",
                "status_changed_at",
                "updated_at",
            ]
        )
        AssociationStatusChange.objects.create(
            association=association,
            status=status,
            reason=reason,
            decided_by=staff_user,
            decided_at=now,
        )
        recipients = selectors.association_manager_emails(association=association, owners_only=True)
        emails.email_status_decision(association=association, recipients=recipients)
    return association


def association_verify(
    *, association: Association, staff_user: Any, reason: str = ""
) -> Association:
    return _association_decide(
        association=association, staff_user=staff_user, status=Status.VERIFIED, reason=reason
    )


def association_reject(*, association: Association, staff_user: Any, reason: str) -> Association:
    return _association_decide(
        association=association, staff_user=staff_user, status=Status.REJECTED, reason=reason
    )


def association_suspend(*, association: Association, staff_user: Any, reason: str) -> Association:
    return _association_decide(
        association=association, staff_user=staff_user, status=Status.SUSPENDED, reason=reason
    )


# --- Team ---------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_manager(*, user: Any, association: Association) -> None:
    if not selectors.association_can_manage(user=user, association=association):
        raise PermissionDenied(_("Only the association's owners and admins manage its team."))


def invitation_create(
    *, association: Association, inviter: Any, email: str, role: str = Role.MEMBER
) -> tuple[Invitation, str]:
    """Invite someone by email; return the invitation and the secret token for its link.

    A new invitation to the same address replaces the earlier pending one.
    """
    _require_manager(user=inviter, association=association)
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


def invitation_check(*, invitation: Invitation | None, user: Any | None = None) -> None:
    """Raise InvitationError unless the invitation can still be accepted (by `user`)."""
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
    if user is not None and not _user_has_email(user=user, email=invitation.email):
        raise InvitationError(
            _(
                "This invitation was sent to %(email)s, but you are signed in as %(current)s. "
                "Sign in with the invited address to accept it."
            ),
            code="invitation_wrong_email",
            params={"email": invitation.email, "current": user.email},
        )


def invitation_accept(*, token: str, user: Any) -> Membership:
    """Accept an invitation: once, before it expires, by the invited address only."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    with transaction.atomic():
        invitation = invitation_get(token=token)
        if invitation is not None:
            # Lock it, so two clicks cannot both accept.
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_check(invitation=invitation, user=user)
        if Membership.objects.filter(association=invitation.association, user=user).exists():
            raise InvitationError(
                _("You are already in this association's team."), code="invitation_member"
            )
        membership = Membership.objects.create(
            association=invitation.association, user=user, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitation_revoke(*, invitation: Invitation, user: Any) -> Invitation:
    _require_manager(user=user, association=invitation.association)
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


def association_leave(*, association: Association, user: Any) -> None:
    membership = Membership.objects.filter(association=association, user=user).first()
    if membership is None:
        raise ValidationError(_("You are not in this association's team."))
    membership_remove(membership=membership, actor=user)
