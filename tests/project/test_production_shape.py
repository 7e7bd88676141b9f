"""The production shape boots and serves: two uvicorn workers, a task cluster, PostgreSQL, Redis.

As docs/operations.md describes it (without the TLS proxy): the site runs with the
production settings under `uvicorn --workers 2`, next to `manage.py qcluster`, on the
test PostgreSQL database and a Redis of the test's own, with Stripe's API and
webhooks served by the local fake. A buyer pays for tickets and the signed webhook
makes them sold, the cluster then records the payment's fees, and two members talk in
their group's room over websockets that may land on either worker.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import subprocess
import sys
import time

import pytest
from django.conf import settings
from websockets.asyncio.client import connect

from lottery.models import Order
from tests.conftest import is_postgres, skip_or_fail
from tests.factories import UserFactory, en
from tests.groups.factories import GroupFactory, GroupMemberFactory
from tests.groups.room_client import session_cookie
from tests.lottery.conftest import (
    CONNECT_CLIENT_ID,
    CONNECT_WEBHOOK_SECRET,
    PUBLISHABLE_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
    localstripe,
    localstripe_server,
)
from tests.lottery.factories import open_lottery

from .live_production import PrivateRedis, ProductionServer, production_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_postgres", "require_redis"),
]
__all__ = ["localstripe", "localstripe_server"]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def shape(tmp_path, collected_static, localstripe, localstripe_server):
    if not is_postgres():
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    redis = PrivateRedis()
    if not redis.binary:
        skip_or_fail("needs the redis-server binary (apt-get install redis-server)")
    redis.start()
    env = production_env(
        database_url=_database_url(),
        redis_url=redis.url,
        STATIC_ROOT=collected_static,
        DB_POOL_MAX_SIZE="4",
        STRIPE_API_BASE=localstripe_server,
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_CONNECT_CLIENT_ID=CONNECT_CLIENT_ID,
        STRIPE_CONNECT_WEBHOOK_SECRET=CONNECT_WEBHOOK_SECRET,
        STRIPE_JS_URL=f"{localstripe_server}/js.stripe.com/v3/",
    )
    web = ProductionServer(env, workers=2)
    log = tmp_path / "qcluster.log"
    with log.open("wb") as out:
        cluster = subprocess.Popen(  # noqa: S603 (our own interpreter)
            [sys.executable, "manage.py", "qcluster"],
            cwd=settings.ROOT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    localstripe.webhooks_to(f"{web.url}/loteries/stripe/webhook/")
    localstripe.connect_webhooks_to(f"{web.url}/loteries/stripe/connect/webhook/")
    try:
        yield web, cluster, log
    finally:
        cluster.terminate()
        try:
            cluster.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cluster.kill()
            cluster.wait()
        web.stop()
        redis.kill()


def _until(check, *, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_a_purchase_and_a_room_conversation_through_the_production_shape(shape, localstripe):
    web, cluster, log = shape
    lottery = open_lottery(ticket_price_cents=300, ticket_cap=40)
    buyer = UserFactory(display_name="Camille")
    cookies = {"sessionid": session_cookie(buyer)}

    page = web.request(en(lottery.get_absolute_url()), cookies=cookies)
    assert page.status == 200, page.body[:300]
    token = secrets.token_hex(16)
    bought = web.request(
        f"/en/loteries/{lottery.slug}/acheter/",
        cookies={**cookies, "csrftoken": token},
        data={"quantity": "2"},
        headers={"X-CSRFToken": token},
    )
    assert bought.status == 302, bought.body[:300]
    checkout = re.search(r"/commande/(\d+)/paiement/", bought.headers["location"])
    order_id = int(checkout.group(1))
    page = web.request(bought.headers["location"], cookies=cookies)
    assert page.status == 200, page.body[:300]
    order = Order.objects.get(pk=order_id)
    assert order.stripe_payment_intent_id and order.status == Order.Status.PENDING

    localstripe.pay(order.stripe_payment_intent_id)
    paid = _until(
        lambda: Order.objects.filter(pk=order_id, status=Order.Status.PAID).first(),
        what="the signed webhook did not mark the order paid",
    )
    assert paid.tickets.count() == 2
    # The cluster ran the task the payment queued: Stripe's fee is on the order.
    _until(
        lambda: Order.objects.filter(pk=order_id, stripe_fee_cents__isnull=False).exists(),
        what=f"the task cluster did not record the fees:\n{log.read_text()[-2000:]}",
    )
    assert cluster.poll() is None

    group = GroupFactory()
    members = [GroupMemberFactory(group=group).user for _ in range(2)]
    asyncio.run(_talk(web, group.pk, [session_cookie(m) for m in members]))
    assert group.messages.filter(body="Bonjour à tous").count() == 1
    assert web.request("/healthz").json()["checks"]["tasks"]["ok"] is True


async def _talk(web: ProductionServer, group_id: int, cookies: list[str]) -> None:
    url = web.url.replace("http://", "ws://") + f"/ws/groupes/{group_id}/"
    # Several sockets each, so that both workers hold some: the channel layer (Redis)
    # must carry the message from one worker to the other.
    sockets = [
        await connect(url, origin=web.url, additional_headers={"Cookie": f"sessionid={c}"})
        for c in cookies
        for _ in range(3)
    ]
    try:
        for socket in sockets:
            await _frame(socket, "welcome")
        await sockets[0].send(
            json.dumps({"type": "post", "body": "Bonjour à tous", "client_id": "a1"})
        )
        for socket in sockets:
            frame = await _frame(socket, "message")
            assert frame["body"] == "Bonjour à tous"
    finally:
        for socket in sockets:
            await socket.close()


async def _frame(socket, kind: str, timeout: float = 15) -> dict:
    async def wait():
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == kind:
                return frame

    return await asyncio.wait_for(wait(), timeout)
