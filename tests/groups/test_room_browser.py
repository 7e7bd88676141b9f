"""Two members in two browser contexts, in the room page, on a real ASGI server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .room_client import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _room_page(browser, server: str, user, group):
    context = browser.new_context(
        base_url=server, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": server}])
    page = context.new_page()
    page.goto(f"/groupes/{group.pk}/salon/")
    return page


def _hide_tab(page, hidden: bool) -> None:
    """What the browser does when the tab goes to the background (or comes back)."""
    state = "hidden" if hidden else "visible"
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_two_members_see_each_other_type_and_talk(
    _playwright_browser, server, group, alice, bob, artifacts_dir
):
    from datetime import timedelta

    from django.utils import timezone

    from groups.models import Message

    # Yesterday's message: the room shows the day it was written.
    old = Message.objects.create(group=group, seq=1, author=bob, body="Bonne soirée")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    group.last_seq = 1
    group.save(update_fields=["last_seq"])
    alice_page = _room_page(_playwright_browser, server, alice, group)
    bob_page = _room_page(_playwright_browser, server, bob, group)
    expect(alice_page.locator("#room-present")).to_contain_text("Bob")
    expect(bob_page.locator("#room-present")).to_contain_text("Alice")

    alice_page.locator("#room-input").press_sequentially("Bonjour Bob, regarde https://example.org")
    expect(bob_page.locator("#room-typing")).to_contain_text("Alice")
    alice_page.locator("#room-input").press("Enter")
    message = bob_page.locator("#m2")
    expect(message).to_contain_text("Bonjour Bob, regarde")
    expect(message.locator("a")).to_have_attribute("href", "https://example.org")
    expect(alice_page.locator("#room-input")).to_have_value("")

    # Bob answers with the keyboard only: focus the box, type, Enter.
    bob_page.locator("#room-input").focus()
    bob_page.keyboard.type("Merci Alice")
    bob_page.keyboard.press("Enter")
    expect(alice_page.locator("#m3 .room-body")).to_have_text("Merci Alice")

    payload = '<img src=x onerror="window.hacked=1"><b>gras</b>'
    alice_page.locator("#room-input").fill(payload)
    alice_page.locator("#room-form button[type=submit]").click()
    last = bob_page.locator("#m4")
    expect(last.locator(".room-body")).to_have_text(payload)
    assert bob_page.locator("#room-messages img, #room-messages b").count() == 0
    assert bob_page.evaluate("window.hacked") is None

    # "@" offers the members by name; the keyboard picks one; the named member sees it marked.
    box = alice_page.locator("#room-input")
    box.press_sequentially("@b")
    options = alice_page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_text(["Bob"])
    expect(box).to_have_attribute("aria-activedescendant", "room-mention-0")
    box.press("Escape")
    expect(alice_page.get_by_role("listbox")).to_be_hidden()
    box.press("Backspace")
    box.press_sequentially("B")
    box.press("Tab")
    expect(box).to_have_value("@Bob ")
    box.press_sequentially("tu viens ?")
    box.press("Enter")
    mention = bob_page.locator("#m5")
    expect(mention.locator("mark.room-mention")).to_have_text("@Bob")
    expect(mention).to_have_class(re.compile(r"\broom-mentioned\b"))
    expect(alice_page.locator("#m5 .room-body")).to_have_text("@Bob tu viens ?")
    expect(alice_page.locator("#m5 mark")).to_have_count(0)  # highlighted for Bob only

    # A chat: days apart, one person's consecutive messages as one block, HH:MM times.
    days = bob_page.locator("#room-messages li.room-day")
    expect(days).to_have_count(2)
    # Their dates, and the words for them (whatever the catalogue says): never the same.
    dates, expected = bob_page.evaluate(
        """() => {
            const key = d => d.toISOString().slice(0, 10);
            const local = d => new Date(d.getTime() - d.getTimezoneOffset() * 60000);
            const now = new Date();
            return [
                [...document.querySelectorAll("#room-messages li.room-day time")]
                    .map(t => t.dateTime),
                [key(local(new Date(now - 864e5))), key(local(now))],
            ];
        }"""
    )
    assert dates == expected
    labels = days.all_text_contents()
    assert labels[1] == "Aujourd’hui" and labels[0] not in ("", labels[1])
    seqs = bob_page.locator("#room-messages > li").evaluate_all(
        "els => els.map(e => e.dataset.seq || e.className)"
    )
    assert seqs == ["room-day", "1", "room-day", "2", "3", "4", "5"]
    grouped = bob_page.locator("#room-messages li.room-cont").evaluate_all(
        "els => els.map(e => e.dataset.seq)"
    )
    assert grouped == ["5"]  # Alice twice in a row; Bob in between breaks the block
    expect(bob_page.locator("#m2 .room-avatar")).to_have_text("A")
    when = bob_page.locator("#m2 time")
    expect(when).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(when).to_have_attribute("title", re.compile(r"20\d\d"))
    assert when.get_attribute("datetime") == bob_page.locator("#m2").get_attribute("data-at")

    # One reaction button opens the picker; the other member sees it live, and who.
    assert bob_page.locator("#m2 button.room-pick").count() == 6
    opener = bob_page.locator("#m2 button.room-react-open")
    opener.click()
    expect(opener).to_have_attribute("aria-expanded", "true")
    bob_page.locator("#m2 .room-picker").get_by_role("button", name="🎉").click()
    expect(bob_page.locator("#m2 .room-picker")).to_be_hidden()
    chip = alice_page.locator("#m2 .room-reaction")
    expect(chip).to_have_text("🎉 1")
    expect(chip).to_have_attribute("title", "Bob")

    # The actions menu, with the keyboard: open, the first action has the focus, Escape.
    menu = bob_page.locator("#m4 details.room-actions")
    menu.locator("summary").focus()
    bob_page.keyboard.press("Enter")
    expect(menu.locator(".room-reply")).to_be_focused()
    expect(menu.locator(".room-report")).to_be_visible()
    expect(menu.locator(".room-edit")).to_have_count(0)  # not Bob's message
    bob_page.keyboard.press("Escape")
    expect(menu.locator(".room-reply")).to_be_hidden()
    menu.locator("summary").click()
    menu.locator(".room-reply").click()
    expect(bob_page.locator("#room-composing")).to_contain_text("Alice")
    bob_page.locator("#room-composing button").click()

    # Away from the tab, its title counts what came; back, the count goes.
    title = alice_page.title()
    _hide_tab(alice_page, True)
    for body in ("Un", "Deux"):
        bob_page.locator("#room-input").fill(body)
        bob_page.locator("#room-input").press("Enter")
    expect(alice_page.locator("#m7 .room-body")).to_have_text("Deux")
    assert alice_page.title() == f"(2) {title}"
    _hide_tab(alice_page, False)
    assert alice_page.title() == title

    # On the phone the message box is on screen, without scrolling, with the history.
    for page in (alice_page, bob_page):
        # Clicks above scrolled the page; someone arriving starts at its top.
        page.evaluate("window.scrollTo(0, 0)")
        page.reload()
        expect(page.locator("#m7")).to_have_count(1)
        assert page.evaluate("window.scrollY") == 0
        form = page.locator("#room-form").bounding_box()
        assert form["y"] >= 0 and form["y"] + form["height"] <= 844, form
        expect(page.locator("#room-input")).to_be_in_viewport(ratio=1)
        expect(page.locator("#room-form button[type=submit]")).to_be_in_viewport(ratio=1)
    bob_page.screenshot(path=str(artifacts_dir / "groups-room-phone.png"), full_page=True)
    # The keyboard opens (what is visible shrinks): the box stays right above it.
    alice_page.locator("#room-input").focus()
    alice_page.set_viewport_size({"width": 390, "height": 480})
    expect(alice_page.locator("#room-input")).to_be_in_viewport(ratio=1)
    expect(alice_page.locator("#room-form button[type=submit]")).to_be_in_viewport(ratio=1)
    expect(alice_page.locator("#m7")).to_be_in_viewport()
    listed = alice_page.locator("#room-messages").bounding_box()
    assert listed["y"] >= 0 and listed["height"] > 240, listed  # the list fills what is left
    alice_page.keyboard.type("Toujours là")
    alice_page.keyboard.press("Enter")
    expect(bob_page.locator("#m8 .room-body")).to_have_text("Toujours là")
    expect(alice_page.locator("#m8")).to_be_in_viewport()
    alice_page.screenshot(path=str(artifacts_dir / "groups-room-phone-keyboard.png"))
    alice_page.context.close()
    bob_page.context.close()


def test_a_winner_of_a_seat_prize_finds_the_group_on_their_account_page(
    browser_page, password, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from groups.models import GroupSeatPrize
    from lottery import services
    from tests.factories import UserFactory
    from tests.lottery.factories import PrizeFactory, open_lottery, paid_order

    from .factories import GroupFactory

    group = GroupFactory(title="Pitch X des indépendants")
    lottery = open_lottery(association=group.association, ticket_cap=10)
    lottery.prizes.all().delete()
    prize = PrizeFactory(lottery=lottery, rank=1, quantity=1)
    GroupSeatPrize.objects.create(prize=prize, group=group)
    winner = UserFactory()
    paid_order(lottery=lottery, buyer=winner, quantity=1)  # the only ticket sold: it wins
    assert services.lottery_close(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.ledger_seal(lottery_id=lottery.pk)
        services.draw_perform(lottery_id=lottery.pk, now=lottery.draw_at + timedelta(minutes=1))

    page = browser_page
    page.goto("/accounts/login/")
    page.fill("input[name=login]", winner.email)
    page.fill("input[name=password]", password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))
    panel = page.locator("section[aria-labelledby=my-groups-title]")
    expect(panel).to_contain_text("Pitch X des indépendants")
    expect(panel.get_by_role("button", name="Décliner cette place")).to_be_visible()
    panel.get_by_role("link", name="Pitch X des indépendants").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pitch X des indépendants")
