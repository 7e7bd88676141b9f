"""Hostile frames on a room socket: each gets an error frame, and the socket stays usable.

Every value a frame carries is bounded in one place (`groups.frames`); these frames
come from attacks on the product (numbers no column holds, text PostgreSQL refuses,
wrong types, frames that are no JSON object).
"""

import json

import pytest
from channels.db import database_sync_to_async

from groups.models import GroupMembership, Message, MessageReport
from groups.services import room as room_services

from .room_client import frame_of_type, room_join

pytestmark = [pytest.mark.django_db(transaction=True)]

HUGE = 10**30
TEXT_CASES = [
    ("nul", "bon\x00jour"),
    ("only_nul", "\x00"),
    ("lone_surrogate", "caf\ud800"),
]

# (id, raw JSON text of the frame, expected error code or None for "any error code")
BAD_FRAMES = [
    ("sync_1e400", '{"type": "sync", "after": 1e400}', "bad_value"),
    ("sync_-1e400", '{"type": "sync", "after": -1e400}', "bad_value"),
    ("sync_nan", '{"type": "sync", "after": NaN}', "bad_value"),
    ("sync_huge_int", json.dumps({"type": "sync", "after": HUGE}), "bad_value"),
    ("sync_negative", json.dumps({"type": "sync", "after": -3}), "bad_value"),
    ("sync_string", json.dumps({"type": "sync", "after": "12"}), "bad_value"),
    ("sync_object", json.dumps({"type": "sync", "after": {"$gt": 0}}), "bad_value"),
    ("sync_bool", json.dumps({"type": "sync", "after": True}), "bad_value"),
    ("sync_fraction", json.dumps({"type": "sync", "after": 1.5}), "bad_value"),
    ("history_huge", json.dumps({"type": "history", "before": HUGE}), "bad_value"),
    ("history_list", json.dumps({"type": "history", "before": [1]}), "bad_value"),
    ("read_1e400", '{"type": "read", "seq": 1e400}', "bad_value"),
    ("read_bool", json.dumps({"type": "read", "seq": False}), "bad_value"),
    ("react_huge", json.dumps({"type": "react", "seq": HUGE, "emoji": "👍"}), "bad_value"),
    ("react_emoji_object", json.dumps({"type": "react", "seq": 1, "emoji": {"a": 1}}), "bad_value"),
    ("react_emoji_long", json.dumps({"type": "react", "seq": 1, "emoji": "👍" * 500}), "too_long"),
    ("report_huge", json.dumps({"type": "report", "seq": HUGE}), "bad_value"),
    (
        "report_reason_long",
        json.dumps({"type": "report", "seq": 1, "reason": "x" * 501}),
        "too_long",
    ),
    (
        "report_reason_nul",
        json.dumps({"type": "report", "seq": 1, "reason": "spam\x00"}),
        "bad_text",
    ),
    (
        "report_reason_object",
        json.dumps({"type": "report", "seq": 1, "reason": {"a": 1}}),
        "bad_value",
    ),
    ("hide_string", json.dumps({"type": "hide", "seq": "1"}), "bad_value"),
    ("mute_huge_minutes", json.dumps({"type": "mute", "user_id": 1, "minutes": HUGE}), "bad_value"),
    ("mute_user_1e400", '{"type": "mute", "user_id": 1e400, "minutes": 5}', "bad_value"),
    ("remove_user_object", json.dumps({"type": "remove", "user_id": {"a": 1}}), "bad_value"),
    ("post_body_object", json.dumps({"type": "post", "body": {"a": 1}}), "bad_value"),
    ("post_body_long", json.dumps({"type": "post", "body": "x" * 4001}), "too_long"),
    (
        "post_client_id_long",
        json.dumps({"type": "post", "body": "hi", "client_id": "c" * 65}),
        "too_long",
    ),
    (
        "post_client_id_object",
        json.dumps({"type": "post", "body": "hi", "client_id": {"a": [1]}}),
        "bad_value",
    ),
    *[
        (f"post_{name}", json.dumps({"type": "post", "body": text}), "bad_text")
        for name, text in TEXT_CASES
    ],
    ("edit_seq_string", json.dumps({"type": "edit", "seq": "1", "body": "hi"}), "bad_value"),
    ("edit_body_missing", json.dumps({"type": "edit", "seq": 1}), "bad_value"),
    ("edit_body_long", json.dumps({"type": "edit", "seq": 1, "body": "x" * 4001}), "too_long"),
    ("edit_body_nul", json.dumps({"type": "edit", "seq": 1, "body": "a\x00"}), "bad_text"),
    ("delete_seq_huge", json.dumps({"type": "delete", "seq": HUGE}), "bad_value"),
    ("delete_seq_zero", json.dumps({"type": "delete", "seq": 0}), "bad_value"),
    (
        "post_reply_to_string",
        json.dumps({"type": "post", "body": "hi", "reply_to": "1"}),
        "bad_value",
    ),
    ("post_reply_to_1e400", '{"type": "post", "body": "hi", "reply_to": 1e400}', "bad_value"),
    ("history_around_bool", json.dumps({"type": "history", "around": True}), "bad_value"),
    (
        "history_around_and_before",
        json.dumps({"type": "history", "around": 5, "before": 9}),
        "bad_value",
    ),
    ("revisions_seq_object", json.dumps({"type": "revisions", "seq": {"a": 1}}), "bad_value"),
    ("type_unknown", json.dumps({"type": "drop_table"}), "unknown_type"),
    ("type_missing", json.dumps({"after": 1}), "unknown_type"),
    ("type_object", json.dumps({"type": {"a": 1}}), "unknown_type"),
    ("type_list", json.dumps({"type": ["sync"]}), "unknown_type"),
    ("not_json", "{not json", "bad_frame"),
    ("json_array", "[1, 2]", "bad_frame"),
    ("json_string", '"sync"', "bad_frame"),
    ("deep_nesting", "[" * 5000 + "]" * 5000, "bad_frame"),
    ("deep_nesting_in_field", '{"type": "sync", "after": ' + "[" * 3000 + "]" * 3000 + "}", None),
    ("too_large", json.dumps({"type": "post", "body": "x" * 20_000}), "too_long"),
]


def _first_message(group, author) -> None:
    Message.objects.create(group=group, seq=1, author=author, body="m1")
    group.last_seq = 1
    group.save(update_fields=["last_seq"])


async def _still_usable(communicator, user) -> None:
    await communicator.send_json_to({"type": "heartbeat"})
    while "present" not in (frame := await frame_of_type(communicator, "presence")):
        pass  # someone's arrival ("joined"), not the answer to the heartbeat
    assert {"id": user.pk, "name": user.public_name} in frame["present"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("raw", "code"), [c[1:] for c in BAD_FRAMES], ids=[c[0] for c in BAD_FRAMES]
)
async def test_bad_frame_gets_an_error_frame_and_the_socket_stays_usable(
    group, facilitator, alice, raw, code
):
    await database_sync_to_async(_first_message)(group, alice)
    socket, _ = await room_join(group.pk, facilitator)
    await socket.send_to(text_data=raw)
    error = await frame_of_type(socket, "error")
    if code is not None:
        assert error["code"] == code, error
    assert error["message"]
    await _still_usable(socket, facilitator)
    # The socket still does real work after the bad frame.
    await socket.send_json_to({"type": "sync", "after": 0})
    assert [m["seq"] for m in (await frame_of_type(socket, "batch"))["messages"]] == [1]
    await socket.disconnect()


@pytest.mark.asyncio
async def test_binary_frame_gets_an_error_frame_and_the_socket_stays_usable(group, alice):
    socket, _ = await room_join(group.pk, alice)
    await socket.send_to(bytes_data=b"\x00\xff" * 10)
    assert (await frame_of_type(socket, "error"))["code"] == "bad_frame"
    await _still_usable(socket, alice)
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "text"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
async def test_text_the_database_refuses_saves_nothing(group, alice, name, text):
    await database_sync_to_async(_first_message)(group, alice)
    socket, _ = await room_join(group.pk, alice)
    await socket.send_json_to({"type": "post", "body": text, "client_id": "c1"})
    error = await frame_of_type(socket, "error")
    assert (error["code"], error["client_id"]) == ("bad_text", "c1")
    await socket.send_json_to({"type": "report", "seq": 1, "reason": text})
    assert (await frame_of_type(socket, "error"))["code"] == "bad_text"
    await socket.send_json_to({"type": "post", "body": "Bonjour", "client_id": "c2"})
    assert (await frame_of_type(socket, "ack"))["seq"] == 2
    assert await database_sync_to_async(list)(
        Message.objects.filter(group=group).order_by("seq").values_list("body", flat=True)
    ) == ["m1", "Bonjour"]
    assert not await database_sync_to_async(MessageReport.objects.exists)()
    await socket.disconnect()


@pytest.mark.asyncio
async def test_nul_text_on_postgresql_saves_nothing_and_keeps_the_socket(
    require_postgres, group, alice
):
    # PostgreSQL refuses NUL in text outright (SQLite would store it): the case attacked.
    await database_sync_to_async(_first_message)(group, alice)
    socket, _ = await room_join(group.pk, alice)
    await socket.send_to(text_data=json.dumps({"type": "post", "body": "a\x00b", "client_id": "n"}))
    assert (await frame_of_type(socket, "error"))["code"] == "bad_text"
    await socket.send_to(text_data=json.dumps({"type": "report", "seq": 1, "reason": "\x00"}))
    assert (await frame_of_type(socket, "error"))["code"] == "bad_text"
    await socket.send_to(text_data='{"type": "sync", "after": 1e400}')
    assert (await frame_of_type(socket, "error"))["code"] == "bad_value"
    await socket.send_json_to({"type": "report", "seq": 1, "reason": "spam"})
    assert (await frame_of_type(socket, "reported"))["seq"] == 1
    assert await database_sync_to_async(MessageReport.objects.count)() == 1
    await socket.disconnect()


@pytest.mark.asyncio
async def test_a_mute_too_long_is_refused_not_taken_as_an_unmute(group, facilitator, alice):
    def mute_alice():
        membership = GroupMembership.objects.get(group=group, user=alice)
        services.group_member_mute(membership=membership, actor=facilitator, minutes=60)

    from groups import services

    await database_sync_to_async(mute_alice)()
    socket, _ = await room_join(group.pk, facilitator)
    await socket.send_json_to({"type": "mute", "user_id": alice.pk, "minutes": HUGE})
    assert (await frame_of_type(socket, "error"))["code"] == "bad_value"
    membership = await database_sync_to_async(GroupMembership.objects.get)(group=group, user=alice)
    assert membership.is_muted()
    await socket.disconnect()


@pytest.mark.asyncio
async def test_good_frames_still_work(group, alice):
    socket, _ = await room_join(group.pk, alice)
    await socket.send_json_to({"type": "post", "body": "  Salut  ", "client_id": "x"})
    assert await frame_of_type(socket, "ack") == {"type": "ack", "client_id": "x", "seq": 1}
    await socket.send_json_to({"type": "post", "body": "y" * room_services.MAX_LENGTH})
    assert (await frame_of_type(socket, "ack"))["seq"] == 2
    await socket.send_json_to({"type": "sync", "after": 1})
    assert [m["seq"] for m in (await frame_of_type(socket, "batch"))["messages"]] == [2]
    await socket.send_json_to({"type": "react", "seq": 1, "emoji": "👍"})
    assert (await frame_of_type(socket, "reactions"))["reactions"] == {"👍": 1}
    await socket.send_json_to({"type": "history", "before": 2})
    assert [m["seq"] for m in (await frame_of_type(socket, "history"))["messages"]] == [1]
    await socket.disconnect()
