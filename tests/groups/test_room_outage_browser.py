"""The room page through a Redis outage, in a browser: told to wait, back, caught up.

The server runs on a redis-server of the test's own; killing it closes the room's
socket with 1013 (try again later). The page must say so, keep reconnecting with
its growing delay, and once Redis is back show the message posted meanwhile.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from groups.services import room as room_services
from tests.conftest import skip_or_fail
from tests.project.live_production import PrivateRedis

from .asgi_servers import asgi_servers, database_url_for
from .room_client import session_cookie

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_postgres", "require_redis"),
]


@pytest.fixture(scope="module")
def redis_server():
    redis = PrivateRedis()
    if not redis.binary:
        skip_or_fail("needs the redis-server binary (apt-get install redis-server)")
    redis.start()
    yield redis
    redis.kill()


@pytest.fixture(scope="module")
def outage_server(django_db_setup, redis_server, tmp_path_factory):
    env = {
        "DJANGO_SETTINGS_MODULE": "assosolos.settings.test",
        "DATABASE_URL": database_url_for(str(settings.DATABASES["default"]["NAME"])),
        "REDIS_URL": redis_server.url,
    }
    log = tmp_path_factory.mktemp("asgi") / "server.log"
    with asgi_servers(1, env=env, log_path=log) as urls:
        yield urls[0]


def test_the_room_page_waits_through_an_outage_and_catches_up(
    _playwright_browser, outage_server, redis_server, group, alice, bob
):
    if redis_server.process is None:
        redis_server.start()
    context = _playwright_browser.new_context(base_url=outage_server, locale="fr-FR")
    context.set_default_timeout(20_000)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(alice), "url": outage_server}]
    )
    page = context.new_page()
    page.goto(f"/groupes/{group.pk}/salon/")
    room = page.locator("#room")
    status = page.locator("#room-status")
    expect(status).to_have_text(room.get_attribute("data-i18n-online"))

    redis_server.kill()
    expect(status).to_have_text(room.get_attribute("data-i18n-try-later"))
    # Saved while the room's live delivery is away (its broadcast goes nowhere).
    room_services.room_message_post(
        group_id=group.pk, actor=bob, body="Pendant la panne", broadcast=False
    )

    redis_server.start()
    expect(page.locator("#room-messages")).to_contain_text("Pendant la panne")
    # Back: connected, or saying that what was missed has been loaded.
    back = (room.get_attribute("data-i18n-online"), room.get_attribute("data-i18n-caught-up"))
    expect(status).to_have_text(re.compile("^(" + "|".join(map(re.escape, back)) + ")$"))
    context.close()
