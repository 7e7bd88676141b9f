"""CMS pages in English: Wagtail's localisation, the demo's English pages, the switch."""

from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Locale, Page

from cms.management.commands import demo_data
from cms.models import ArticleIndexPage, ContentPage, HomePage
from tests.factories import staff_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_site(monkeypatch, settings):
    settings.DEBUG = True
    monkeypatch.setattr(demo_data, "DEMO_STEPS", [])
    call_command("demo_data", stdout=StringIO())


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def texts(html: bytes, selector: str) -> list[str]:
    return [el.get_text(strip=True) for el in BeautifulSoup(html, "html.parser").select(selector)]


def test_demo_ships_english_home_about_and_legal_pages(demo_site):
    english = Locale.objects.get(language_code="en")
    french_home = HomePage.objects.get(locale__language_code="fr")
    home = french_home.get_translation(english)
    assert home.live
    assert home.specific.hero_title.startswith("Solidarity lotteries")
    titles = set(
        ContentPage.objects.filter(locale=english, live=True).values_list("title", flat=True)
    )
    assert titles == {"About", "Legal notice", "Privacy", "Terms of use"}
    # A translation keeps its page's address.
    about = ContentPage.objects.get(locale=english, title="About")
    assert about.url == ContentPage.objects.get(locale=french_home.locale, slug="a-propos").url
    # The English home's button and call to action lead to the English about page.
    assert home.specific.hero_cta_page_id == about.pk


def test_demo_translations_are_made_once(demo_site):
    pages = Page.objects.count()
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert Page.objects.count() == pages
    assert "translated" not in out.getvalue()


def test_english_visitor_reads_english_content_and_menus(demo_site, english):
    response = english.get("/")

    assert response["Content-Language"] == "en"
    html = response.content
    assert texts(html, "h1") == ["Solidarity lotteries that grow into peer-learning groups"]
    menu = texts(html, "#main-nav ul:not(.account-menu) a")
    assert "About" in menu and "À propos" not in menu
    assert "Articles" in menu  # not translated: the French page stays in the menu
    footer = texts(html, ".site-footer nav.footer-legal a")
    assert footer == ["Legal notice", "Privacy", "Terms of use"]


def test_french_visitor_still_reads_french(demo_site, client):
    html = client.get("/a-propos/").content
    assert texts(html, "h1") == ["À propos"]
    assert "Mentions légales" in texts(html, ".site-footer nav.footer-legal a")


def test_same_address_shows_the_page_in_the_chosen_language(demo_site, english):
    assert texts(english.get("/a-propos/").content, "h1") == ["About"]
    assert texts(english.get("/mentions-legales/").content, "h1") == ["Legal notice"]


def test_untranslated_pages_stay_reachable_in_english(demo_site, english):
    index = ArticleIndexPage.objects.get()
    response = english.get(index.url)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    article = index.get_children().live().first()
    assert english.get(article.url).status_code == 200
    assert english.get("/no-such-page/").status_code == 404


def test_the_language_switch_leads_to_the_english_page_and_back(demo_site, client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/a-propos/"})
    assert response.status_code == 302
    assert texts(client.get(response["Location"]).content, "h1") == ["About"]

    response = client.post(reverse("set_language"), {"language": "fr", "next": "/a-propos/"})
    assert texts(client.get(response["Location"]).content, "h1") == ["À propos"]


def test_editors_can_translate_pages_in_the_cms(demo_site, client, staff_user):
    staff_sign_in(client, staff_user)  # the CMS admin needs the second factor
    admin_client = client
    articles = ArticleIndexPage.objects.get()
    url = reverse("simple_translation:submit_page_translation", args=[articles.pk])

    response = admin_client.post(url, {"locales": [Locale.objects.get(language_code="en").pk]})

    assert response.status_code == 302
    translation = articles.get_translation(Locale.objects.get(language_code="en"))
    assert translation.slug == articles.slug
    assert admin_client.get(reverse("wagtaillocales:index")).status_code == 200
