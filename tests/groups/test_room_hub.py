"""The room hub: one layer channel per room and process, fanning frames out to its sockets.

Through real consumers in-process (WebsocketCommunicator), on whichever channel layer
the settings give (in memory, or Redis when REDIS_URL is set).
"""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from groups import hub as hub_module
from groups.effects import room_group_name
from groups.hub import Outbox, room_hub_get, room_hub_join, room_hub_leave

from .factories import GroupFactory, GroupMemberFactory
from .room_client import frame_of_type, room_join

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _group_channels(group: str) -> set[str]:
    """The channels the layer has in `group`, read from the layer itself.

    Compared with what was there before the test's sockets joined: a socket that an
    earlier test left without its closing handshake stays in its group until expiry.
    """
    layer = get_channel_layer()
    if hasattr(layer, "groups"):  # the in-memory layer
        return set(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))
    return {c.decode() for c in await connection.zrange(layer._group_key(group), 0, -1)}


async def _post(communicator, body: str) -> int:
    await communicator.send_json_to({"type": "post", "body": body, "client_id": body})
    return (await frame_of_type(communicator, "ack"))["seq"]


async def _messages_until(communicator, seq: int) -> list[dict]:
    """Every frame up to and including the message numbered `seq`."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=3)
        frames.append(frame)
        if frame["type"] == "message" and frame["seq"] == seq:
            return frames


@pytest.mark.asyncio
async def test_sockets_of_one_room_share_one_channel_and_each_get_a_message_once(group, alice, bob):
    room = room_group_name(group.pk)
    before = await _group_channels(room)
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    hub = room_hub_get(get_channel_layer(), room)
    # One channel for the room in this process, not one per socket.
    assert await _group_channels(room) - before == {hub.channel}
    assert len(hub.members) == 2
    for body in ("un", "deux"):
        await a.send_json_to({"type": "post", "body": body})
    for communicator in (a, b):
        frames = await _messages_until(communicator, 2)
        assert [f["seq"] for f in frames if f["type"] == "message"] == [1, 2]
        assert await communicator.receive_nothing(timeout=0.3)
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_a_socket_of_another_room_gets_nothing(group, alice, bob):
    other = await database_sync_to_async(GroupFactory)()
    await database_sync_to_async(GroupMemberFactory)(group=other, user=bob)
    a, _ = await room_join(group.pk, alice)
    o, _ = await room_join(other.pk, bob)
    await frame_of_type(o, "presence")  # its own arrival
    seq = await _post(a, "seulement ici")
    await _messages_until(a, seq)
    assert await o.receive_nothing(timeout=0.5)
    await a.disconnect()
    await o.disconnect()


@pytest.mark.asyncio
async def test_the_last_socket_leaving_takes_the_hub_out_of_the_group(group, alice, bob):
    room = room_group_name(group.pk)
    layer = get_channel_layer()
    before = await _group_channels(room)
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    channel = room_hub_get(layer, room).channel
    await a.disconnect()
    assert await _group_channels(room) - before == {channel}  # bob is still here
    await b.disconnect()
    assert await _group_channels(room) - before == set()
    assert room_hub_get(layer, room) is None
    # A later arrival opens a new hub, and messages flow again.
    a, _ = await room_join(group.pk, alice)
    assert await _group_channels(room) - before == {room_hub_get(layer, room).channel}
    seq = await _post(a, "de nouveau")
    await _messages_until(a, seq)
    await a.disconnect()


@pytest.mark.asyncio
async def test_a_failing_or_stuck_socket_does_not_stop_delivery_to_the_others(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    room = room_group_name(group.pk)
    layer = get_channel_layer()

    async def closed_socket(text: str) -> None:
        raise RuntimeError("the socket is closed")

    async def stuck_socket(text: str) -> None:
        await asyncio.Event().wait()  # a client that never reads

    broken, stuck = Outbox(closed_socket), Outbox(stuck_socket)
    for outbox in (broken, stuck):
        await room_hub_join(layer, room, outbox, user_id=0)
        outbox.start()
    for n in range(3):
        seq = await _post(a, f"message {n}")
        await _messages_until(b, seq)
    assert broken.closed
    assert not stuck.closed and len(stuck) >= 2  # waiting behind its first frame
    for outbox in (broken, stuck):
        await room_hub_leave(room_hub_get(layer, room), outbox)
    assert stuck.closed
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_typing_is_not_echoed_to_its_author(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    await a.send_json_to({"type": "typing"})
    assert (await frame_of_type(b, "typing"))["user"]["id"] == alice.pk
    seq = await _post(b, "après")
    frames = await _messages_until(a, seq)
    assert "typing" not in [f["type"] for f in frames]
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_mute_and_removal_reach_only_their_person(group, alice, bob, facilitator):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    mod, _ = await room_join(group.pk, facilitator)
    await mod.send_json_to({"type": "mute", "user_id": alice.pk, "minutes": 10})
    assert (await frame_of_type(a, "muted"))["until"] is not None
    await mod.send_json_to({"type": "remove", "user_id": bob.pk})
    assert (await frame_of_type(b, "removed")) == {"type": "removed"}
    assert (await b.receive_output(timeout=2)) == {"type": "websocket.close", "code": 4403}
    # The others saw neither; the room carries on without the removed member.
    seq = await _post(mod, "la suite")
    for communicator in (a, mod):
        types = [f["type"] for f in await _messages_until(communicator, seq)]
        assert "removed" not in types
        assert types.count("muted") == 0
    await b.disconnect()  # the client's side of the closing handshake
    hub = room_hub_get(get_channel_layer(), room_group_name(group.pk))
    assert sorted(hub.members.values()) == sorted([alice.pk, facilitator.pk])
    await a.disconnect()
    await mod.disconnect()


@pytest.mark.asyncio
async def test_the_hub_keeps_receiving_after_a_layer_failure(group, alice, bob, monkeypatch):
    monkeypatch.setattr(hub_module, "RETRY_DELAYS", (0.01,))
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    layer = get_channel_layer()
    hub = room_hub_get(layer, room_group_name(group.pk))
    real_receive = layer.receive
    failures = []

    async def flaky_receive(channel):
        if channel == hub.channel and not failures:
            failures.append(channel)
            raise ConnectionError("the layer went away")
        return await real_receive(channel)

    monkeypatch.setattr(layer, "receive", flaky_receive)
    # The receiver is waiting already: wake it once so the next wait goes through the failure.
    seq = await _post(a, "avant")
    await _messages_until(b, seq)
    seq = await _post(a, "après la panne")
    await _messages_until(b, seq)
    assert failures == [hub.channel]
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_an_outbox_that_overflows_drops_its_oldest_frames():
    sent: list[str] = []
    gate = asyncio.Event()

    async def slow_send(text: str) -> None:
        await gate.wait()
        sent.append(text)

    outbox = Outbox(slow_send, limit=3)
    outbox.push("held until started")
    await asyncio.sleep(0)
    assert sent == []
    outbox.start()
    await asyncio.sleep(0)  # the first frame is being sent
    for n in range(5):
        outbox.push(str(n))
    assert outbox.dropped == 2
    gate.set()
    for _ in range(10):
        await asyncio.sleep(0)
    # The newest frames always arrive: a client sees the gap and catches up.
    assert sent == ["held until started", "2", "3", "4"]


@pytest.mark.asyncio
async def test_a_burst_from_several_members_is_numbered_without_gaps_and_reaches_everyone(group):
    from groups.models import Message
    from tests.factories import UserFactory

    def members(count):
        return [GroupMemberFactory(group=group, user=UserFactory()).user for _ in range(count)]

    people = await database_sync_to_async(members)(4)
    sockets = [(await room_join(group.pk, person))[0] for person in people]
    for n in range(3):
        for number, socket in enumerate(sockets):
            await socket.send_json_to({"type": "post", "body": f"{number}-{n}"})
    for socket in sockets:
        # Posts from different sockets are numbered in the database and broadcast from
        # each poster's task: two of them may reach a socket in either order.
        seqs = []
        while len(seqs) < 12:
            frame = await socket.receive_json_from(timeout=3)
            if frame["type"] == "message":
                seqs.append(frame["seq"])
        assert sorted(seqs) == list(range(1, 13))
        assert await socket.receive_nothing(timeout=0.2)
    saved = await database_sync_to_async(
        lambda: sorted(Message.objects.filter(group=group).values_list("seq", "body"))
    )()
    assert [seq for seq, _body in saved] == list(range(1, 13))
    assert sorted(body for _seq, body in saved) == sorted(
        f"{number}-{n}" for number in range(4) for n in range(3)
    )
    for socket in sockets:
        await socket.disconnect()
