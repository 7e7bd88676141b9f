"""Room rules, through a real consumer in-process (WebsocketCommunicator)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.core import mail

from groups import selectors, services
from groups.models import GroupMembership, Message, MessageReport
from groups.services import room as room_services
from tests.factories import UserFactory

from .factories import GroupFactory, GroupMemberFactory
from .room_client import frame_of_type, room_join

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _post(communicator, body: str, client_id: str = "c1") -> dict:
    await communicator.send_json_to({"type": "post", "body": body, "client_id": client_id})
    return await frame_of_type(communicator, "ack")


@pytest.mark.asyncio
async def test_message_is_saved_numbered_and_reaches_other_members(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    ack = await _post(a, "Bonjour à tous", "x1")
    assert ack == {"type": "ack", "client_id": "x1", "seq": 1}
    frame = await frame_of_type(b, "message")
    assert frame["seq"] == 1
    assert frame["body"] == "Bonjour à tous"
    assert frame["author"] == {"id": alice.pk, "name": "Alice"}
    # Saved before the broadcast: it is in the database when the frame arrives.
    saved = await database_sync_to_async(Message.objects.get)(group=group, seq=1)
    assert saved.body == "Bonjour à tous"
    await _post(a, "Deuxième", "x2")
    assert (await frame_of_type(b, "message"))["seq"] == 2
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_numbers_are_per_room(group, alice):
    other = await database_sync_to_async(GroupFactory)()
    await database_sync_to_async(GroupMemberFactory)(group=other, user=alice)
    a, _ = await room_join(group.pk, alice)
    o, _ = await room_join(other.pk, alice)
    assert (await _post(a, "un"))["seq"] == 1
    assert (await _post(a, "deux"))["seq"] == 2
    assert (await _post(o, "ailleurs"))["seq"] == 1
    await a.disconnect()
    await o.disconnect()


@pytest.mark.asyncio
async def test_reconnect_with_last_seen_number_receives_everything_after_it(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    await _post(a, "m1")
    assert (await frame_of_type(b, "message"))["seq"] == 1
    await b.disconnect()
    for n in range(2, 6):
        await _post(a, f"m{n}", f"c{n}")
    b, welcome = await room_join(group.pk, bob)
    assert welcome["last_seq"] == 5
    await b.send_json_to({"type": "sync", "after": 1})
    batch = await frame_of_type(b, "batch")
    assert [m["seq"] for m in batch["messages"]] == [2, 3, 4, 5]
    assert [m["body"] for m in batch["messages"]] == ["m2", "m3", "m4", "m5"]
    assert batch["more"] is False
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_history_loads_by_page(group, alice):
    def fill():
        for n in range(1, 61):
            Message.objects.create(group=group, seq=n, author=alice, body=f"m{n}")
        group.last_seq = 60
        group.save()

    await database_sync_to_async(fill)()
    a, _ = await room_join(group.pk, alice)
    await a.send_json_to({"type": "history"})
    page = await frame_of_type(a, "history")
    assert [m["seq"] for m in page["messages"]] == list(range(11, 61))
    assert page["more"] is True
    await a.send_json_to({"type": "history", "before": 11})
    page = await frame_of_type(a, "history")
    assert [m["seq"] for m in page["messages"]] == list(range(1, 11))
    assert page["more"] is False
    await a.disconnect()


@pytest.mark.asyncio
async def test_flood_gets_a_warning_frame_and_the_socket_stays_open(group, alice, settings):
    settings.GROUPS_ROOM_RATE_LIMIT = 3
    a, _ = await room_join(group.pk, alice)
    for n in range(3):
        await _post(a, f"m{n}", f"c{n}")
    await a.send_json_to({"type": "post", "body": "trop", "client_id": "c9"})
    error = await frame_of_type(a, "error")
    assert error["code"] == "rate_limited"
    assert error["client_id"] == "c9"
    assert await database_sync_to_async(Message.objects.filter(group=group).count)() == 3
    await a.send_json_to({"type": "heartbeat"})
    assert (await frame_of_type(a, "presence"))["present"] == [{"id": alice.pk, "name": "Alice"}]
    await a.disconnect()


@pytest.mark.asyncio
async def test_too_long_and_malformed_frames_get_errors_not_a_crash(group, alice):
    a, _ = await room_join(group.pk, alice)
    await a.send_json_to({"type": "post", "body": "x" * (room_services.MAX_LENGTH + 1)})
    assert (await frame_of_type(a, "error"))["code"] == "too_long"
    await a.send_to(text_data="{not json")
    assert (await frame_of_type(a, "error"))["code"] == "bad_frame"
    await a.send_to(text_data="[1, 2]")
    assert (await frame_of_type(a, "error"))["code"] == "bad_frame"
    await a.send_json_to({"type": "launch_missiles"})
    assert (await frame_of_type(a, "error"))["code"] == "unknown_type"
    await a.send_json_to({"type": "post", "body": 42})
    assert (await frame_of_type(a, "error"))["code"] == "bad_value"
    await a.send_json_to({"type": "history", "before": "abc"})
    assert (await frame_of_type(a, "error"))["code"] == "bad_value"
    assert (await _post(a, "toujours là"))["seq"] == 1
    await a.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_out_of_range_numbers_and_nul_characters_get_answers_not_a_crash(group, alice):
    a, _ = await room_join(group.pk, alice)
    # 1e400 is infinity once parsed; 10**30 fits no database column.
    await a.send_to(text_data='{"type": "sync", "after": 1e400}')
    assert (await frame_of_type(a, "error"))["code"] == "bad_value"
    await a.send_json_to({"type": "history", "before": 10**30})
    assert (await frame_of_type(a, "error"))["code"] == "bad_value"
    await a.send_json_to({"type": "mute", "user_id": 10**30, "minutes": 10**30})
    assert (await frame_of_type(a, "error"))["type"] == "error"
    await a.send_json_to({"type": "post", "body": "avant\u0000après"})
    assert (await frame_of_type(a, "error"))["code"] == "bad_text"
    # The socket is still up, and nothing was saved of the refused post.
    assert (await _post(a, "toujours là"))["seq"] == 1
    await a.disconnect()


@pytest.mark.asyncio
async def test_html_arrives_as_plain_text(group, alice, bob):
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script> https://example.org'
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    await _post(a, payload)
    frame = await frame_of_type(b, "message")
    # The text as typed, and nothing the client could take for markup.
    assert frame["body"] == payload
    assert "html" not in frame
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_muted_member_cannot_post_until_the_mute_ends(group, alice, facilitator):
    a, _ = await room_join(group.pk, alice)
    mod, _ = await room_join(group.pk, facilitator)
    await mod.send_json_to({"type": "mute", "user_id": alice.pk, "minutes": 30})
    muted = await frame_of_type(a, "muted")
    assert muted["until"] is not None
    await a.send_json_to({"type": "post", "body": "je parle"})
    assert (await frame_of_type(a, "error"))["code"] == "muted"
    await mod.send_json_to({"type": "mute", "user_id": alice.pk, "minutes": 0})
    assert (await frame_of_type(a, "muted"))["until"] is None
    assert (await _post(a, "de retour"))["seq"] == 1
    await a.disconnect()
    await mod.disconnect()


@pytest.mark.asyncio
async def test_typing_reaches_others_and_is_throttled(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    await a.send_json_to({"type": "typing"})
    typing = await frame_of_type(b, "typing")
    assert typing["user"] == {"id": alice.pk, "name": "Alice"}
    await a.send_json_to({"type": "typing"})  # within the throttle interval: dropped
    await a.send_json_to({"type": "heartbeat"})
    await frame_of_type(a, "presence")
    assert await b.receive_nothing(timeout=0.5)
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_presence_follows_joins_and_leaves(group, alice, bob):
    a, welcome = await room_join(group.pk, alice)
    assert welcome["present"] == [{"id": alice.pk, "name": "Alice"}]
    seen = {p["id"]: p["name"] for p in welcome["present"]}
    assert await _presence_until(a, {"Alice"}, seen)  # its own arrival
    b, _ = await room_join(group.pk, bob)
    assert await _presence_until(a, {"Alice", "Bob"}, seen)
    await b.disconnect()
    assert await _presence_until(a, {"Alice"}, seen)
    await a.disconnect()


async def _presence_until(communicator, names: set[str], seen: dict) -> bool:
    """Apply presence frames (full lists or changes) until exactly `names` are here."""
    for _ in range(5):
        frame = await frame_of_type(communicator, "presence")
        if "present" in frame:
            seen.clear()
            seen.update({p["id"]: p["name"] for p in frame["present"]})
        if "joined" in frame:
            seen[frame["joined"]["id"]] = frame["joined"]["name"]
        if "left" in frame:
            seen.pop(frame["left"]["id"], None)
        if set(seen.values()) == names:
            return True
    return False


@pytest.mark.asyncio
async def test_a_dead_tab_leaves_presence_when_its_heartbeats_stop(group, alice, monkeypatch):
    monkeypatch.setattr(room_services, "PRESENCE_TTL", 1)
    await database_sync_to_async(room_services.room_presence_touch)(
        group_id=group.pk, user_id=alice.pk
    )
    here = await database_sync_to_async(room_services.room_presence_list)(group_id=group.pk)
    assert here == [{"id": alice.pk, "name": "Alice"}]
    await asyncio.sleep(1.5)
    here = await database_sync_to_async(room_services.room_presence_list)(group_id=group.pk)
    assert here == []


@pytest.mark.asyncio
async def test_presence_ttl_and_heartbeat_keep_a_dead_tab_under_ninety_seconds():
    # A tab that dies right after a heartbeat vanishes at TTL; others refresh their
    # list on their own heartbeat, so they see it gone within TTL + one heartbeat.
    assert room_services.PRESENCE_TTL + room_services.HEARTBEAT_SECONDS <= 90


@pytest.mark.asyncio
async def test_unread_counts_follow_the_read_mark(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    await _post(a, "un", "1")
    await _post(a, "deux", "2")

    def unread_of(user):
        return [g.unread for g in selectors.groups_of_user(user=user)]

    assert await database_sync_to_async(unread_of)(bob) == [2]
    assert await database_sync_to_async(unread_of)(alice) == [0]  # their own messages
    b, _ = await room_join(group.pk, bob)
    await b.send_json_to({"type": "read", "seq": 99})  # past the end: ignored
    await b.send_json_to({"type": "read", "seq": 2})
    await b.send_json_to({"type": "sync", "after": 2})  # frames are handled in order
    await frame_of_type(b, "batch")
    assert await database_sync_to_async(unread_of)(bob) == [0]
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_mention_is_kept_for_the_person_only_when_away(group, alice, bob):
    # Kept for their digest and push (groups.notify), not emailed one by one.
    from groups.models import Mention

    def mentioned() -> list[tuple[int, int]]:
        return list(Mention.objects.values_list("user_id", "message__seq").order_by("pk"))

    a, _ = await room_join(group.pk, alice)
    mail.outbox.clear()
    await _post(a, "@Bob tu as vu l'annonce ?", "1")
    assert await database_sync_to_async(mentioned)() == [(bob.pk, 1)]
    assert mail.outbox == []
    b, _ = await room_join(group.pk, bob)
    await _post(a, "@bob encore toi", "2")
    assert await database_sync_to_async(mentioned)() == [(bob.pk, 1)]
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_reactions_toggle_and_are_counted(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    await _post(a, "bravo")
    await b.send_json_to({"type": "react", "seq": 1, "emoji": "👍"})
    assert (await frame_of_type(a, "reactions")) == {
        "type": "reactions",
        "seq": 1,
        "reactions": {"👍": 1},
        "reacted_by": {"👍": ["Bob"]},
    }
    assert (await frame_of_type(b, "reactions"))["reactions"] == {"👍": 1}
    await a.send_json_to({"type": "react", "seq": 1, "emoji": "👍"})
    both = await frame_of_type(b, "reactions")
    assert (both["reactions"], both["reacted_by"]) == ({"👍": 2}, {"👍": ["Bob", "Alice"]})
    await b.send_json_to({"type": "react", "seq": 1, "emoji": "👍"})  # again: taken back
    back = await frame_of_type(b, "reactions")
    assert (back["reactions"], back["reacted_by"]) == ({"👍": 1}, {"👍": ["Alice"]})
    await b.send_json_to({"type": "history"})  # a page carries them too, for a late comer
    (shown,) = (await frame_of_type(b, "history"))["messages"]
    assert (shown["reactions"], shown["reacted_by"]) == ({"👍": 1}, {"👍": ["Alice"]})
    await b.send_json_to({"type": "react", "seq": 1, "emoji": "<b>"})
    assert (await frame_of_type(b, "error"))["code"] == "bad_reaction"
    await a.disconnect()
    await b.disconnect()


@pytest.mark.asyncio
async def test_members_report_and_moderators_hide(group, alice, bob, facilitator):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    mod, _ = await room_join(group.pk, facilitator)
    await _post(a, "un message déplacé")
    await b.send_json_to({"type": "report", "seq": 1, "reason": "insultant"})
    assert (await frame_of_type(b, "reported"))["seq"] == 1
    reports = await database_sync_to_async(
        lambda: list(selectors.group_open_reports(group=group))
    )()
    assert [(r.reporter_id, r.reason) for r in reports] == [(bob.pk, "insultant")]

    await b.send_json_to({"type": "hide", "seq": 1})
    assert (await frame_of_type(b, "error"))["code"] == "forbidden"

    await mod.send_json_to({"type": "hide", "seq": 1})
    assert await frame_of_type(a, "hidden") == {"type": "hidden", "seq": 1}
    await b.send_json_to({"type": "sync", "after": 0})
    batch = await frame_of_type(b, "batch")
    assert batch["messages"][0]["hidden"] is True
    assert batch["messages"][0]["body"] == ""
    assert (
        await database_sync_to_async(MessageReport.objects.filter(resolved_at__isnull=True).count)()
        == 0
    )
    for c in (a, b, mod):
        await c.disconnect()


@pytest.mark.asyncio
async def test_a_member_removed_while_connected_cannot_post(group, alice):
    # Even if the closing frame were lost, the next post re-checks the membership.
    a, _ = await room_join(group.pk, alice)
    await database_sync_to_async(GroupMembership.objects.filter(user=alice).delete)()
    await a.send_json_to({"type": "post", "body": "encore là ?"})
    assert (await frame_of_type(a, "error"))["code"] == "4403"
    assert (await a.receive_output(timeout=2))["code"] == 4403


def test_room_post_service_refuses_empty_text(group, alice):
    with pytest.raises(services.RoomError) as exc:
        services.room_message_post(group_id=group.pk, actor=alice, body="   ")
    assert exc.value.code == "empty"


def test_stranger_cannot_post_through_the_service(group):
    stranger = UserFactory()
    with pytest.raises(services.RoomError) as exc:
        services.room_message_post(group_id=group.pk, actor=stranger, body="hello")
    assert exc.value.code == "4403"
