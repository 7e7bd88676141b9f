"""Writes about an association's details: managers edit, staff review what matters."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import Association, AssociationDetailsChange

Status = Association.Status
ChangeStatus = AssociationDetailsChange.Status


def association_details_update(
    *, association: Association, actor: Any, **fields: Any
) -> AssociationDetailsChange | None:
    """Managers update their association's details (not its identifiers).

    Once verified, a new name or commune is not applied: it is kept as a proposal for
    staff, and the public page shows the verified details until they accept it. Other
    fields apply at once. Returns the pending proposal, if there is one.
    """
    selectors.association_manage_check(actor=actor, association=association)
    unknown = set(fields) - set(Association.EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by managers: {sorted(unknown)}")
    fields = {
        name: value.strip() if isinstance(value, str) else value
        for name, value in fields.items()
        if not (name == "logo" and value is None)
    }
    reviewed: dict[str, str] = {}
    if association.status == Status.VERIFIED:
        reviewed = {
            name: value
            for name, value in fields.items()
            if name in Association.REVIEWED_FIELDS and value != getattr(association, name)
        }
    # Validate the association as it would be with every change applied...
    previous = {name: getattr(association, name) for name in reviewed}
    for name, value in fields.items():
        setattr(association, name, value)
    association.full_clean(exclude=["logo"], validate_constraints=False)
    # ...but keep the verified values of the reviewed fields for now.
    for name, value in previous.items():
        setattr(association, name, value)
    applied = [name for name in fields if name not in reviewed]
    with transaction.atomic():
        # Only the edited fields: a staff decision taken meanwhile must not be undone.
        association.save(update_fields=[*applied, "updated_at"])
        change = (
            AssociationDetailsChange.objects.select_for_update()
            .filter(association=association, status=ChangeStatus.PENDING)
            .first()
        )
        if reviewed:
            if change is None:
                change = AssociationDetailsChange(association=association)
            change.changes = {**change.changes, **reviewed}
            change.proposed_by = actor
            change.proposed_at = timezone.now()
            change.save()
    return change


def _decide_change(
    *, change_id: int, actor: Any, status: str, reason: str = ""
) -> AssociationDetailsChange:
    with transaction.atomic():
        change = (
            AssociationDetailsChange.objects.select_for_update()
            .select_related("association")
            .get(pk=change_id)
        )
        if change.status != ChangeStatus.PENDING:
            raise ValidationError(_("This change has already been decided."), code="change_decided")
        if status == ChangeStatus.ACCEPTED:
            association = Association.objects.select_for_update().get(pk=change.association_id)
            for name, value in change.changes.items():
                if name in Association.REVIEWED_FIELDS:
                    setattr(association, name, value)
            association.full_clean(exclude=["logo"], validate_constraints=False)
            association.save(update_fields=[*change.changes, "updated_at"])
            change.association = association
        change.status = status
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.reason = (reason or "").strip()
        change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return change


def association_details_change_accept(
    *, change_id: int, actor: Any, reason: str = ""
) -> AssociationDetailsChange:
    """Staff accept a proposed name or commune: the association shows it from now on."""
    return _decide_change(
        change_id=change_id, actor=actor, status=ChangeStatus.ACCEPTED, reason=reason
    )


def association_details_change_reject(
    *, change_id: int, actor: Any, reason: str
) -> AssociationDetailsChange:
    """Staff refuse a proposed name or commune: the verified details stay."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason: it is shown to the association.")})
    return _decide_change(
        change_id=change_id, actor=actor, status=ChangeStatus.REJECTED, reason=reason
    )
