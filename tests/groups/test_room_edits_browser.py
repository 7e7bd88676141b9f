"""Two members in two browser contexts: an edit, a reply, a jump and a deletion, live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from groups import services
from groups.models import Message

from .room_client import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contexts(_playwright_browser):
    opened = []
    yield opened
    for context in opened:
        context.close()


def _open_room(browser, contexts, server: str, user, group):
    context = browser.new_context(
        base_url=server, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    contexts.append(context)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": server}])
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete this message?"
    page.goto(f"/groupes/{group.pk}/salon/")
    expect(page.locator("#room-status")).to_have_text("Connecté")
    return page


def _act(message, action: str) -> None:
    """Open the message's actions menu and choose one."""
    message.locator("details.room-actions > summary").click()
    message.locator(action).click()


def test_an_edit_a_reply_and_a_deletion_appear_live_and_a_reply_jumps_to_its_original(
    _playwright_browser, contexts, server, group, alice, bob
):
    # An old message far above the first page, and a recent reply to it.
    for n in range(1, 121):
        Message.objects.create(group=group, seq=n, author=alice, body=f"ancien {n}")
    group.last_seq = 120
    group.save(update_fields=["last_seq"])
    services.room_message_post(
        group_id=group.pk, actor=bob, body="Je réponds", reply_to_seq=1, broadcast=False
    )
    alice_page = _open_room(_playwright_browser, contexts, server, alice, group)
    bob_page = _open_room(_playwright_browser, contexts, server, bob, group)

    # The original is not on the page: the quote loads the page around it and shows it.
    expect(bob_page.locator("#m1")).to_have_count(0)
    bob_page.locator("#m121 .room-quote").click()
    expect(bob_page.locator("#m1 .room-body")).to_have_text("ancien 1")
    expect(bob_page.locator("#m1")).to_be_in_viewport()
    # Between that page (1-50) and the latest one (72-121), a button loads the rest.
    gap = bob_page.locator("#room-messages li.room-gap button")
    expect(gap).to_have_count(1)
    gap.click()
    expect(bob_page.locator("#m60")).to_have_count(1)
    expect(gap).to_have_count(0)

    alice_page.locator("#room-input").fill("Réunion à 18h")
    alice_page.locator("#room-input").press("Enter")
    mine = alice_page.locator("#m122")
    expect(mine.locator(".room-body")).to_have_text("Réunion à 18h")
    theirs = bob_page.locator("#m122")
    expect(theirs.locator(".room-body")).to_have_text("Réunion à 18h")
    # Only one's own messages can be edited or deleted.
    expect(theirs.locator(".room-edit, .room-delete")).to_have_count(0)

    _act(mine, ".room-edit")
    expect(alice_page.locator("#room-input")).to_have_value("Réunion à 18h")
    alice_page.locator("#room-input").fill("Réunion à 19h")
    alice_page.locator("#room-input").press("Enter")
    expect(theirs.locator(".room-body")).to_have_text("Réunion à 19h")
    expect(theirs.locator(".room-edited")).to_be_visible()
    assert Message.objects.get(group=group, seq=122).body == "Réunion à 19h"

    _act(theirs, ".room-reply")
    bob_page.locator("#room-input").fill("J'y serai")
    bob_page.locator("#room-input").press("Enter")
    reply = alice_page.locator("#m123")
    expect(reply.locator(".room-body")).to_have_text("J'y serai")
    expect(reply.locator(".room-quote")).to_contain_text("Réunion à 19h")
    expect(reply.locator(".room-quote")).to_contain_text("Alice")

    _act(mine, ".room-delete")
    expect(theirs.locator(".room-deleted")).to_be_visible()
    expect(theirs).not_to_contain_text("19h")
    bob_reply = bob_page.locator("#m123 .room-quote")
    expect(bob_reply).to_have_class("room-quote room-quote-gone")
    expect(bob_reply).not_to_contain_text("19h")
    assert Message.objects.get(group=group, seq=122).deleted_at is not None
