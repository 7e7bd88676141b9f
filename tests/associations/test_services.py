from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from associations import selectors, services
from associations.models import (
    Association,
    AssociationDocument,
    AssociationStatusChange,
    Invitation,
    Membership,
)
from tests.associations.factories import (
    AssociationFactory,
    MembershipFactory,
    pdf_file,
)
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = Association.Status


def register(user, **overrides):
    fields = {
        "name": "Tremplin Numérique",
        "rna_number": "W691000001",
        "address": "2 rue Mercière",
        "postcode": "69002",
        "commune": "Lyon",
        "purpose": "Accompagner les demandeurs d'emploi sur LinkedIn.",
        "contact_email": "contact@tremplin.example.org",
    }
    fields.update(overrides)
    return services.association_register(actor=user, **fields)


# --- Registration -----------------------------------------------------------------------


def test_registration_makes_a_pending_association_owned_by_the_user(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    staff = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        association = register(user, rna_number=" w691 000 001 ")

    association.refresh_from_db()
    assert association.status == Status.PENDING
    assert association.rna_number == "W691000001"
    assert association.slug == "tremplin-numerique"
    assert association.created_by == user
    assert selectors.association_role(user=user, association=association) == Role.OWNER
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([user.email, staff.email])


def test_registration_needs_an_rna_or_a_siren():
    with pytest.raises(ValidationError) as exc:
        register(UserFactory(), rna_number="", siren="")
    assert "rna_number" in exc.value.error_dict
    assert not Association.objects.exists()


def test_registration_with_a_siren_only_is_accepted():
    association = register(UserFactory(), rna_number="", siren="732 829 320")
    assert association.siren == "732829320"
    assert association.rna_number == ""


def test_bad_rna_is_refused_on_the_rna_field():
    with pytest.raises(ValidationError) as exc:
        register(UserFactory(), rna_number="W12345")
    assert list(exc.value.error_dict) == ["rna_number"]
    assert not Association.objects.exists()


def test_bad_siren_is_refused_on_the_siren_field():
    with pytest.raises(ValidationError) as exc:
        register(UserFactory(), rna_number="", siren="732829321")
    assert list(exc.value.error_dict) == ["siren"]


@pytest.mark.parametrize("typed", ["W691000001", "w691000001", "W 691 000 001"])
def test_duplicate_rna_is_refused_whatever_the_spacing_or_case(typed):
    register(UserFactory())
    with pytest.raises(ValidationError) as exc:
        register(UserFactory(), name="Autre nom", rna_number=typed)
    assert "already registered" in exc.value.error_dict["rna_number"][0].message
    assert Association.objects.count() == 1


def test_duplicate_siren_is_refused():
    register(UserFactory(), rna_number="", siren="732829320")
    with pytest.raises(ValidationError) as exc:
        register(UserFactory(), name="Autre nom", rna_number="", siren="732 829 320")
    assert "siren" in exc.value.error_dict
    assert Association.objects.count() == 1


def test_the_database_refuses_a_duplicate_rna_that_skipped_the_checks():
    AssociationFactory(rna_number="W691000009")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationFactory(rna_number="W691000009")


def test_two_associations_with_the_same_name_get_distinct_slugs():
    first = register(UserFactory())
    second = register(UserFactory(), rna_number="W691000002")
    assert first.slug != second.slug
    assert second.slug.startswith(first.slug)


def test_registration_stores_documents_privately():
    user = UserFactory()
    association = register(
        user, documents=[(AssociationDocument.Kind.STATUTES, pdf_file("statuts.pdf"))]
    )
    document = association.documents.get()
    assert document.content_type == "application/pdf"
    assert document.original_name == "statuts.pdf"
    with pytest.raises(ValueError, match="no public URL"):
        _ = document.file.url
    from django.conf import settings

    assert str(settings.PRIVATE_MEDIA_ROOT) in document.file.path
    assert str(settings.MEDIA_ROOT) not in document.file.path


def test_registration_with_a_bad_document_creates_nothing():
    fake = pdf_file("statuts.pdf", content=b"not a pdf at all")
    with pytest.raises(ValidationError):
        register(UserFactory(), documents=[(AssociationDocument.Kind.STATUTES, fake)])
    assert not Association.objects.exists()
    assert not Membership.objects.exists()


# --- Activity gate ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.SUSPENDED])
def test_an_association_that_is_not_verified_cannot_start_an_activity(status):
    association = AssociationFactory(status=status)
    assert not selectors.association_is_active(association=association)
    with pytest.raises(services.AssociationNotActive) as exc:
        services.association_require_active(association=association)
    assert isinstance(exc.value, ValidationError)
    assert association.name in exc.value.messages[0]


def test_a_verified_association_can_start_an_activity():
    association = AssociationFactory(status=Status.VERIFIED)
    assert selectors.association_is_active(association=association)
    services.association_require_active(association=association)


# --- Staff decisions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "decide", "end", "subject_word"),
    [
        (Status.PENDING, services.association_verify, Status.VERIFIED, "verified"),
        (Status.PENDING, services.association_reject, Status.REJECTED, "could not be verified"),
        (Status.VERIFIED, services.association_suspend, Status.SUSPENDED, "suspended"),
    ],
)
def test_each_decision_records_who_when_why_and_emails_the_owners(
    django_capture_on_commit_callbacks, start, decide, end, subject_word
):
    association = AssociationFactory(status=start)
    owner = MembershipFactory(association=association, role=Role.OWNER).user
    MembershipFactory(association=association, role=Role.MEMBER)
    staff = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decide(association=association, actor=staff, reason="Pièces vérifiées.")
        assert mail.outbox == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    association.refresh_from_db()
    assert association.status == end
    assert association.status_changed_by == staff
    assert association.status_reason == "Pièces vérifiées."
    assert timezone.now() - association.status_changed_at < timedelta(minutes=1)
    change = AssociationStatusChange.objects.get(association=association)
    assert (change.status, change.decided_by, change.reason) == (end, staff, "Pièces vérifiées.")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert association.name in mail.outbox[0].subject
    assert "Pièces vérifiées." in mail.outbox[0].body


@pytest.mark.parametrize(
    ("start", "decide"),
    [
        (Status.PENDING, services.association_reject),
        (Status.VERIFIED, services.association_suspend),
    ],
)
def test_reject_and_suspend_need_a_reason(start, decide):
    association = AssociationFactory(status=start)
    with pytest.raises(ValidationError) as exc:
        decide(association=association, actor=StaffFactory(), reason="   ")
    assert "reason" in exc.value.error_dict
    association.refresh_from_db()
    assert association.status == start


def test_only_staff_decide():
    association = AssociationFactory(status=Status.PENDING)
    owner = MembershipFactory(association=association, role=Role.OWNER).user
    with pytest.raises(PermissionDenied):
        services.association_verify(association=association, actor=owner)
    association.refresh_from_db()
    assert association.status == Status.PENDING


@pytest.mark.parametrize(
    ("start", "decide"),
    [
        (Status.VERIFIED, services.association_verify),
        (Status.PENDING, services.association_suspend),
        (Status.VERIFIED, services.association_reject),
        (Status.SUSPENDED, services.association_reject),
    ],
)
def test_decisions_that_make_no_sense_in_the_current_status_are_refused(
    django_capture_on_commit_callbacks, start, decide
):
    association = AssociationFactory(status=start)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        decide(association=association, actor=StaffFactory(), reason="Raison")
    assert mail.outbox == []
    assert not AssociationStatusChange.objects.exists()


def test_a_suspended_association_can_be_verified_again():
    association = AssociationFactory(status=Status.SUSPENDED, status_reason="Plainte")
    services.association_verify(association=association, actor=StaffFactory())
    association.refresh_from_db()
    assert association.status == Status.VERIFIED
    assert association.status_reason == ""


# --- Permissions ----------------------------------------------------------------------------


def test_who_can_manage(team):
    a = team.association
    assert selectors.association_can_manage(user=team.owner, association=a)
    assert selectors.association_can_manage(user=team.admin, association=a)
    assert not selectors.association_can_manage(user=team.member, association=a)
    assert not selectors.association_can_manage(user=team.stranger, association=a)
    staff = StaffFactory()
    assert not selectors.association_can_manage(user=staff, association=a)
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.association_can_manage(user=AnonymousUser(), association=a)


def test_associations_managed_by_lists_owner_and_admin_roles_only(team):
    other = AssociationFactory()
    MembershipFactory(association=other, user=team.member, role=Role.ADMIN)
    assert list(selectors.associations_managed_by(user=team.owner)) == [team.association]
    assert list(selectors.associations_managed_by(user=team.member)) == [other]
    assert list(selectors.associations_managed_by(user=team.stranger)) == []


def test_documents_are_readable_by_managers_and_staff_only(team):
    a = team.association
    assert selectors.association_can_read_documents(user=team.owner, association=a)
    assert selectors.association_can_read_documents(user=team.admin, association=a)
    assert selectors.association_can_read_documents(user=StaffFactory(), association=a)
    assert not selectors.association_can_read_documents(user=team.member, association=a)
    assert not selectors.association_can_read_documents(user=team.stranger, association=a)


# --- Invitations ----------------------------------------------------------------------------


def test_invitation_email_carries_a_link_that_adds_the_invited_person(
    team, django_capture_on_commit_callbacks
):
    invited = UserFactory(email="nouvelle@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            association=team.association,
            inviter=team.admin,
            email="Nouvelle@EXAMPLE.org",
            role=Role.MEMBER,
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Nouvelle@example.org"]
    assert token in mail.outbox[0].body
    # Only a hash of the token is kept.
    assert token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)

    membership = services.invitation_accept(token=token, actor=invited)
    assert membership.role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_by == invited
    assert invitation.accepted_at is not None


def test_an_invitation_can_be_used_only_once(team):
    _invitation, token = services.invitation_create(
        association=team.association, inviter=team.owner, email="a@example.org"
    )
    first = UserFactory(email="a@example.org")
    services.invitation_accept(token=token, actor=first)
    Membership.objects.filter(user=first).delete()  # even after leaving, the link is spent
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token, actor=first)
    assert exc.value.code == "invitation_used"
    assert not Membership.objects.filter(user=first).exists()


def test_an_expired_invitation_is_refused(team):
    invitation, token = services.invitation_create(
        association=team.association, inviter=team.owner, email="late@example.org"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    late = UserFactory(email="late@example.org")
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token, actor=late)
    assert exc.value.code == "invitation_expired"
    assert not Membership.objects.filter(user=late).exists()


def test_an_invitation_is_bound_to_the_invited_email(team):
    _invitation, token = services.invitation_create(
        association=team.association, inviter=team.owner, email="invited@example.org"
    )
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token, actor=team.stranger)
    assert exc.value.code == "invitation_wrong_email"
    assert "invited@example.org" in exc.value.messages[0]
    assert not Membership.objects.filter(user=team.stranger, association=team.association).exists()


def test_an_invitation_accepts_a_verified_secondary_address(team):
    from allauth.account.models import EmailAddress

    _invitation, token = services.invitation_create(
        association=team.association, inviter=team.owner, email="pro@example.org"
    )
    EmailAddress.objects.create(
        user=team.stranger, email="pro@example.org", verified=True, primary=False
    )
    services.invitation_accept(token=token, actor=team.stranger)
    assert selectors.association_is_member(user=team.stranger, association=team.association)


def test_an_unknown_or_revoked_token_is_refused(team):
    invitation, token = services.invitation_create(
        association=team.association, inviter=team.owner, email="x@example.org"
    )
    user = UserFactory(email="x@example.org")
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token + "x", actor=user)
    assert exc.value.code == "invitation_unknown"
    services.invitation_revoke(invitation=invitation, actor=team.admin)
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token, actor=user)
    assert exc.value.code == "invitation_revoked"


def test_a_new_invitation_to_the_same_address_replaces_the_old_one(team):
    _first, old_token = services.invitation_create(
        association=team.association, inviter=team.owner, email="y@example.org"
    )
    _second, new_token = services.invitation_create(
        association=team.association, inviter=team.owner, email="y@example.org"
    )
    user = UserFactory(email="y@example.org")
    with pytest.raises(services.InvitationError):
        services.invitation_accept(token=old_token, actor=user)
    services.invitation_accept(token=new_token, actor=user)


def test_members_and_strangers_cannot_invite(team):
    for user in (team.member, team.stranger):
        with pytest.raises(PermissionDenied):
            services.invitation_create(
                association=team.association, inviter=user, email="z@example.org"
            )
    assert not Invitation.objects.exists()


def test_only_owners_invite_owners(team):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            association=team.association, inviter=team.admin, email="o@example.org", role=Role.OWNER
        )
    invitation, _token = services.invitation_create(
        association=team.association, inviter=team.owner, email="o@example.org", role=Role.OWNER
    )
    assert invitation.role == Role.OWNER


def test_inviting_someone_already_in_the_team_is_refused(team):
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(
            association=team.association, inviter=team.owner, email=team.member.email.upper()
        )
    assert "email" in exc.value.error_dict


# --- Roles and leaving --------------------------------------------------------------------------


def _membership(team, user):
    return Membership.objects.get(association=team.association, user=user)


def test_admin_promotes_a_member_to_admin(team):
    services.membership_change_role(
        membership=_membership(team, team.member), actor=team.admin, role=Role.ADMIN
    )
    assert _membership(team, team.member).role == Role.ADMIN


def test_a_member_cannot_change_roles_or_remove_anyone(team):
    with pytest.raises(PermissionDenied):
        services.membership_change_role(
            membership=_membership(team, team.admin), actor=team.member, role=Role.MEMBER
        )
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=_membership(team, team.admin), actor=team.member)
    assert _membership(team, team.admin).role == Role.ADMIN


def test_only_owners_make_owners(team):
    with pytest.raises(PermissionDenied):
        services.membership_change_role(
            membership=_membership(team, team.member), actor=team.admin, role=Role.OWNER
        )
    assert _membership(team, team.member).role == Role.MEMBER
    services.membership_change_role(
        membership=_membership(team, team.member), actor=team.owner, role=Role.OWNER
    )
    assert _membership(team, team.member).role == Role.OWNER


def test_an_admin_cannot_demote_or_remove_an_owner(team):
    MembershipFactory(association=team.association, role=Role.OWNER)  # not the last owner
    with pytest.raises(PermissionDenied):
        services.membership_change_role(
            membership=_membership(team, team.owner), actor=team.admin, role=Role.MEMBER
        )
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=_membership(team, team.owner), actor=team.admin)
    assert _membership(team, team.owner).role == Role.OWNER


def test_the_last_owner_cannot_be_demoted(team):
    with pytest.raises(ValidationError) as exc:
        services.membership_change_role(
            membership=_membership(team, team.owner), actor=team.owner, role=Role.ADMIN
        )
    assert exc.value.code == "last_owner"
    assert _membership(team, team.owner).role == Role.OWNER


def test_the_last_owner_cannot_leave(team):
    with pytest.raises(ValidationError) as exc:
        services.association_leave(association=team.association, actor=team.owner)
    assert "last owner" in exc.value.messages[0]
    assert selectors.association_is_owner(user=team.owner, association=team.association)


def test_an_owner_can_leave_once_there_is_another_owner(team):
    services.membership_change_role(
        membership=_membership(team, team.admin), actor=team.owner, role=Role.OWNER
    )
    services.association_leave(association=team.association, actor=team.owner)
    assert not selectors.association_is_member(user=team.owner, association=team.association)
    assert selectors.association_owner_count(association=team.association) == 1


def test_members_can_leave(team):
    services.association_leave(association=team.association, actor=team.member)
    assert not selectors.association_is_member(user=team.member, association=team.association)


def test_an_admin_removes_a_member(team):
    services.membership_remove(membership=_membership(team, team.member), actor=team.admin)
    assert not selectors.association_is_member(user=team.member, association=team.association)


def test_a_details_edit_never_undoes_a_staff_decision_taken_meanwhile(team):
    stale = Association.objects.get(pk=team.association.pk)
    services.association_suspend(
        association=Association.objects.get(pk=team.association.pk),
        actor=StaffFactory(),
        reason="Statuts à mettre à jour.",
    )
    services.association_details_update(
        association=stale, actor=team.owner, purpose="Un nouvel objet."
    )
    fresh = Association.objects.get(pk=team.association.pk)
    assert fresh.status == Association.Status.SUSPENDED
    assert fresh.purpose == "Un nouvel objet."


def test_identifiers_cannot_be_changed_through_the_details(team):
    with pytest.raises(ValueError, match="rna_number"):
        services.association_details_update(
            association=team.association, actor=team.owner, rna_number="W123456789"
        )
