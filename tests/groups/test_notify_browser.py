"""The room page offers browser notifications: its service worker registers for /groupes/."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from .push_service import b64url, public_point
from .room_client import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_room_page_registers_the_service_worker_and_offers_push(
    browser_page, live_server, settings, group, bob
):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.WEBPUSH_VAPID_PRIVATE_KEY = b64url(
        key.private_numbers().private_value.to_bytes(32, "big")
    )
    settings.WEBPUSH_VAPID_PUBLIC_KEY = b64url(public_point(key))
    browser_page.context.grant_permissions(["notifications"], origin=live_server.url)
    browser_page.context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(bob), "url": live_server.url}]
    )
    browser_page.goto(group.get_room_url())
    toggle = browser_page.locator("#room-push-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("data-subscribed", "0")
    # The browser accepted the script (its type and scope are right) for the rooms' pages.
    scope = browser_page.evaluate(
        "navigator.serviceWorker.getRegistration('/groupes/').then(r => r ? r.scope : null)"
    )
    assert scope == f"{live_server.url}/groupes/"
