"""Who gets into a room, and who is put out of it."""

import pytest
from channels.db import database_sync_to_async

from groups import services
from groups.models import GroupMembership
from tests.associations.factories import AdminFactory
from tests.factories import UserFactory

from .room_client import frame_of_type, room_join, room_open

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _close_code(communicator) -> int:
    connected, _ = await communicator.connect()
    assert connected  # accepted only to carry the close code
    output = await communicator.receive_output(timeout=2)
    assert output["type"] == "websocket.close"
    return output["code"]


async def test_anonymous_is_refused_with_4401(group):
    communicator = await room_open(group.pk)
    assert await _close_code(communicator) == 4401


async def test_non_member_is_refused_with_4403(group):
    stranger = await database_sync_to_async(UserFactory)()
    communicator = await room_open(group.pk, stranger)
    assert await _close_code(communicator) == 4403


async def test_unknown_group_is_refused_with_4404(alice):
    communicator = await room_open(999_999, alice)
    assert await _close_code(communicator) == 4404


async def test_foreign_origin_is_refused_at_the_handshake(group, alice):
    communicator = await room_open(group.pk, alice, origin=b"https://evil.example.com")
    connected, _ = await communicator.connect()
    assert not connected


async def test_member_gets_in_and_association_admin_moderates_without_a_seat(group, alice):
    communicator, welcome = await room_join(group.pk, alice)
    assert welcome["you"]["name"] == "Alice"
    assert welcome["moderator"] is False
    await communicator.disconnect()

    admin = await database_sync_to_async(AdminFactory)(association=group.association)
    communicator, welcome = await room_join(group.pk, admin.user)
    assert welcome["moderator"] is True
    await communicator.disconnect()


async def test_removed_member_socket_is_closed_at_once_and_stays_out(group, alice, facilitator):
    communicator, _ = await room_join(group.pk, alice)

    def remove():
        membership = GroupMembership.objects.get(group=group, user=alice)
        services.group_member_remove(membership=membership, actor=facilitator)

    await database_sync_to_async(remove)()
    assert (await frame_of_type(communicator, "removed"))["type"] == "removed"
    output = await communicator.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": 4403}

    again = await room_open(group.pk, alice)
    assert await _close_code(again) == 4403


async def test_a_member_cannot_remove_another(group, alice, bob):
    communicator, _ = await room_join(group.pk, alice)
    await communicator.send_json_to({"type": "remove", "user_id": bob.pk})
    error = await frame_of_type(communicator, "error")
    assert error["code"] == "forbidden"
    assert await database_sync_to_async(GroupMembership.objects.filter(user=bob).exists)()
    await communicator.disconnect()


async def test_moderator_removes_through_the_socket(group, alice, facilitator):
    mod, _ = await room_join(group.pk, facilitator)
    member, _ = await room_join(group.pk, alice)
    await mod.send_json_to({"type": "remove", "user_id": alice.pk})
    await frame_of_type(member, "removed")
    assert (await member.receive_output(timeout=2))["code"] == 4403
    await mod.disconnect()
