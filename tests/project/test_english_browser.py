"""In Chromium, the English site from /en/: the home, the lottery index, a lottery page and
the showcase, with no French in the site's own words.

"Own words" are the interface's texts: every French translation in the catalogue is looked
for in what the page shows, leaving out what the page marks `lang="fr"` (an association's
text that has no English version yet, which the page says).
"""

import datetime as dt
import gettext
import re
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from cms.demo import demo_site_create
from groups.models import GroupMembership
from groups.pitches import services as pitch_services
from lottery import services as lottery_services
from tests.factories import UserFactory
from tests.groups.factories import GroupFactory, GroupMemberFactory
from tests.groups.pitches.conftest import GOOD
from tests.lottery.factories import LotteryFactory, PrizeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Placeholders and markup split a translation into the phrases a page can show.
PIECES = re.compile(r"%\([^)]*\)[sd]|%[sd%]|\{[^}]*\}|<[^>]+>|\n")


@cache
def french_phrases() -> frozenset[str]:
    """Phrases of the French catalogue that differ from English: two words or more, not
    found in any English source text (names such as "Mastodon" are the same in both)."""
    mo = Path(django_settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001
    english = " ".join(key[0] if isinstance(key, tuple) else key for key in catalogue if key)
    phrases = set()
    for text in catalogue.values():
        for piece in PIECES.split(text):
            piece = piece.strip(" .,:;!?()«»“”\"'")
            if len(piece) >= 8 and " " in piece and piece not in english:
                phrases.add(piece)
    return frozenset(phrases)


# The page's text, without what is marked as French (and without scripts and styles).
VISIBLE_TEXT = """() => {
  const parts = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { parts.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.getAttribute('lang') === 'fr') return;  // and all it holds
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT'].includes(node.tagName)) return;
    if (node.getAttribute('aria-label')) parts.push(node.getAttribute('aria-label'));
    if (node.getAttribute('placeholder')) parts.push(node.getAttribute('placeholder'));
    if (node.getAttribute('alt')) parts.push(node.getAttribute('alt'));
    node.childNodes.forEach(walk);
  };
  walk(document.body);
  return parts.join(' ').replace(/\\s+/g, ' ');
}"""


def assert_no_french(page) -> None:
    assert page.locator("html").get_attribute("lang") == "en", page.url
    text = page.evaluate(VISIBLE_TEXT)
    found = sorted(phrase for phrase in french_phrases() if phrase in text)
    assert not found, f"{page.url} shows French interface text: {found}"


def test_the_english_site_from_its_home_to_a_lottery_and_the_showcase(
    _playwright_browser, live_server, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    demo_site_create(log=lambda message: None)
    lottery = LotteryFactory(
        title="Tombola des ateliers",
        title_en="The workshops' raffle",
        description="Chaque billet finance nos ateliers.",
        ticket_price_cents=300,
        ticket_cap=40,
    )
    PrizeFactory(lottery=lottery, name="Un vélo", name_en="A bicycle")
    PrizeFactory(lottery=lottery, name="Un panier garni")  # no English name
    lottery_services.lottery_request_open(lottery=lottery, actor=None)

    group = GroupFactory(association=lottery.association, title="Groupe LinkedIn")
    author, peer, facilitator = (UserFactory(display_name=n) for n in ("Awa", "Paul", "Fanny"))
    GroupMemberFactory(group=group, user=author)
    GroupMemberFactory(group=group, user=peer)
    GroupMemberFactory(group=group, user=facilitator, role=GroupMembership.Role.FACILITATOR)
    group.facilitator = facilitator
    group.save(update_fields=["facilitator"])
    pitch = pitch_services.pitch_save(actor=author, group=group, **GOOD)
    pitch_services.pitch_submit(actor=author, pitch=pitch)
    version = pitch.versions.get()
    pitch_services.pitch_comment_add(actor=peer, version=version, body="Clair et précis.")
    pitch_services.pitch_mark_ready(actor=peer, version=version)
    pitch = pitch_services.pitch_approve(actor=facilitator, pitch=pitch)
    edition = pitch_services.showcase_publish(
        association_id=group.association_id, now=pitch.approved_at + dt.timedelta(days=8)
    )

    context = _playwright_browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto("/en/")
    assert_no_french(page)
    page.locator("#main-nav").get_by_role("link", name="Lotteries", exact=True).click()
    page.wait_for_url("**/en/loteries/")
    assert_no_french(page)

    page.get_by_role("link", name="The workshops' raffle").first.click()
    page.wait_for_url(f"**/en/loteries/{lottery.slug}/")
    expect(page.locator("h1")).to_have_text("The workshops' raffle")
    expect(page.locator("h1")).not_to_have_attribute("lang", "fr")
    # The description has no English version: shown in French, marked, with a note.
    expect(page.locator(".lead[lang=fr]")).to_contain_text("Chaque billet finance nos ateliers.")
    expect(page.locator(".language-note")).to_have_text("In French: no English version yet.")
    expect(page.locator(".prize-list")).to_contain_text("A bicycle")
    expect(page.locator(".prize-list [lang=fr]")).to_have_text("Un panier garni")
    assert_no_french(page)

    page.locator("#main-nav").get_by_role("link", name="The coup de pouce showcase").click()
    page.wait_for_url("**/en/vitrine/")
    assert_no_french(page)
    page.get_by_role("link", name=edition.page.title).click()
    page.wait_for_url(f"**/en{edition.page.url}")
    expect(page.locator("main")).to_contain_text("Awa")
    assert_no_french(page)

    # The switch leads to the same page in French.
    page.locator(".language-menu").get_by_role("link", name="Français").click()
    page.wait_for_url(f"**{edition.page.url}")
    assert page.locator("html").get_attribute("lang") == "fr"
    context.close()
