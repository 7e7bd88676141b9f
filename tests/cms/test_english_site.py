"""The English site's own pages: association texts in English where written, marked as
French where not; the showcase's editions in the English tree; one map per language."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Locale

from groups.pitches import services as pitch_services
from groups.pitches.models import ShowcaseEditionPage, ShowcasePage
from lottery import services as lottery_services
from tests.cms.test_crawlers import sitemap_urls
from tests.factories import UserFactory, en
from tests.groups.factories import GroupFactory, GroupMemberFactory
from tests.groups.pitches.conftest import GOOD
from tests.lottery.factories import LotteryFactory, PrizeFactory, manager_of, open_lottery

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_home(home_page):
    english, _ = Locale.objects.get_or_create(language_code="en")
    home = home_page.copy_for_translation(english)
    home.title = "Home"
    home.save_revision().publish()
    return home


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_a_lottery_in_english_where_its_association_wrote_it_and_marked_french_elsewhere(
    client, home_page
):
    lottery = LotteryFactory(
        title="Tombola du printemps",
        title_en="Spring raffle",
        description="Pour financer nos ateliers.",
        description_en="To fund our workshops.",
    )
    PrizeFactory(lottery=lottery, name="Un vélo", name_en="A bicycle")
    PrizeFactory(lottery=lottery, name="Un panier garni")
    lottery_services.lottery_request_open(lottery=lottery, actor=None)
    # Addresses first: after an English request the test's thread reads English.
    url, index_url = lottery.get_absolute_url(), reverse("lottery:index")

    english = soup(client.get(en(url)))
    assert english.h1.get_text(strip=True) == "Spring raffle" and not english.h1.get("lang")
    assert english.select_one(".lead").get_text(strip=True) == "To fund our workshops."
    assert not english.select(".language-note")  # both texts have their English version
    names = {el.get_text(strip=True): el.get("lang") for el in english.select(".prize h3 span")}
    assert names == {"A bicycle": None, "Un panier garni": "fr"}
    assert english.title.get_text().startswith("Spring raffle")

    french = soup(client.get(url))
    assert french.h1.get_text(strip=True) == "Tombola du printemps"
    assert "Un vélo" in french.select_one(".prize-list").get_text()
    assert not french.select("main [lang=fr]") and not french.select(".language-note")

    # Without an English description, the French one is shown, marked, with a note.
    lottery.description_en = ""
    lottery.save(update_fields=["description_en"])
    english = soup(client.get(en(url)))
    lead = english.select_one(".lead")
    assert lead["lang"] == "fr" and lead.get_text(strip=True) == "Pour financer nos ateliers."
    assert english.select_one(".language-note").get_text(strip=True) == (
        "In French: no English version yet."
    )
    # The lottery index card names it in English.
    index = soup(client.get(en(index_url)))
    assert "Spring raffle" in index.select_one("main").get_text()


def test_a_group_page_and_the_directory_in_english_with_the_french_marked(client, home_page):
    group = GroupFactory(title="Pitch LinkedIn", title_en="LinkedIn pitch", description="Relire.")
    page = soup(client.get(en(group.get_absolute_url())))
    assert page.h1.get_text(strip=True) == "LinkedIn pitch" and not page.h1.get("lang")
    assert page.select_one("p[lang=fr]").get_text(strip=True) == "Relire."
    assert page.select_one(".language-note")
    directory = soup(client.get(en(reverse("groups:directory"))))
    link = directory.find("a", string="LinkedIn pitch")
    assert link and not link.get("lang")


def test_managers_write_the_english_versions_and_may_change_them_while_on_sale(client):
    lottery = open_lottery(title="Tombola", description="Texte.")
    client.force_login(manager_of(lottery.association))
    url = reverse("lottery:manage_edit", args=[lottery.association.slug, lottery.slug])
    form = client.get(url).context["form"]
    assert not form.fields["title_en"].disabled and not form.fields["description_en"].disabled
    data = {
        name: form[name].value() or "" for name in form.fields if not form.fields[name].disabled
    }
    data.update(title_en="Raffle", description_en="Text.")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    lottery.refresh_from_db()
    assert (lottery.title_en, lottery.description_en) == ("Raffle", "Text.")


def _published_edition():
    group = GroupFactory()
    author, peer, facilitator = (UserFactory(display_name=n) for n in ("Awa", "Paul", "Fanny"))
    GroupMemberFactory(group=group, user=author)
    GroupMemberFactory(group=group, user=peer)
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    group.facilitator = facilitator
    group.save(update_fields=["facilitator"])
    pitch = pitch_services.pitch_save(actor=author, group=group, **GOOD)
    pitch_services.pitch_submit(actor=author, pitch=pitch)
    version = pitch.versions.get()
    pitch_services.pitch_comment_add(actor=peer, version=version, body="Clair.")
    pitch_services.pitch_mark_ready(actor=peer, version=version)
    pitch = pitch_services.pitch_approve(actor=facilitator, pitch=pitch)
    return pitch_services.showcase_publish(
        association_id=group.association_id, now=pitch.approved_at + dt.timedelta(days=8)
    )


def test_each_edition_is_also_in_the_english_tree_and_listed_there(client, english_home):
    edition = _published_edition()

    showcase_fr = ShowcasePage.objects.get(locale__language_code="fr")
    showcase_en = ShowcasePage.objects.get(locale__language_code="en")
    assert showcase_en.live and showcase_en.title == "The coup de pouce showcase"
    assert showcase_en.url == "/en" + showcase_fr.url
    edition_en = ShowcaseEditionPage.objects.get(locale__language_code="en")
    assert edition_en.translation_key == edition.page.translation_key
    assert edition_en.url == "/en" + edition.page.url

    listing = soup(client.get(showcase_en.url))
    assert [a["href"] for a in listing.select("main li a")] == [edition_en.url]
    page = soup(client.get(edition_en.url))
    assert "Awa" in page.select_one("main").get_text()
    assert page.html["lang"] == "en"


def test_an_edition_without_an_english_tree_stays_in_french_only(client, home_page):
    edition = _published_edition()
    assert ShowcaseEditionPage.objects.count() == 1
    assert client.get(edition.page.url).status_code == 200


def test_the_english_map_lists_the_english_addresses(client, english_home):
    lottery = open_lottery(title="Tombola ouverte")
    paths = {urlsplit(url).path for url in sitemap_urls(client, "en")}
    assert "/en/" in paths
    assert en(lottery.get_absolute_url()) in paths
    assert en(reverse("lottery:index")) in paths
    assert not any(path == lottery.get_absolute_url() for path in paths)
    french = {urlsplit(url).path for url in sitemap_urls(client, "fr")}
    assert "/" in french and lottery.get_absolute_url() in french
    assert not any(path.startswith("/en/") for path in french)
    assert client.get("/sitemap-de.xml").status_code == 404
