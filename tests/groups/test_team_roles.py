"""Leaving an association's team ends the powers held through it in its groups.

A facilitator is appointed from the association's team. Removed from the team (or
leaving it), they must no longer enter the room as moderator, mute or remove
members, nor approve pitches; their open sockets lose moderation at once. An admin
demoted to a plain team member keeps no moderation either, on an open socket too.
"""

import pytest
from django.core.exceptions import PermissionDenied

from associations import services as association_services
from associations.models import Membership
from groups import selectors, services
from groups.models import GroupMembership
from groups.pitches import services as pitch_services
from groups.services import room as room_services
from tests.associations.factories import AdminFactory, MembershipFactory, OwnerFactory
from tests.factories import UserFactory

from .factories import GroupFactory, GroupMemberFactory
from .room_client import frame_of_type, room_join

Role = GroupMembership.Role


@pytest.fixture
def team_group(db):
    return GroupFactory(title="Groupe Instagram")


@pytest.fixture
def owner(team_group):
    return OwnerFactory(association=team_group.association).user


@pytest.fixture
def appointed(team_group):
    """A team member appointed facilitator, as `group_create(facilitator=…)` does."""
    user = UserFactory(display_name="Fanny")
    MembershipFactory(association=team_group.association, user=user)
    GroupMembership.objects.create(
        group=team_group,
        user=user,
        role=Role.FACILITATOR,
        joined_via=GroupMembership.JoinedVia.APPOINTED,
    )
    team_group.facilitator = user
    team_group.save(update_fields=["facilitator"])
    return user


@pytest.fixture
def member(team_group):
    return GroupMemberFactory(group=team_group, user=UserFactory(display_name="Alice")).user


def _team_membership(group, user) -> Membership:
    return Membership.objects.select_related("association").get(
        association=group.association, user=user
    )


def _remove_from_team(group, user, owner) -> None:
    association_services.membership_remove(membership=_team_membership(group, user), actor=owner)


def _group_membership(group, user) -> GroupMembership:
    return GroupMembership.objects.select_related("group__association").get(group=group, user=user)


@pytest.mark.django_db
def test_a_facilitator_removed_from_the_team_moderates_nothing_any_more(
    team_group, owner, appointed, member
):
    assert services.group_member_mute(
        membership=_group_membership(team_group, member), actor=appointed, minutes=5
    ).is_muted()

    _remove_from_team(team_group, appointed, owner)

    team_group.refresh_from_db()
    assert team_group.facilitator_id is None
    assert not GroupMembership.objects.filter(group=team_group, user=appointed).exists()
    with pytest.raises(PermissionDenied):
        services.group_member_mute(
            membership=_group_membership(team_group, member), actor=appointed, minutes=60
        )
    with pytest.raises(PermissionDenied):
        services.group_member_remove(
            membership=_group_membership(team_group, member), actor=appointed
        )
    assert GroupMembership.objects.filter(group=team_group, user=member).exists()
    with pytest.raises(room_services.RoomError) as refused:
        services.room_access(group_id=team_group.pk, actor=appointed)
    assert refused.value.code == str(room_services.CLOSE_FORBIDDEN)
    assert appointed.pk not in selectors.room_moderator_ids(group=team_group)


@pytest.mark.django_db
def test_leaving_the_team_of_ones_own_accord_ends_the_facilitator_role_too(
    team_group, owner, appointed
):
    association_services.association_leave(association=team_group.association, actor=appointed)
    team_group.refresh_from_db()
    assert team_group.facilitator_id is None
    assert not GroupMembership.objects.filter(group=team_group, user=appointed).exists()


@pytest.mark.django_db
def test_a_removed_facilitator_can_no_longer_approve_pitches(team_group, owner, appointed, member):
    peer = GroupMemberFactory(group=team_group, user=UserFactory(display_name="Paul")).user
    pitch = pitch_services.pitch_save(
        actor=member,
        group=team_group,
        network="x_post",
        text="Graphiste à Lyon, je dessine des identités pour les artisans.",
        audience="artisans de Lyon",
        contact="https://alice.example.fr",
    )
    pitch = pitch_services.pitch_submit(actor=member, pitch=pitch)
    pitch_services.pitch_mark_ready(actor=peer, version=pitch.versions.get())

    _remove_from_team(team_group, appointed, owner)

    with pytest.raises(PermissionDenied):
        pitch_services.pitch_approve(actor=appointed, pitch=pitch)
    pitch.refresh_from_db()
    assert pitch.approved_version is None


@pytest.mark.django_db
def test_a_facilitator_who_won_a_seat_keeps_it_as_a_plain_member(team_group, owner, member):
    user = UserFactory(display_name="Gaëlle")
    MembershipFactory(association=team_group.association, user=user)
    GroupMembership.objects.create(
        group=team_group,
        user=user,
        role=Role.FACILITATOR,
        joined_via=GroupMembership.JoinedVia.PRIZE_SEAT,
    )
    _remove_from_team(team_group, user, owner)
    kept = _group_membership(team_group, user)
    assert kept.role == Role.MEMBER
    with pytest.raises(PermissionDenied):
        services.group_member_mute(
            membership=_group_membership(team_group, member), actor=user, minutes=5
        )


@pytest.mark.django_db
def test_other_associations_groups_are_left_alone(team_group, owner, appointed):
    elsewhere = GroupFactory(title="Ailleurs")
    GroupMembership.objects.create(
        group=elsewhere,
        user=appointed,
        role=Role.FACILITATOR,
        joined_via=GroupMembership.JoinedVia.APPOINTED,
    )
    elsewhere.facilitator = appointed
    elsewhere.save(update_fields=["facilitator"])
    _remove_from_team(team_group, appointed, owner)
    elsewhere.refresh_from_db()
    assert elsewhere.facilitator_id == appointed.pk
    assert _group_membership(elsewhere, appointed).role == Role.FACILITATOR


@pytest.mark.django_db
def test_a_removal_refused_changes_no_group_role(team_group, appointed):
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        association_services.membership_remove(
            membership=_team_membership(team_group, appointed), actor=stranger
        )
    team_group.refresh_from_db()
    assert team_group.facilitator_id == appointed.pk
    assert _group_membership(team_group, appointed).role == Role.FACILITATOR


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_removed_facilitators_open_socket_is_closed_at_once(
    team_group, owner, appointed, member
):
    from channels.db import database_sync_to_async

    mod, welcome = await room_join(team_group.pk, appointed)
    assert welcome["moderator"] is True
    await database_sync_to_async(_remove_from_team)(team_group, appointed, owner)
    assert (await frame_of_type(mod, "removed"))["type"] == "removed"
    closed = await mod.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": room_services.CLOSE_FORBIDDEN}
    await mod.disconnect()  # the client's side of the closing handshake


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_admin_demoted_in_the_team_loses_moderation_on_the_open_socket(
    team_group, owner, member
):
    from channels.db import database_sync_to_async

    def _admin_in_group():
        admin = AdminFactory(association=team_group.association).user
        GroupMemberFactory(group=team_group, user=admin)
        return admin

    admin = await database_sync_to_async(_admin_in_group)()
    sock, welcome = await room_join(team_group.pk, admin)
    assert welcome["moderator"] is True

    await database_sync_to_async(association_services.membership_change_role)(
        membership=await database_sync_to_async(_team_membership)(team_group, admin),
        actor=owner,
        role=Membership.Role.MEMBER,
    )
    assert await frame_of_type(sock, "role") == {"type": "role", "moderator": False}
    # The socket stays open (they are still a member) but mutes no one.
    await sock.send_json_to({"type": "mute", "user_id": member.pk, "minutes": 30})
    refusal = await frame_of_type(sock, "error")
    assert refusal["code"] == "forbidden"
    muted = await database_sync_to_async(lambda: _group_membership(team_group, member).is_muted())()
    assert muted is False
    await sock.disconnect()
