"""The room page in a phone-sized browser: moderation by the facilitator, and catching up.

Each person has their own browser context on a real ASGI server. The facilitator is a
member with the facilitator's role, not an association admin: the room page is where
they moderate.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from groups import selectors, services
from groups.models import GroupMembership, MessageReport
from tests.factories import UserFactory

from .factories import GroupMemberFactory
from .room_client import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contexts(_playwright_browser):
    opened = []
    yield opened
    for context in opened:
        context.close()


def _open_room(browser, contexts, server: str, user, group, *, before_load=None):
    context = browser.new_context(
        base_url=server, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    contexts.append(context)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": server}])
    page = context.new_page()
    if before_load:
        before_load(page)
    page.goto(f"/groupes/{group.pk}/salon/")
    expect(page.locator("#room-status")).to_have_text("Connecté")
    return page


def _post(page, body: str) -> None:
    page.locator("#room-input").fill(body)
    page.locator("#room-input").press("Enter")
    expect(page.locator("#room-messages li .room-body").last).to_have_text(body)


def _bodies(page) -> list[str]:
    return page.locator("#room-messages li .room-body").all_text_contents()


def _fits_the_phone(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the phone"


# --- Moderation by the facilitator --------------------------------------------------------


def test_the_facilitator_mutes_a_member_from_the_room_with_the_keyboard(
    _playwright_browser, contexts, server, group, facilitator, alice, bob, artifacts_dir
):
    assert not selectors.group_can_manage(user=facilitator, group=group)
    for n in range(1, 49):  # 50 members: the list stays usable through its filter
        GroupMemberFactory(group=group, user=UserFactory(display_name=f"Membre {n:02d}"))
    mod = _open_room(_playwright_browser, contexts, server, facilitator, group)
    member = _open_room(_playwright_browser, contexts, server, alice, group)
    _post(member, "Bonjour à tous")
    # Hiding is in the facilitator's message menu, not in a member's.
    expect(mod.locator("#m1 .room-actions .room-hide")).to_have_count(1)
    expect(member.locator("#m1 .room-actions .room-hide")).to_have_count(0)
    expect(member.locator("#m1 .room-actions .room-edit")).to_have_count(1)

    panel = mod.get_by_role("region", name="Membres")
    rows = panel.locator("li[data-user-id]")
    expect(rows).to_have_count(50)
    search = panel.locator("#room-member-filter")
    search.fill("membre 1")
    expect(panel.locator("li[data-user-id]:visible")).to_have_count(10)  # Membre 10 … 19
    search.fill("ALI")
    expect(panel.locator("li[data-user-id]:visible")).to_have_count(1)
    expect(panel.locator("li[data-name=Alice]")).to_be_visible()
    search.fill("")
    expect(panel.locator("li[data-user-id]:visible")).to_have_count(50)
    choice = panel.get_by_label("Mettre Alice en silence pendant…")
    expect(choice.locator("option")).to_have_text(
        ["15 minutes", "1 heure", "24 heures", "Lever le silence"]
    )
    # Keyboard only: focus the choice, pick "1 heure", Tab to its button, Enter.
    choice.focus()
    mod.keyboard.press("ArrowDown")
    expect(choice).to_have_value("60")
    mod.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Appliquer — Alice")).to_be_focused()
    mod.keyboard.press("Enter")
    expect(panel.locator("#room-members-result")).to_contain_text("Alice est en silence jusqu'au")
    expect(panel.locator("li[data-name=Alice]")).to_contain_text("en silence jusqu'au")
    _fits_the_phone(mod)
    mod.screenshot(path=str(artifacts_dir / "groups-room-moderation-phone.png"), full_page=True)

    expect(member.locator("#room-status")).to_contain_text("Vous êtes en silence jusqu'au")
    member.locator("#room-input").fill("Je peux encore parler ?")
    member.locator("#room-input").press("Enter")
    expect(member.locator("#room-error")).to_have_text(
        "Une personne de la modération vous a réduit au silence pour un moment."
    )
    assert _bodies(mod) == ["Bonjour à tous"]
    muted_until = GroupMembership.objects.get(group=group, user=alice).muted_until
    assert muted_until is not None

    # A refusal reaches the moderator as the server's message: Bob left meanwhile.
    services.group_leave(group=group, actor=bob)
    panel.get_by_role("button", name="Appliquer — Bob").click()
    expect(panel.locator("#room-members-result")).to_have_text(
        "Cette personne n'est pas dans le groupe."
    )

    # Lifting the mute lets Alice post again.
    choice.select_option("0")
    panel.get_by_role("button", name="Appliquer — Alice").click()
    expect(panel.locator("#room-members-result")).to_have_text("Alice peut de nouveau écrire.")
    expect(member.locator("#room-status")).to_have_text("Connecté")
    _post(member, "Merci, je reviens")
    expect(mod.locator("#room-messages li .room-body").last).to_have_text("Merci, je reviens")


def test_the_facilitator_removes_a_member_after_confirming(
    _playwright_browser, contexts, server, group, facilitator, alice, bob
):
    mod = _open_room(_playwright_browser, contexts, server, facilitator, group)
    member = _open_room(_playwright_browser, contexts, server, alice, group)
    expect(mod.locator("#room-present")).to_contain_text("Alice")
    panel = mod.get_by_role("region", name="Membres")
    remove = panel.get_by_role("button", name="Retirer Alice du groupe")
    dialog = mod.get_by_role("dialog")

    # A destructive action asks first; Escape cancels and nothing happens.
    remove.click()
    expect(dialog).to_contain_text("Retirer Alice du groupe ?")
    expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()
    mod.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(member.locator("#room-status")).to_have_text("Connecté")
    assert GroupMembership.objects.filter(group=group, user=alice).exists()

    remove.click()
    dialog.get_by_role("button", name="Retirer du groupe").click()
    expect(panel.locator("#room-members-result")).to_have_text("Alice a été retiré·e du groupe.")
    expect(panel.locator("li[data-name=Alice]")).to_have_count(0)
    expect(panel.locator("li[data-name=Bob]")).to_have_count(1)

    # Alice's page says so, stops reconnecting and no longer sends.
    expect(member.locator("#room-status")).to_have_text("Vous avez été retiré·e de ce groupe.")
    expect(member.locator("#room-form button[type=submit]")).to_be_disabled()
    expect(mod.locator("#room-present")).not_to_contain_text("Alice")
    assert not GroupMembership.objects.filter(group=group, user=alice).exists()
    assert member.reload().status == 403


def test_a_report_reaches_the_facilitator_who_hides_one_message_and_dismisses_another(
    _playwright_browser, contexts, server, group, facilitator, alice, bob, artifacts_dir
):
    mod = _open_room(_playwright_browser, contexts, server, facilitator, group)
    author = _open_room(_playwright_browser, contexts, server, alice, group)
    reporter = _open_room(_playwright_browser, contexts, server, bob, group)
    reports = mod.get_by_role("region", name=re.compile("^Signalements"))
    expect(reports.locator("#room-reports-empty")).to_be_visible()
    _post(author, "Un message déplacé")
    _post(author, "Un message discutable")

    for text in ("Un message déplacé", "Un message discutable"):
        message = reporter.locator("#room-messages li", has_text=text)
        message.locator("details.room-actions > summary").click()
        message.get_by_role("button", name="Signaler").click()
        expect(reporter.locator("#room-error")).to_have_text("Signalé à la modération.")
    # Live, without reloading: each report, its excerpt, who reported.
    expect(reports.locator("li.room-report")).to_have_count(2)
    first = reports.locator("li.room-report[data-seq='1']")
    expect(first).to_contain_text("Un message déplacé")
    expect(first).to_contain_text("Signalé par Bob")
    expect(reports.locator("#room-reports-count")).to_have_text("(2)")
    expect(reports.locator("#room-reports-empty")).to_be_hidden()
    _fits_the_phone(mod)
    mod.screenshot(path=str(artifacts_dir / "groups-room-reports-phone.png"), full_page=True)

    first.get_by_role("button", name="Masquer le message #1").click()
    expect(reports.locator("#room-reports-result")).to_have_text(
        "Message masqué ; ses signalements sont classés."
    )
    expect(reports.locator("li.room-report")).to_have_count(1)
    hidden = author.locator("#room-messages li[data-seq='1']")
    expect(hidden.locator(".room-hidden")).to_have_text("Message masqué par la modération.")

    second = reports.locator("li.room-report[data-seq='2']")
    second.get_by_role("button", name=re.compile("^Classer")).click()
    expect(mod.locator(".messages")).to_contain_text(
        "Les signalements du message n° 2 sont classés."
    )
    expect(mod.locator("#room-reports-empty")).to_be_visible()
    expect(mod.locator("#room-messages li[data-seq='2'] .room-body")).to_have_text(
        "Un message discutable"
    )
    assert not MessageReport.objects.filter(resolved_at__isnull=True).exists()


# --- Catching up after the network went away or the laptop slept --------------------------


def test_back_online_the_page_shows_what_it_missed_in_order_once(
    _playwright_browser, contexts, server, group, alice, bob
):
    away = _open_room(_playwright_browser, contexts, server, alice, group)
    here = _open_room(_playwright_browser, contexts, server, bob, group)
    _post(here, "Avant la coupure")
    expect(away.locator("#room-messages li .room-body")).to_have_text(["Avant la coupure"])

    away.context.set_offline(True)
    expect(away.locator("#room-status")).to_have_text("Connexion perdue ; reconnexion…")
    missed = [f"Pendant la coupure {n}" for n in range(1, 6)]
    for body in missed:
        _post(here, body)
    away.wait_for_timeout(1000)
    assert _bodies(away) == ["Avant la coupure"]  # nothing reached the page meanwhile

    away.context.set_offline(False)
    expect(away.locator("#room-messages li .room-body")).to_have_text(["Avant la coupure", *missed])
    expect(away.locator("#room-status")).to_have_text("À jour : les messages manqués sont chargés.")
    seqs = away.locator("#room-messages li[data-seq]").evaluate_all(
        "els => els.map(e => e.dataset.seq)"
    )
    assert seqs == ["1", "2", "3", "4", "5", "6"]
    # And the live flow goes on over the new socket.
    _post(here, "Après la coupure")
    expect(away.locator("#room-messages li .room-body")).to_have_count(7)
    assert _bodies(away)[-1] == "Après la coupure"


# The machine gives no "offline"/"online" event: only time stood still, then jumped.
SILENT_NETWORK = """
for (const kind of ["online", "offline"]) {
  window.addEventListener(kind, (event) => event.stopImmediatePropagation(), true);
}
"""


def test_after_the_laptop_slept_the_page_finds_its_dead_socket_and_catches_up(
    _playwright_browser, contexts, server, group, alice, bob
):
    def sleepy(page):
        page.add_init_script(SILENT_NETWORK)
        page.clock.install()

    away = _open_room(_playwright_browser, contexts, server, alice, group, before_load=sleepy)
    here = _open_room(_playwright_browser, contexts, server, bob, group)
    _post(here, "Avant la veille")
    expect(away.locator("#room-messages li .room-body")).to_have_text(["Avant la veille"])

    # The lid closes: frames stop reaching the page, and its socket still looks open.
    away.context.set_offline(True)
    missed = [f"Pendant la veille {n}" for n in range(1, 4)]
    for body in missed:
        _post(here, body)
    away.wait_for_timeout(500)
    expect(away.locator("#room-status")).to_have_text("Connecté")
    # Minutes later the lid opens: timers fire late, the heartbeat goes unanswered.
    away.clock.fast_forward("05:00")
    away.clock.fast_forward("00:06")  # the heartbeat's answer is late: the socket is dead
    expect(away.locator("#room-status")).to_have_text(
        "Connexion perdue ; reconnexion…", timeout=15_000
    )
    away.context.set_offline(False)

    expect(away.locator("#room-messages li .room-body")).to_have_text(["Avant la veille", *missed])
    seqs = away.locator("#room-messages li[data-seq]").evaluate_all(
        "els => els.map(e => e.dataset.seq)"
    )
    assert seqs == ["1", "2", "3", "4"]
    _post(here, "Bon retour")
    expect(away.locator("#room-messages li .room-body")).to_have_count(5)


def test_a_member_sees_no_moderation_panel(
    _playwright_browser, contexts, server, group, alice, facilitator
):
    GroupMemberFactory(group=group, user=UserFactory(display_name="Zoé"))
    page = _open_room(_playwright_browser, contexts, server, alice, group)
    expect(page.locator("#room-members, #room-reports, dialog")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Retirer"))).to_have_count(0)
