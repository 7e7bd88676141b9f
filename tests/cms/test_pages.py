"""What visitors see on the home page, content pages, article index and articles."""

import datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from .factories import ArticlePageFactory, ContentPageFactory, image_create, paragraph


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def card_titles(page_soup: BeautifulSoup) -> list[str]:
    return [h3.get_text(strip=True) for h3 in page_soup.select(".article-card h3")]


# --- Home page -------------------------------------------------------------------


def test_home_page_is_the_site_root_with_its_hero(client, home_page, about_page):
    home_page.hero_cta_label = "Comprendre le principe"
    home_page.hero_cta_page = about_page
    home_page.save_revision().publish()

    response = client.get("/")

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Des loteries solidaires"
    button = page.find("a", string="Comprendre le principe")
    assert button["href"] == about_page.url


def test_home_lists_the_three_latest_live_articles_newest_first(client, article_index):
    for day in (1, 5, 3, 4):
        ArticlePageFactory(
            parent=article_index, title=f"Article du {day}", date=datetime.date(2025, 3, day)
        )
    ArticlePageFactory(
        parent=article_index, title="Brouillon", date=datetime.date(2025, 3, 9), live=False
    )

    page = soup(client.get("/"))

    section = page.find(id="latest-articles-title").find_parent("section")
    assert card_titles(section) == ["Article du 5", "Article du 4", "Article du 3"]
    assert section.find("a", string="Tous les articles")["href"] == article_index.url


def test_home_shows_no_article_section_without_articles(client, home_page):
    response = client.get("/")

    assert response.status_code == 200
    assert soup(response).find(id="latest-articles-title") is None
    assert b"article-card" not in response.content


# --- Content pages and blocks ----------------------------------------------------


def test_content_page_renders_every_block(client, home_page, about_page):
    image = image_create(title="Atelier")
    page = ContentPageFactory(
        parent=home_page,
        title="Nos ateliers",
        body=[
            {"type": "heading", "value": {"text": "Le programme", "level": "h3"}},
            paragraph("<p>Des séances <b>chaque semaine</b>.</p>"),
            {
                "type": "image",
                "value": {
                    "image": image.pk,
                    "alt_text": "Six personnes autour d'une table",
                    "caption": "Atelier de mars",
                },
            },
            {
                "type": "quote",
                "value": {"quote": "On avance mieux à plusieurs.", "attribution": "Samira"},
            },
            {
                "type": "call_to_action",
                "value": {
                    "text": "Envie d'en savoir plus ?",
                    "label": "Qui sommes-nous",
                    "page": about_page.pk,
                    "url": "",
                },
            },
        ],
    )

    response = client.get(page.url)

    assert response.status_code == 200
    html = soup(response)
    assert html.find("h3", string="Le programme")
    assert html.find("b", string="chaque semaine")
    img = html.select_one("figure.content-image img")
    assert img["alt"] == "Six personnes autour d'une table"
    assert html.select_one("figure.content-image figcaption").get_text() == "Atelier de mars"
    assert html.find("blockquote").get_text(strip=True) == "On avance mieux à plusieurs."
    assert "Samira" in html.select_one("figure.quote figcaption").get_text()
    assert html.select_one(".cta-block a.button")["href"] == about_page.url
    crumbs = [li.get_text(strip=True) for li in html.select(".breadcrumb li")]
    assert crumbs == ["Accueil", "Nos ateliers"]


def test_image_without_alt_text_uses_the_image_description(client, home_page):
    image = image_create(title="Salle de réunion")
    page = ContentPageFactory(
        parent=home_page,
        body=[{"type": "image", "value": {"image": image.pk, "alt_text": "", "caption": ""}}],
    )

    img = soup(client.get(page.url)).select_one("figure.content-image img")

    assert img["alt"] == "Salle de réunion"


def test_draft_pages_are_not_served(client, home_page):
    draft = ContentPageFactory(parent=home_page, title="Pas encore prête", live=False)

    assert client.get(f"/{draft.slug}/").status_code == 404


# --- Article index -----------------------------------------------------------------


@pytest.fixture
def twelve_articles(article_index):
    return [
        ArticlePageFactory(
            parent=article_index,
            title=f"Conseil {n:02d}",
            date=datetime.date(2025, 1, n),
            tags=["LinkedIn"] if n % 3 == 0 else ["Réseautage"],
        )
        for n in range(1, 13)
    ]


def test_article_index_shows_ten_articles_per_page_newest_first(client, twelve_articles):
    index = twelve_articles[0].get_parent()

    first = soup(client.get(index.url))
    second = soup(client.get(index.url, {"page": 2}))

    assert card_titles(first) == [f"Conseil {n:02d}" for n in range(12, 2, -1)]
    assert card_titles(second) == ["Conseil 02", "Conseil 01"]
    assert first.select_one(".pagination a[rel=next]")["href"] == "?page=2"
    assert second.select_one(".pagination a[rel=prev]")["href"] == "?page=1"


@pytest.mark.parametrize(
    ("raw_page", "expected_first"),
    [
        ("abc", "Conseil 12"),
        ("", "Conseil 12"),
        ("999", "Conseil 02"),
        ("-1", "Conseil 02"),
        ("0", "Conseil 02"),
        ("2.5", "Conseil 12"),
    ],
)
def test_article_index_survives_bad_page_numbers(client, twelve_articles, raw_page, expected_first):
    index = twelve_articles[0].get_parent()

    response = client.get(index.url, {"page": raw_page})

    assert response.status_code == 200
    assert card_titles(soup(response))[0] == expected_first


def test_article_index_filters_by_tag(client, twelve_articles):
    index = twelve_articles[0].get_parent()

    response = client.get(index.url, {"tag": "linkedin"})

    page = soup(response)
    assert card_titles(page) == ["Conseil 12", "Conseil 09", "Conseil 06", "Conseil 03"]
    assert "4 articles avec le mot-clé « linkedin »" in page.get_text()
    current = page.select_one(".tags a[aria-current=page]")
    assert current.get_text(strip=True) == "LinkedIn"


def test_tag_filter_keeps_the_tag_across_pages(client, article_index):
    for n in range(1, 13):
        ArticlePageFactory(parent=article_index, date=datetime.date(2025, 2, n), tags=["Profil"])
    ArticlePageFactory(parent=article_index, date=datetime.date(2025, 2, 20), tags=["Autre"])

    page = soup(client.get(article_index.url, {"tag": "profil"}))

    next_link = page.select_one(".pagination a[rel=next]")["href"]
    assert next_link in {"?tag=profil&page=2", "?tag=profil&amp;page=2"}
    second = soup(client.get(article_index.url + next_link))
    assert len(card_titles(second)) == 2


def test_unknown_tag_shows_an_empty_list(client, twelve_articles):
    index = twelve_articles[0].get_parent()

    response = client.get(index.url, {"tag": "nope"})

    assert response.status_code == 200
    page = soup(response)
    assert card_titles(page) == []
    assert page.select_one("p.empty")


def test_article_index_leaves_out_drafts(client, article_index):
    ArticlePageFactory(parent=article_index, title="Publié")
    ArticlePageFactory(parent=article_index, title="Brouillon", live=False)

    assert card_titles(soup(client.get(article_index.url))) == ["Publié"]


# --- RSS feed ----------------------------------------------------------------------


def test_rss_feed_is_valid_rss_with_the_live_articles(client, article_index):
    ArticlePageFactory(
        parent=article_index, title="Premier", date=datetime.date(2025, 4, 1), intro="Un début."
    )
    latest = ArticlePageFactory(
        parent=article_index,
        title="Second",
        date=datetime.date(2025, 4, 8),
        intro="La suite.",
        tags=["LinkedIn"],
    )
    ArticlePageFactory(parent=article_index, title="Brouillon", live=False)

    response = client.get(f"{article_index.url}feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    rss = ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
    assert rss.tag == "rss"
    assert rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel.findtext("title") == "Articles · Assosolos"
    assert channel.findtext("link") == f"http://testserver{article_index.url}"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Second", "Premier"]
    first = items[0]
    assert first.findtext("link") == f"http://testserver{latest.url}"
    assert first.findtext("description") == "La suite."
    assert parsedate_to_datetime(first.findtext("pubDate")).date() == datetime.date(2025, 4, 8)
    assert [c.text for c in first.findall("category")] == ["LinkedIn"]


def test_index_page_advertises_its_feed(client, article_index):
    link = soup(client.get(article_index.url)).find("link", type="application/rss+xml")

    assert link["href"] == f"{article_index.url}feed/"


def test_unknown_sub_path_of_the_index_is_a_404(client, article_index):
    assert client.get(f"{article_index.url}nope/").status_code == 404


# --- Article page ------------------------------------------------------------------


def test_article_page_shows_meta_tags_and_breadcrumb(client, article_index):
    article = ArticlePageFactory(
        parent=article_index,
        title="Réussir son profil",
        author="Claire Morel",
        date=datetime.date(2025, 5, 17),
        intro="Les secondes qui comptent.",
        tags=["LinkedIn", "Profil"],
        body=[paragraph("<p>Choisissez une photo récente.</p>")],
    )

    response = client.get(article.url)

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Réussir son profil"
    meta = page.select_one("article .article-meta")
    assert meta.time["datetime"] == "2025-05-17"
    assert "Claire Morel" in meta.get_text()
    assert "Choisissez une photo récente." in page.select_one(".stream").get_text()
    tag_links = {a.get_text(strip=True): a["href"] for a in page.select("article .tags a")}
    assert tag_links == {
        "LinkedIn": f"{article_index.url}?tag=linkedin",
        "Profil": f"{article_index.url}?tag=profil",
    }
    crumbs = [li.get_text(strip=True) for li in page.select(".breadcrumb li")]
    assert crumbs == ["Accueil", "Articles", "Réussir son profil"]
    assert page.select_one(".breadcrumb [aria-current=page]").get_text() == "Réussir son profil"
