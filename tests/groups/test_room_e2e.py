"""End to end: real websocket clients against two uvicorn processes sharing Redis.

The servers run the project's ASGI application on loopback, on the test
PostgreSQL database; a message posted through one reaches members connected to
the other through the Redis channel layer.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from groups import services
from groups.models import GroupMembership, Message
from tests.conftest import is_postgres, skip_or_fail
from tests.factories import UserFactory

from .asgi_servers import asgi_servers, database_url_for
from .room_client import session_cookie

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_postgres", "require_redis"),
]


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, tmp_path_factory):
    if not is_postgres() or not settings.REDIS_URL:
        skip_or_fail("needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    env = {
        "DJANGO_SETTINGS_MODULE": "assosolos.settings.test",
        "DATABASE_URL": database_url_for(settings.DATABASES["default"]["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
    }
    log = tmp_path_factory.mktemp("asgi") / "servers.log"
    with asgi_servers(2, env=env, log_path=log) as urls:
        yield urls


def _ws(base_url: str, group_id: int) -> str:
    return base_url.replace("http://", "ws://") + f"/ws/groupes/{group_id}/"


async def _open(base_url: str, group_id: int, user=None, *, origin: str | None = None):
    headers = {}
    if user is not None:
        headers["Cookie"] = "sessionid=" + await database_sync_to_async(session_cookie)(user)
    return await connect(
        _ws(base_url, group_id), origin=origin or base_url, additional_headers=headers
    )


async def _next(socket, kind: str, timeout: float = 5) -> dict:
    async def wait():
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == kind:
                return frame

    return await asyncio.wait_for(wait(), timeout)


async def _post(socket, body: str) -> int:
    await socket.send(json.dumps({"type": "post", "body": body, "client_id": body[:10]}))
    return (await _next(socket, "ack"))["seq"]


@pytest.mark.asyncio
async def test_message_posted_through_one_server_reaches_a_member_on_the_other(
    servers, group, alice, bob
):
    one, two = servers
    a = await _open(one, group.pk, alice)
    b = await _open(two, group.pk, bob)
    await _next(a, "welcome")
    await _next(b, "welcome")
    assert await _post(a, "Bonjour depuis le serveur un") == 1
    frame = await _next(b, "message")
    assert (frame["seq"], frame["body"]) == (1, "Bonjour depuis le serveur un")
    await a.close()
    await b.close()


@pytest.mark.asyncio
async def test_a_client_that_reconnects_receives_what_it_missed(servers, group, alice, bob):
    one, two = servers
    a = await _open(one, group.pk, alice)
    b = await _open(two, group.pk, bob)
    await _next(b, "welcome")
    await _post(a, "avant")
    last_seen = (await _next(b, "message"))["seq"]
    await b.close()
    for n in range(3):
        await _post(a, f"pendant {n}")
    b = await _open(one, group.pk, bob)  # back, through the other server
    welcome = await _next(b, "welcome")
    assert welcome["last_seq"] == 4
    await b.send(json.dumps({"type": "sync", "after": last_seen}))
    batch = await _next(b, "batch")
    assert [m["body"] for m in batch["messages"]] == ["pendant 0", "pendant 1", "pendant 2"]
    await a.close()
    await b.close()


@pytest.mark.asyncio
async def test_foreign_origin_anonymous_and_non_member_are_refused(servers, group, alice):
    one, _two = servers
    with pytest.raises(InvalidStatus) as refused:
        await _open(one, group.pk, alice, origin="https://evil.example.com")
    assert refused.value.response.status_code == 403

    anonymous = await _open(one, group.pk)
    with pytest.raises(ConnectionClosed) as closed:
        await anonymous.recv()
    assert closed.value.rcvd.code == 4401

    stranger = await database_sync_to_async(UserFactory)()
    outsider = await _open(one, group.pk, stranger)
    with pytest.raises(ConnectionClosed) as closed:
        await outsider.recv()
    assert closed.value.rcvd.code == 4403


@pytest.mark.asyncio
async def test_a_removed_member_socket_is_closed(servers, group, alice, facilitator):
    _one, two = servers
    a = await _open(two, group.pk, alice)
    await _next(a, "welcome")

    def remove():
        membership = GroupMembership.objects.get(group=group, user=alice)
        services.group_member_remove(membership=membership, actor=facilitator)

    await database_sync_to_async(remove)()
    await _next(a, "removed")
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(a.recv(), 5)
    assert closed.value.rcvd.code == 4403


@pytest.mark.asyncio
async def test_xss_payload_arrives_as_the_text_typed(servers, group, alice, bob):
    one, two = servers
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    a = await _open(one, group.pk, alice)
    b = await _open(two, group.pk, bob)
    await _next(b, "welcome")
    await _post(a, payload)
    frame = await _next(b, "message")
    assert frame["body"] == payload
    assert set(frame) == {
        "type",
        "seq",
        "author",
        "body",
        "hidden",
        "deleted",
        "edited_at",
        "created_at",
        "reactions",
        "reacted_by",
        "reply_to",
        "attachment",
    }
    assert frame["attachment"] is None  # a text carries no image
    saved = await database_sync_to_async(Message.objects.get)(group=group, seq=1)
    assert saved.body == payload
    await a.close()
    await b.close()


@pytest.mark.asyncio
async def test_edits_replies_and_deletions_cross_servers_and_refusals_change_nothing(
    servers, group, alice, bob
):
    one, two = servers
    a = await _open(one, group.pk, alice)
    b = await _open(two, group.pk, bob)
    await _next(a, "welcome")
    await _next(b, "welcome")
    seq = await _post(a, "Atelier lundi")
    await _next(b, "message")
    await a.send(json.dumps({"type": "edit", "seq": seq, "body": "Atelier mardi"}))
    edited = await _next(b, "edited")
    assert (edited["seq"], edited["body"]) == (seq, "Atelier mardi")

    # Bob may answer Alice's message, not change or delete it.
    for frame in ({"type": "edit", "seq": seq, "body": "annulé"}, {"type": "delete", "seq": seq}):
        await b.send(json.dumps({**frame, "client_id": frame["type"]}))
        error = await _next(b, "error")
        assert (error["code"], error["client_id"]) == ("forbidden", frame["type"])
    await b.send(json.dumps({"type": "post", "body": "OK pour mardi", "reply_to": seq}))
    reply = await _next(a, "message")
    if reply["seq"] == seq:  # Alice's own message came back to her first
        reply = await _next(a, "message")
    assert reply["reply_to"]["excerpt"] == "Atelier mardi"
    saved = await database_sync_to_async(Message.objects.get)(group=group, seq=seq)
    assert (saved.body, saved.deleted_at) == ("Atelier mardi", None)

    await a.send(json.dumps({"type": "delete", "seq": seq}))
    assert await _next(b, "deleted") == {"type": "deleted", "seq": seq}
    await b.send(
        json.dumps({"type": "post", "body": "encore ?", "reply_to": seq, "client_id": "r"})
    )
    error = await _next(b, "error")
    assert (error["code"], error["client_id"]) == ("deleted", "r")
    await a.close()
    await b.close()
