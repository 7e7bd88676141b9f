"""Invitations: only verified associations send them, within limits, from people who
may still invite."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from associations import services
from associations.models import Association, Invitation, Membership
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = Association.Status


def invite(team, email, inviter=None, role=Role.MEMBER):
    return services.invitation_create(
        association=team.association, inviter=inviter or team.owner, email=email, role=role
    )


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.SUSPENDED])
def test_an_association_that_is_not_verified_sends_no_invitation(
    status, django_capture_on_commit_callbacks
):
    association = AssociationFactory(
        name="Gagnez 1000 euros sur http://arnaque.example", status=status
    )
    owner = MembershipFactory(association=association, role=Role.OWNER).user
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.AssociationNotActive),
    ):
        services.invitation_create(association=association, inviter=owner, email="x@example.org")
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_a_pending_association_cannot_invite_through_the_form(
    client, django_capture_on_commit_callbacks
):
    association = AssociationFactory(status=Status.PENDING)
    owner = MembershipFactory(association=association, role=Role.OWNER).user
    client.force_login(owner)
    dashboard = client.get(association.get_dashboard_url())
    assert "invite-form" not in dashboard.text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("associations:invite", args=[association.slug]),
            {"email": "x@example.org", "role": Role.MEMBER},
            follow=True,
        )
    assert response.status_code == 200
    assert "not a verified association" in response.text
    assert mail.outbox == []


def test_one_person_sends_a_limited_number_of_invitations(team, settings):
    settings.ASSOCIATIONS_INVITATIONS_PER_PERSON = 3
    for n in range(3):
        invite(team, f"p{n}@example.org")
    with pytest.raises(ValidationError) as exc:
        invite(team, "p3@example.org")
    assert exc.value.code == "invitation_rate_limited"
    assert Invitation.objects.count() == 3
    # Another manager of the same association is counted on their own.
    invite(team, "p4@example.org", inviter=team.admin)


def test_one_association_sends_a_limited_number_of_invitations(team, settings):
    settings.ASSOCIATIONS_INVITATIONS_PER_ASSOCIATION = 4
    for n in range(2):
        invite(team, f"o{n}@example.org", inviter=team.owner)
        invite(team, f"a{n}@example.org", inviter=team.admin)
    other_admin = MembershipFactory(association=team.association, role=Role.ADMIN).user
    with pytest.raises(ValidationError) as exc:
        invite(team, "late@example.org", inviter=other_admin)
    assert exc.value.code == "invitation_rate_limited"
    # Re-sending to the same address counts too: each one is an email.
    assert Invitation.objects.count() == 4


def test_removing_a_member_revokes_the_invitations_they_sent(team):
    mine, _ = invite(team, "by-admin@example.org", inviter=team.admin)
    theirs, _ = invite(team, "by-owner@example.org", inviter=team.owner)
    services.membership_remove(
        membership=Membership.objects.get(user=team.admin, association=team.association),
        actor=team.owner,
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.is_revoked
    assert not theirs.is_revoked


def test_leaving_revokes_the_invitations_one_sent(team):
    invitation, token = invite(team, "by-admin@example.org", inviter=team.admin)
    services.association_leave(association=team.association, actor=team.admin)
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token, actor=UserFactory(email="by-admin@example.org"))
    assert exc.value.code == "invitation_revoked"


def test_accepting_rechecks_that_the_inviter_may_still_invite(team):
    _, token = invite(team, "new@example.org", inviter=team.admin)
    # Demoted to plain member: they could not send this invitation today.
    Membership.objects.filter(user=team.admin).update(role=Role.MEMBER)
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token, actor=UserFactory(email="new@example.org"))
    assert exc.value.code == "invitation_inviter_gone"
    assert not Membership.objects.filter(user__email="new@example.org").exists()


def test_an_owner_invitation_needs_an_inviter_who_is_still_owner(team):
    second_owner = MembershipFactory(association=team.association, role=Role.OWNER).user
    _, token = invite(team, "boss@example.org", inviter=second_owner, role=Role.OWNER)
    Membership.objects.filter(user=second_owner).update(role=Role.ADMIN)
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token, actor=UserFactory(email="boss@example.org"))
    assert exc.value.code == "invitation_inviter_gone"


def test_accepting_is_refused_once_the_association_is_suspended(team):
    _, token = invite(team, "new@example.org")
    Association.objects.filter(pk=team.association.pk).update(status=Status.SUSPENDED)
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=token, actor=UserFactory(email="new@example.org"))
    assert exc.value.code == "invitation_inviter_gone"


def test_the_invitation_page_explains_a_withdrawn_inviter(client, team):
    _, token = invite(team, "new@example.org", inviter=team.admin)
    Membership.objects.filter(user=team.admin).delete()
    response = client.get(reverse("associations:invitation_accept", args=[token]))
    assert response.status_code == 200
    assert "can no longer invite" in response.text
