"""Edits, deletions and replies over the room socket (WebsocketCommunicator, in-process)."""

import pytest
from channels.db import database_sync_to_async

from groups.models import Message, MessageRevision

from .factories import GroupFactory, GroupMemberFactory
from .room_client import frame_of_type, room_join

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _post(socket, body: str, client_id: str = "p", **extra) -> int:
    await socket.send_json_to({"type": "post", "body": body, "client_id": client_id, **extra})
    return (await frame_of_type(socket, "ack"))["seq"]


def _rows(group) -> list[tuple]:
    return list(
        Message.objects.filter(group=group)
        .order_by("seq")
        .values_list("seq", "body", "author_id", "edited_at", "deleted_at")
    )


async def _drain(socket) -> list[dict]:
    """The frames waiting on a socket, up to a heartbeat's answer (sent in order after them)."""
    await socket.send_json_to({"type": "heartbeat"})
    frames = []
    while True:
        frame = await socket.receive_json_from(timeout=2)
        if frame["type"] == "presence" and "present" in frame:
            return frames
        frames.append(frame)


@pytest.mark.asyncio
async def test_an_edit_a_deletion_and_a_reply_reach_the_other_member_live(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    seq = await _post(a, "Rendez-vous à 18h")
    assert (await frame_of_type(b, "message"))["seq"] == seq

    await a.send_json_to(
        {"type": "edit", "seq": seq, "body": "Rendez-vous à 19h", "client_id": "e"}
    )
    assert (await frame_of_type(a, "ack")) == {"type": "ack", "client_id": "e", "seq": seq}
    edited = await frame_of_type(b, "edited")
    assert (edited["seq"], edited["body"]) == (seq, "Rendez-vous à 19h")
    assert edited["excerpt"] == "Rendez-vous à 19h"
    assert edited["edited_at"]

    reply_seq = await _post(b, "J'y serai", "r", reply_to=seq)
    reply = await frame_of_type(a, "message")
    assert reply["seq"] == reply_seq
    assert reply["reply_to"]["seq"] == seq
    assert reply["reply_to"]["author"] == {"id": alice.pk, "name": "Alice"}
    assert reply["reply_to"]["excerpt"] == "Rendez-vous à 19h"

    await a.send_json_to({"type": "delete", "seq": seq, "client_id": "d"})
    assert (await frame_of_type(a, "ack"))["seq"] == seq
    assert (await frame_of_type(b, "deleted")) == {"type": "deleted", "seq": seq}

    # What Bob reads afterwards: a tombstone, and his reply shows the original as deleted.
    await b.send_json_to({"type": "sync", "after": 0})
    first, second = (await frame_of_type(b, "batch"))["messages"]
    assert (first["deleted"], first["body"], first["author"]) == (True, "", None)
    assert second["reply_to"]["deleted"] is True
    assert second["reply_to"]["excerpt"] == "" and second["reply_to"]["author"] is None
    assert "19h" not in str([first, second])
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_refused_edits_deletions_and_replies_get_an_error_frame_and_change_nothing(
    group, alice, bob
):
    other = await database_sync_to_async(GroupFactory)()
    await database_sync_to_async(GroupMemberFactory)(group=other, user=bob)
    await database_sync_to_async(GroupMemberFactory)(group=other, user=alice)
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    o, _ = await room_join(other.pk, bob)
    alices = await _post(a, "message d'Alice", "1")
    bobs_deleted = await _post(b, "message de Bob", "2")
    await b.send_json_to({"type": "delete", "seq": bobs_deleted, "client_id": "del"})
    await frame_of_type(b, "ack")
    # Numbers 1 and 2 exist in the other room too: a socket only reaches its own room's.
    await _post(o, "ailleurs 1", "3")
    await _post(o, "ailleurs 2", "4")
    elsewhere_third = await _post(o, "ailleurs 3", "5")
    await frame_of_type(a, "deleted")
    await _drain(a)
    before = await database_sync_to_async(_rows)(group)
    before_other = await database_sync_to_async(_rows)(other)
    refusals = [
        ({"type": "edit", "seq": alices, "body": "piraté"}, "forbidden"),
        ({"type": "delete", "seq": alices}, "forbidden"),
        ({"type": "edit", "seq": bobs_deleted, "body": "revenu"}, "deleted"),
        ({"type": "delete", "seq": bobs_deleted}, "deleted"),
        ({"type": "edit", "seq": elsewhere_third, "body": "autre salon"}, "not_found"),
        ({"type": "delete", "seq": elsewhere_third}, "not_found"),
        ({"type": "post", "body": "réponse", "reply_to": elsewhere_third}, "not_found"),
        ({"type": "post", "body": "réponse", "reply_to": bobs_deleted}, "deleted"),
        ({"type": "edit", "seq": alices, "body": "   "}, "empty"),
    ]
    for n, (frame, code) in enumerate(refusals):
        await b.send_json_to({**frame, "client_id": f"x{n}"})
        error = await frame_of_type(b, "error")
        assert (error["code"], error["client_id"]) == (code, f"x{n}"), (frame, error)
        assert error["message"]
        assert set(error) <= {"type", "code", "message", "client_id", "field"}
    assert await database_sync_to_async(_rows)(group) == before
    assert await database_sync_to_async(_rows)(other) == before_other
    assert not await database_sync_to_async(MessageRevision.objects.exists)()
    # Nothing was told to the room, and both sockets still work.
    assert [f["type"] for f in await _drain(a) if f["type"] != "presence"] == []
    assert await _post(b, "toujours là", "ok") == bobs_deleted + 1
    for socket in (a, b, o):
        await socket.disconnect()


@pytest.mark.asyncio
async def test_edits_count_against_the_posting_rate_limit(group, alice, settings):
    settings.GROUPS_ROOM_RATE_LIMIT = 2
    settings.GROUPS_ROOM_RATE_PERIOD = 3600
    a, _ = await room_join(group.pk, alice)
    seq = await _post(a, "un")
    await a.send_json_to({"type": "edit", "seq": seq, "body": "deux", "client_id": "e1"})
    await frame_of_type(a, "ack")
    await a.send_json_to({"type": "edit", "seq": seq, "body": "trois", "client_id": "e2"})
    error = await frame_of_type(a, "error")
    assert (error["code"], error["client_id"]) == ("rate_limited", "e2")
    message = await database_sync_to_async(Message.objects.get)(group=group, seq=seq)
    assert message.body == "deux"
    await a.disconnect()


@pytest.mark.asyncio
async def test_earlier_versions_are_sent_to_the_facilitator_only(group, alice, facilitator):
    a, _ = await room_join(group.pk, alice)
    f, _ = await room_join(group.pk, facilitator)
    seq = await _post(a, "version 1")
    await a.send_json_to({"type": "edit", "seq": seq, "body": "version 2"})
    await frame_of_type(a, "ack")
    await a.send_json_to({"type": "revisions", "seq": seq, "client_id": "v"})
    error = await frame_of_type(a, "error")
    assert (error["code"], error["client_id"]) == ("forbidden", "v")
    await f.send_json_to({"type": "revisions", "seq": seq, "client_id": "v"})
    frame = await frame_of_type(f, "revisions")
    assert frame["client_id"] == "v" and frame["seq"] == seq
    assert [v["body"] for v in frame["versions"]] == ["version 1"]
    await a.disconnect()
    await f.disconnect()


@pytest.mark.asyncio
async def test_history_around_a_message_is_one_bounded_page_with_it_inside(group, alice):
    def fill():
        for n in range(1, 201):
            Message.objects.create(group=group, seq=n, author=alice, body=f"m{n}")
        group.last_seq = 200
        group.save()

    await database_sync_to_async(fill)()
    a, _ = await room_join(group.pk, alice)
    await a.send_json_to({"type": "history", "around": 100})
    page = await frame_of_type(a, "history")
    seqs = [m["seq"] for m in page["messages"]]
    assert seqs == list(range(75, 125))
    assert (page["around"], page["more"]) == (100, True)
    await a.send_json_to({"type": "history", "around": 3})
    page = await frame_of_type(a, "history")
    assert [m["seq"] for m in page["messages"]] == list(range(1, 51))
    assert page["more"] is False
    await a.send_json_to({"type": "history", "around": 3, "before": 10})
    error = await frame_of_type(a, "error")
    assert (error["code"], error["field"]) == ("bad_value", "around")
    await a.disconnect()
