"""An image shared in the room appears live on another member's page, on a real server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from groups.attachment_models import RoomAttachment

from .images import exif_with_gps, jpeg_bytes
from .room_client import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _room_page(browser, server: str, user, group):
    context = browser.new_context(
        base_url=server, locale="fr-FR", viewport={"width": 1024, "height": 900}
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": server}])
    page = context.new_page()
    page.goto(f"/groupes/{group.pk}/salon/")
    return page


def test_an_image_sent_by_one_member_shows_live_for_the_other(
    _playwright_browser, server, group, alice, bob, tmp_path, artifacts_dir
):
    photo = tmp_path / "banniere.jpg"
    photo.write_bytes(jpeg_bytes((900, 600), exif=exif_with_gps()))
    liar = tmp_path / "notes.png"
    liar.write_bytes(b"pas une image\n" * 40)
    alice_page = _room_page(_playwright_browser, server, alice, group)
    bob_page = _room_page(_playwright_browser, server, bob, group)
    expect(bob_page.locator("#room-present")).to_contain_text("Alice")

    # A text file named .png: refused with a sentence, and nothing appears.
    alice_page.locator("#room-attach-input").set_input_files(str(liar))
    alice_page.locator("#room-attach-send").click()
    expect(alice_page.locator("#room-attach-error")).not_to_be_empty()
    assert not RoomAttachment.objects.exists()

    alice_page.locator("#room-attach-input").set_input_files(str(photo))
    alice_page.locator("#room-attach-caption").fill("Ma nouvelle bannière")
    alice_page.locator("#room-attach-send").click()
    message = bob_page.locator("#room-messages li").last
    expect(message).to_contain_text("Ma nouvelle bannière")
    thumbnail = message.locator("a.room-image img")
    expect(thumbnail).to_have_attribute(
        "src", re.compile(rf"^/groupes/{group.pk}/salon/images/\d+/miniature/$")
    )
    # Sent to Bob (a member), and decoded by his browser.
    bob_page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    expect(alice_page.locator("#room-attach-error")).to_be_empty()
    expect(alice_page.locator("#room-messages li").last.locator("a.room-image img")).to_be_visible()

    bob_page.screenshot(path=str(artifacts_dir / "groups-room-image-thumbnail.png"), full_page=True)
    thumbnail.click()
    full = bob_page.locator("#room-image-dialog img")
    expect(bob_page.locator("#room-image-dialog")).to_be_visible()
    bob_page.wait_for_function(
        "img => img.complete && img.naturalWidth === 900", arg=full.element_handle()
    )
    bob_page.screenshot(path=str(artifacts_dir / "groups-room-image.png"))
    alice_page.context.close()
    bob_page.context.close()
