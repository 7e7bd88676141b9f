"""Reads about associations, and every "may this user…?" question in one place.

Views, templates, the CMS admin and the lottery and group apps ask these
functions; none of them decide permissions on their own.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from wagtail.search.backends import get_search_backend

from .models import (
    Association,
    AssociationDetailsChange,
    AssociationDocument,
    Invitation,
    Membership,
)
from .validators import normalise_identifier

Role = Membership.Role
MANAGER_ROLES = (Role.OWNER, Role.ADMIN)


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def association_role(*, user: Any, association: Association) -> str | None:
    """The user's role in the association, or None for a non-member."""
    if not _is_signed_in(user):
        return None
    return (
        Membership.objects.filter(association=association, user=user)
        .values_list("role", flat=True)
        .first()
    )


def association_is_member(*, user: Any, association: Association) -> bool:
    return association_role(user=user, association=association) is not None


def association_is_owner(*, user: Any, association: Association) -> bool:
    return association_role(user=user, association=association) == Role.OWNER


def association_can_manage(*, user: Any, association: Association) -> bool:
    """Owners and admins manage an association. Platform staff do not, unless they are
    one of its owners or admins too: staff act through the CMS and the back office,
    where each of their acts is their own, never as the association."""
    return association_role(user=user, association=association) in MANAGER_ROLES


def association_manage_check(*, actor: Any, association: Association, message: Any = "") -> None:
    """Refuse (PermissionDenied) an actor who may not manage `association`; every app's
    services and views ask this, so the rule and its refusal live here only."""
    if not association_can_manage(user=actor, association=association):
        raise PermissionDenied(
            message or _("Only the association's owners and admins may do this.")
        )


def association_can_view_dashboard(*, user: Any, association: Association) -> bool:
    return association_is_member(user=user, association=association)


def association_can_read_documents(*, user: Any, association: Association) -> bool:
    """Documents are private: the association's managers and platform staff only."""
    if not _is_signed_in(user):
        return False
    if user.is_staff and user.is_active:
        return True
    return association_can_manage(user=user, association=association)


def association_can_assign_role(*, user: Any, association: Association, role: str) -> bool:
    """Managers give the admin and member roles; only owners give the owner role."""
    actor_role = association_role(user=user, association=association)
    if role == Role.OWNER:
        return actor_role == Role.OWNER
    return actor_role in MANAGER_ROLES


def membership_can_be_changed_by(*, membership: Membership, user: Any) -> bool:
    """Whether `user` may change this membership's role or remove it.

    Managers handle admins and members; an owner's membership is for owners only.
    """
    actor_role = association_role(user=user, association=membership.association)
    if membership.role == Role.OWNER:
        return actor_role == Role.OWNER
    return actor_role in MANAGER_ROLES


def association_team_for(*, association: Association, user: Any) -> list[dict[str, Any]]:
    """The team as the dashboard lists it: each membership, whether `user` may change it,
    and whether it is their own. The viewer's role is read once, not once per member."""
    actor_role = association_role(user=user, association=association)
    rows = []
    for membership in association_team(association=association):
        if membership.role == Role.OWNER:
            can_change = actor_role == Role.OWNER
        else:
            can_change = actor_role in MANAGER_ROLES
        rows.append(
            {
                "membership": membership,
                "can_change": can_change,
                "is_self": membership.user_id == getattr(user, "pk", None),
            }
        )
    return rows


def association_owner_count(*, association: Association) -> int:
    return Membership.objects.filter(association=association, role=Role.OWNER).count()


def association_is_active(*, association: Association) -> bool:
    """Only a verified association may run lotteries and groups."""
    return association.is_active


def association_status_is_active(*, status: str) -> bool:
    """`association_is_active` for a status read on its own (in one statement with other
    reads, say): verified, and not pending, rejected or suspended."""
    return Association.status_is_active(status)


def association_manager_ids(*, association_id: int) -> set[int]:
    """The accounts that manage the association (`association_can_manage`): its owners
    and admins."""
    return set(
        Membership.objects.filter(
            association_id=association_id, role__in=MANAGER_ROLES
        ).values_list("user_id", flat=True)
    )


def associations_managed_by(*, user: Any) -> QuerySet[Association]:
    if not _is_signed_in(user):
        return Association.objects.none()
    return Association.objects.filter(
        memberships__user=user, memberships__role__in=MANAGER_ROLES
    ).distinct()


def memberships_of_user(*, user: Any) -> QuerySet[Membership]:
    """The user's memberships, with their associations, for "my associations"."""
    if not _is_signed_in(user):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("association")
        .order_by("association__name")
    )


def associations_public() -> QuerySet[Association]:
    """Associations anyone may see: the verified ones."""
    return Association.objects.filter(status=Association.Status.VERIFIED).order_by("name")


def associations_for_review() -> QuerySet[Association]:
    """Every association for platform staff, the ones waiting for a decision (registration
    or change of details) first."""
    return Association.objects.annotate(
        has_pending_change=Exists(
            AssociationDetailsChange.objects.filter(
                association=OuterRef("pk"), status=AssociationDetailsChange.Status.PENDING
            )
        ),
        review_order=Case(
            When(status=Association.Status.PENDING, then=Value(0)),
            When(has_pending_change=True, then=Value(0)),
            When(status=Association.Status.SUSPENDED, then=Value(1)),
            When(status=Association.Status.VERIFIED, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
    ).order_by("review_order", "created_at", "pk")


def association_team(*, association: Association) -> QuerySet[Membership]:
    order = Case(
        When(role=Role.OWNER, then=Value(0)),
        When(role=Role.ADMIN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Membership.objects.filter(association=association)
        .select_related("user")
        .annotate(role_order=order)
        .order_by("role_order", "joined_at", "pk")
    )


def association_manager_emails(*, association: Association, owners_only: bool = False) -> list[str]:
    roles = [Role.OWNER] if owners_only else list(MANAGER_ROLES)
    return list(
        Membership.objects.filter(association=association, role__in=roles, user__is_active=True)
        .order_by("joined_at", "pk")
        .values_list("user__email", flat=True)
    )


def association_pending_invitations(*, association: Association) -> list[Invitation]:
    invitations = Invitation.objects.filter(
        association=association, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    return [invitation for invitation in invitations if not invitation.is_expired]


def association_documents(*, association: Association) -> QuerySet[AssociationDocument]:
    return AssociationDocument.objects.filter(association=association).order_by(
        "kind", "uploaded_at", "pk"
    )


def association_identifier_taken(*, field: str, value: str, exclude_pk: int | None = None) -> bool:
    """Whether another association already has this RNA number or SIREN."""
    assert field in {"rna_number", "siren"}
    normalised = normalise_identifier(value)
    if not normalised:
        return False
    queryset = Association.objects.filter(**{field: normalised})
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


def associations_search(*, query: str, limit: int = 5) -> list[Association]:
    """Verified associations matching `query` (plain words), best first, for the site search."""
    if not query.strip():
        return []
    verified = Association.objects.filter(status=Association.Status.VERIFIED)
    return list(get_search_backend().search(query, verified)[:limit])


def association_pending_details_change(
    *, association: Association
) -> AssociationDetailsChange | None:
    """The proposed name or commune waiting for staff, if any."""
    return (
        AssociationDetailsChange.objects.filter(
            association=association, status=AssociationDetailsChange.Status.PENDING
        )
        .select_related("association")
        .first()
    )


def associations_waiting_for_review(*, limit: int = 20) -> list[dict]:
    """What staff have to decide: new registrations and changes of details, oldest first."""
    registrations = [
        {"association": association, "kind": "registration", "since": association.created_at}
        for association in Association.objects.filter(status=Association.Status.PENDING).order_by(
            "created_at", "pk"
        )[:limit]
    ]
    changes = [
        {"association": change.association, "kind": "change", "since": change.proposed_at}
        for change in AssociationDetailsChange.objects.filter(
            status=AssociationDetailsChange.Status.PENDING
        )
        .select_related("association")
        .order_by("proposed_at", "pk")[:limit]
    ]
    return sorted(registrations + changes, key=lambda row: row["since"])[:limit]
