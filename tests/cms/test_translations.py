"""CMS pages in English: Wagtail's localisation, the demo's English pages, the switch."""

from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Locale, Page

from cms.management.commands import demo_data
from cms.models import ArticleIndexPage, ArticlePage, ContentPage, HomePage
from tests.factories import staff_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_site(monkeypatch, settings):
    settings.DEBUG = True
    monkeypatch.setattr(demo_data, "DEMO_STEPS", [])
    call_command("demo_data", stdout=StringIO())


def texts(html: bytes, selector: str) -> list[str]:
    return [el.get_text(strip=True) for el in BeautifulSoup(html, "html.parser").select(selector)]


def test_demo_ships_english_home_about_legal_and_article_pages(demo_site):
    english = Locale.objects.get(language_code="en")
    french_home = HomePage.objects.get(locale__language_code="fr")
    home = french_home.get_translation(english)
    assert home.live
    assert home.specific.hero_title.startswith("Solidarity lotteries")
    titles = set(
        ContentPage.objects.filter(locale=english, live=True).values_list("title", flat=True)
    )
    assert titles == {"About", "Legal notice", "Privacy", "Terms of use"}
    # A translation keeps its page's slug; its address is the French one under /en/.
    about = ContentPage.objects.get(locale=english, title="About")
    french_about = ContentPage.objects.get(locale=french_home.locale, slug="a-propos")
    assert about.url == "/en" + french_about.url == "/en/a-propos/"
    # The English home's button and call to action lead to the English about page.
    assert home.specific.hero_cta_page_id == about.pk
    index = ArticleIndexPage.objects.get(locale=english)
    assert index.live and index.url == "/en/articles/"
    assert [a.title for a in ArticlePage.objects.filter(locale=english, live=True)] == [
        "A LinkedIn profile that works when you are looking for a job"
    ]


def test_demo_translations_are_made_once(demo_site):
    pages = Page.objects.count()
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert Page.objects.count() == pages
    assert "translated" not in out.getvalue()


def test_english_visitor_reads_english_content_and_menus(demo_site, client):
    response = client.get("/en/")

    assert response["Content-Language"] == "en"
    html = response.content
    assert texts(html, "h1") == ["Solidarity lotteries that grow into peer-learning groups"]
    menu = texts(html, "#main-nav ul.menu a")
    assert "About" in menu and "À propos" not in menu
    assert "Articles" in menu
    footer = texts(html, ".site-footer nav.footer-legal a")
    assert footer == ["Legal notice", "Privacy", "Terms of use"]
    links = BeautifulSoup(html, "html.parser").select(".site-footer nav.footer-legal a")
    assert all(a["href"].startswith("/en/") for a in links)


def test_french_visitor_still_reads_french(demo_site, client):
    html = client.get("/a-propos/").content
    assert texts(html, "h1") == ["À propos"]
    assert "Mentions légales" in texts(html, ".site-footer nav.footer-legal a")


def test_the_english_address_shows_the_english_page(demo_site, client):
    assert texts(client.get("/en/a-propos/").content, "h1") == ["About"]
    assert texts(client.get("/en/mentions-legales/").content, "h1") == ["Legal notice"]
    # The address decides, not a cookie left by an earlier visit.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert texts(client.get("/a-propos/").content, "h1") == ["À propos"]


def test_the_english_article_index_lists_untranslated_articles_marked_as_french(demo_site, client):
    html = client.get("/en/articles/").content
    soup = BeautifulSoup(html, "html.parser")
    cards = soup.select("article.article-card")
    french = [c for c in cards if c.get("lang") == "fr"]
    english = [c for c in cards if not c.get("lang")]
    assert [c.h3.get_text(strip=True) for c in english] == [
        "A LinkedIn profile that works when you are looking for a job"
    ]
    assert len(french) == 3  # the other demo articles, in French
    for card in french:
        note = card.select_one(".language-note")
        assert note.get_text(strip=True) == "In French: no English version yet."
        assert note["lang"] == "en"
    # An English article is read in English; an untranslated one in French, in English UI.
    link = english[0].h3.a["href"]
    assert link.startswith("/en/articles/")
    assert client.get(link).status_code == 200
    assert client.get(french[0].h3.a["href"]).status_code == 200
    assert client.get("/en/no-such-page/").status_code == 404


def test_the_switch_and_hreflang_lead_to_the_same_page_in_the_other_language(demo_site, client):
    soup = BeautifulSoup(client.get("/a-propos/").content, "html.parser")
    alternates = {
        link["hreflang"]: link["href"] for link in soup.select('link[rel="alternate"][hreflang]')
    }
    assert alternates == {
        "fr": "http://testserver/a-propos/",
        "x-default": "http://testserver/a-propos/",
        "en": "http://testserver/en/a-propos/",
    }
    [switch] = soup.select(".language-menu a")
    assert (switch["href"], switch["lang"], switch.get_text(strip=True)) == (
        "http://testserver/en/a-propos/",
        "en",
        "English",
    )
    back = BeautifulSoup(client.get("/en/a-propos/").content, "html.parser")
    [switch] = back.select(".language-menu a")
    assert switch["href"] == "http://testserver/a-propos/"
    assert back.html["lang"] == "en"


def test_a_page_without_translation_announces_no_alternate_and_the_switch_goes_home(
    demo_site, client
):
    french_only = ArticlePage.objects.filter(locale__language_code="fr").last()
    soup = BeautifulSoup(client.get(french_only.url).content, "html.parser")
    assert {link["hreflang"] for link in soup.select('link[rel="alternate"][hreflang]')} == {
        "fr",
        "x-default",
    }
    [switch] = soup.select(".language-menu a")
    assert switch["href"] == "http://testserver/en/"


def test_search_in_english_finds_english_pages(demo_site, client):
    english = client.get("/en/recherche/", {"q": "LinkedIn"})
    titles = texts(english.content, ".search-results h3, .search-results h2")
    assert "A LinkedIn profile that works when you are looking for a job" in " ".join(titles)
    assert "Réussir son profil LinkedIn" not in english.content.decode()
    french = client.get("/recherche/", {"q": "LinkedIn"}).content.decode()
    assert "Réussir son profil LinkedIn" in french
    assert "A LinkedIn profile that works" not in french


def test_editors_can_translate_pages_in_the_cms(demo_site, client, staff_user):
    staff_sign_in(client, staff_user)  # the CMS admin needs the second factor
    admin_client = client
    articles = ArticlePage.objects.get(slug="animer-page-facebook-instagram-association")
    url = reverse("simple_translation:submit_page_translation", args=[articles.pk])

    response = admin_client.post(url, {"locales": [Locale.objects.get(language_code="en").pk]})

    assert response.status_code == 302
    translation = articles.get_translation(Locale.objects.get(language_code="en"))
    assert translation.slug == articles.slug
    assert admin_client.get(reverse("wagtaillocales:index")).status_code == 200
