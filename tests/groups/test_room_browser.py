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


def test_two_members_see_each_other_type_and_talk(
    _playwright_browser, server, group, alice, bob, artifacts_dir
):
    alice_page = _room_page(_playwright_browser, server, alice, group)
    bob_page = _room_page(_playwright_browser, server, bob, group)
    expect(alice_page.locator("#room-present")).to_contain_text("Bob")
    expect(bob_page.locator("#room-present")).to_contain_text("Alice")

    alice_page.locator("#room-input").press_sequentially("Bonjour Bob, regarde https://example.org")
    expect(bob_page.locator("#room-typing")).to_contain_text("Alice")
    alice_page.locator("#room-input").press("Enter")
    message = bob_page.locator("#room-messages li").last
    expect(message).to_contain_text("Bonjour Bob, regarde")
    expect(message.locator("a")).to_have_attribute("href", "https://example.org")
    expect(alice_page.locator("#room-input")).to_have_value("")

    # Bob answers with the keyboard only: focus the box, type, Enter.
    bob_page.locator("#room-input").focus()
    bob_page.keyboard.type("Merci Alice")
    bob_page.keyboard.press("Enter")
    expect(alice_page.locator("#room-messages li").last).to_contain_text("Merci Alice")

    payload = '<img src=x onerror="window.hacked=1"><b>gras</b>'
    alice_page.locator("#room-input").fill(payload)
    alice_page.locator("#room-form button[type=submit]").click()
    last = bob_page.locator("#room-messages li").last
    expect(last.locator(".room-body")).to_have_text(payload)
    assert bob_page.locator("#room-messages img, #room-messages b").count() == 0
    assert bob_page.evaluate("window.hacked") is None
    bob_page.screenshot(path=str(artifacts_dir / "groups-room-phone.png"), full_page=True)
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
