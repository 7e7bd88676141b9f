"""Writes about associations: registration and staff decisions.

Every function checks its own rules (who may act, which state allows it), so a
view, the CMS admin or another app cannot skip one. Emails go out after the
database commit.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .. import emails, selectors
from ..models import (
    Association,
    AssociationDocument,
    AssociationStatusChange,
    Membership,
)
from ..signals import association_status_changed
from ..validators import (
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
    actor: Any,
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
    if not getattr(actor, "is_authenticated", False):
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
        created_by=actor,
    )
    if logo:
        association.logo = logo
    try:
        with transaction.atomic():
            association.slug = _unique_slug(association.name)
            association.full_clean(exclude=["slug", "logo"], validate_constraints=False)
            association.save()
            Membership.objects.create(association=association, user=actor, role=Role.OWNER)
            for kind, file in documents:
                association_document_add(association=association, actor=actor, kind=kind, file=file)
            staff_emails = list(
                get_user_model()
                .objects.filter(is_staff=True, is_active=True)
                .values_list("email", flat=True)
            )
            emails.email_registration_received(association=association, recipients=[actor.email])
            emails.email_registration_to_staff(association=association, recipients=staff_emails)
    except IntegrityError as exc:
        # Two registrations of the same number at once: the database constraint decides.
        raise ValidationError(
            _("An association with this RNA or SIREN number is already registered.")
        ) from exc
    return association


def association_document_add(
    *, association: Association, actor: Any, kind: str, file: UploadedFile
) -> AssociationDocument:
    """Attach a private document (statutes, prefecture's receipt) to an association."""
    selectors.association_manage_check(actor=actor, association=association)
    if kind not in AssociationDocument.Kind.values:
        raise ValidationError(_("Unknown kind of document."), code="invalid_kind")
    content_type = validate_document_file(file)
    document = AssociationDocument(
        association=association,
        kind=kind,
        original_name=(getattr(file, "name", "") or "document")[-255:],
        content_type=content_type,
        size=file.size,
        uploaded_by=actor,
    )
    file.seek(0)
    document.file.save(file.name, file, save=False)
    document.save()
    return document


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
    *, association: Association, actor: Any, status: str, reason: str
) -> Association:
    if not (getattr(actor, "is_staff", False) and actor.is_active):
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
        association.status_changed_by = actor
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
            decided_by=actor,
            decided_at=now,
        )
        association_status_changed.send(
            sender=Association, association_id=association.pk, status=status
        )
        recipients = selectors.association_manager_emails(association=association, owners_only=True)
        emails.email_status_decision(association=association, recipients=recipients)
    return association


def association_verify(*, association: Association, actor: Any, reason: str = "") -> Association:
    return _association_decide(
        association=association, actor=actor, status=Status.VERIFIED, reason=reason
    )


def association_reject(*, association: Association, actor: Any, reason: str) -> Association:
    return _association_decide(
        association=association, actor=actor, status=Status.REJECTED, reason=reason
    )


def association_suspend(*, association: Association, actor: Any, reason: str) -> Association:
    return _association_decide(
        association=association, actor=actor, status=Status.SUSPENDED, reason=reason
    )
