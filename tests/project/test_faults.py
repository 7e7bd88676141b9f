"""When a part fails, the site stays up: fault tests against a production-shaped server.

A uvicorn process runs the site with the production settings on the test PostgreSQL
database and on a redis-server of the test's own, which the tests kill and restart
while they send requests. The database tests terminate the server's pooled
connections, or point a server at a database that does not answer.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time

import psycopg
import pytest
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import is_postgres, skip_or_fail
from tests.factories import UserFactory
from tests.groups.factories import GroupFactory, GroupMemberFactory
from tests.groups.room_client import session_cookie

from .live_production import PrivateRedis, ProductionServer, production_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_postgres", "require_redis"),
]

APP_NAME = "assosolos-fault-test"
# The English page, so the checks do not depend on the French catalogue.
TRY_LATER = 1013


def _database_url(name: str | None = None, *, port: int | None = None) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST']}:{port or db['PORT'] or 5432}"
        f"/{name or db['NAME']}?application_name={APP_NAME}"
    )


@pytest.fixture(scope="module")
def static_root(collected_static):
    return collected_static


@pytest.fixture(scope="module")
def redis_server():
    redis = PrivateRedis()
    if not redis.binary:
        skip_or_fail("needs the redis-server binary (apt-get install redis-server)")
    redis.start()
    yield redis
    redis.kill()


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, static_root, redis_server):
    if not is_postgres():
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    env = production_env(
        database_url=_database_url(),
        redis_url=redis_server.url,
        STATIC_ROOT=static_root,
        DB_POOL_MIN_SIZE="2",
        DB_POOL_MAX_SIZE="4",
        DB_POOL_TIMEOUT="5",
    )
    live = ProductionServer(env)
    yield live
    live.stop()


@pytest.fixture
def redis_up(redis_server):
    """The private Redis runs at the start of the test, and again after it."""
    if redis_server.process is None:
        redis_server.start()
    yield redis_server
    if redis_server.process is None:
        redis_server.start()


@pytest.fixture
def member(tree):
    group = GroupFactory()
    user = GroupMemberFactory(group=group, user=UserFactory()).user
    return {"group": group, "user": user, "cookie": session_cookie(user)}


def _csrf() -> dict[str, str]:
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    return {"cookie": token, "header": token}


def _pages(server: ProductionServer, member: dict) -> list[tuple[str, int]]:
    signed_in = {"sessionid": member["cookie"]}
    return [
        ("/", server.request("/").status),
        ("/loteries/", server.request("/loteries/").status),
        ("/compte/", server.request("/compte/", cookies=signed_in).status),
    ]


def _post(server: ProductionServer, path: str, member: dict | None, data: dict) -> object:
    csrf = _csrf()
    cookies = {"csrftoken": csrf["cookie"]}
    if member is not None:
        cookies["sessionid"] = member["cookie"]
    return server.request(path, cookies=cookies, data=data, headers={"X-CSRFToken": csrf["header"]})


def _login(server: ProductionServer, member: dict) -> object:
    return _post(
        server,
        "/en/accounts/login/",
        None,
        {"login": member["user"].email, "password": "not-the-password"},
    )


def _buy(server: ProductionServer, member: dict) -> object:
    return _post(server, "/en/loteries/aucune-loterie/acheter/", member, {"quantity": "1"})


def test_pages_stay_up_while_redis_is_down_and_recover_when_it_is_back(server, redis_up, member):
    assert _pages(server, member) == [("/", 200), ("/loteries/", 200), ("/compte/", 200)]

    redis_up.kill()
    deadline = time.monotonic() + 3
    rounds = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        statuses = _pages(server, member)
        assert statuses == [("/", 200), ("/loteries/", 200), ("/compte/", 200)], statuses
        # Short timeouts: an unreachable Redis costs a page little.
        assert time.monotonic() - started < 3
        rounds += 1
    assert rounds >= 2

    # What must not run without its rate limit says "try again", never 500.
    for response in (_login(server, member), _buy(server, member)):
        assert response.status == 503, response.body[:500]
        assert response.headers["retry-after"] == "10"
        assert "Service momentarily unavailable, try again" in response.body
    health = server.request("/healthz")
    assert health.status == 503
    assert health.json()["checks"]["cache"]["ok"] is False
    assert health.json()["checks"]["database"]["ok"] is True

    redis_up.start()
    deadline = time.monotonic() + 10
    while _buy(server, member).status == 503:
        assert time.monotonic() < deadline, "purchases still refused 10 s after Redis is back"
        time.sleep(0.2)
    assert _buy(server, member).status == 404  # no such lottery: the purchase view ran
    assert _login(server, member).status == 200  # the form, with its error
    assert server.request("/healthz").json()["checks"]["cache"]["ok"] is True
    assert _pages(server, member) == [("/", 200), ("/loteries/", 200), ("/compte/", 200)]


async def _room_socket(server: ProductionServer, member: dict):
    ws_url = server.url.replace("http://", "ws://") + f"/ws/groupes/{member['group'].pk}/"
    return await connect(
        ws_url,
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={member['cookie']}"},
        open_timeout=10,
    )


async def _frame(socket, kind: str, timeout: float = 10) -> dict:
    async def wait():
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == kind:
                return frame

    return await asyncio.wait_for(wait(), timeout)


async def _closed_code(socket, timeout: float = 10) -> int:
    async def wait():
        while True:
            await socket.recv()

    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(wait(), timeout)
    return closed.value.rcvd.code if closed.value.rcvd else None


@pytest.mark.asyncio
async def test_room_sockets_close_with_try_again_later_while_redis_is_down(
    server, redis_up, member
):
    socket = await _room_socket(server, member)
    await _frame(socket, "welcome")

    redis_up.kill()
    # The open socket is told to come back later, with a close frame.
    assert await _closed_code(socket) == TRY_LATER
    # A new one is accepted and closed the same way, not refused with a 500.
    socket = await _room_socket(server, member)
    assert await _closed_code(socket) == TRY_LATER

    redis_up.start()
    deadline = time.monotonic() + 10
    while True:
        socket = await _room_socket(server, member)
        try:
            await _frame(socket, "welcome", timeout=5)
            break
        except ConnectionClosed:
            assert time.monotonic() < deadline, "the room is still closed 10 s after Redis"
            await asyncio.sleep(0.3)
    await socket.send(json.dumps({"type": "post", "body": "De retour", "client_id": "1"}))
    assert (await _frame(socket, "ack"))["seq"] >= 1
    await socket.close()


def _terminate_server_connections() -> int:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = %s AND pid <> pg_backend_pid()",
            [db["NAME"], APP_NAME],
        ).fetchall()
    return len(rows)


def test_pooled_connections_killed_by_a_database_restart_cost_no_error(server, redis_up, member):
    signed_in = {"sessionid": member["cookie"]}
    for _ in range(4):  # the pool holds its connections open
        assert server.request("/compte/", cookies=signed_in).status == 200
    assert _terminate_server_connections() >= 1
    statuses = [server.request("/compte/", cookies=signed_in).status for _ in range(6)]
    assert statuses == [200] * 6


def test_an_unreachable_database_gives_the_503_page(static_root, redis_up, member):
    closed_port = PrivateRedis().port  # a free port nothing listens on
    env = production_env(
        database_url=_database_url(port=closed_port),
        redis_url=redis_up.url,
        STATIC_ROOT=static_root,
        DB_POOL_MIN_SIZE="1",
        DB_POOL_TIMEOUT="1",
    )
    live = ProductionServer(env)
    try:
        anonymous = live.request("/en/")
        signed_in = live.request("/en/compte/", cookies={"sessionid": member["cookie"]})
        health = live.request("/healthz")
    finally:
        live.stop()
    for response in (anonymous, signed_in):
        assert response.status == 503, response.body[:500]
        assert response.headers["retry-after"] == "10"
        assert "Service momentarily unavailable, try again" in response.body
        assert "Traceback" not in response.body
    assert health.status == 503
    assert health.json()["checks"]["database"] == {
        "ok": False,
        "required": True,
        "ms": health.json()["checks"]["database"]["ms"],
        "error": "PoolTimeout",
    }
