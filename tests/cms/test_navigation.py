"""The main menu and the footer's legal links, rendered on every page."""

from bs4 import BeautifulSoup
from django.urls import NoReverseMatch, reverse

from cms.templatetags import cms_tags

from .factories import ArticlePageFactory, ContentPageFactory


def menu_links(response) -> dict[str, str]:
    page = BeautifulSoup(response.content, "html.parser")
    return {a.get_text(strip=True): a for a in page.select("#main-nav ul.menu a")}


def footer_links(response) -> dict[str, str]:
    page = BeautifulSoup(response.content, "html.parser")
    nav = page.select_one("footer nav.footer-legal")
    return {a.get_text(strip=True): a["href"] for a in nav.select("a")}


def test_menu_lists_live_pages_marked_for_menus(client, home_page, article_index, about_page):
    ContentPageFactory(parent=home_page, title="Cachée", show_in_menus=False)
    ContentPageFactory(parent=home_page, title="Brouillon", show_in_menus=True, live=False)
    ContentPageFactory(parent=about_page, title="Sous-page", show_in_menus=True)

    links = menu_links(client.get("/"))

    # The CMS pages, then the directories other apps serve.
    assert [a["href"] for a in links.values()] == [
        article_index.url,
        about_page.url,
        reverse("lottery:index"),
        reverse("groups:directory"),
        reverse("associations:list"),
    ]
    assert links["Articles"] and links["À propos"]
    assert not any(a.has_attr("aria-current") for a in links.values())


def test_menu_marks_the_current_page_and_section(client, article_index):
    article = ArticlePageFactory(parent=article_index)

    on_index = menu_links(client.get(article_index.url))
    on_article = menu_links(client.get(article.url))

    assert on_index["Articles"]["aria-current"] == "page"
    assert on_article["Articles"]["aria-current"] == "true"


def test_menu_skips_associations_while_its_url_does_not_exist(client, article_index, monkeypatch):
    def missing(name, *args, **kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr(cms_tags, "reverse", missing)

    links = menu_links(client.get("/"))

    assert list(links) == ["Articles"]


def test_footer_shows_live_legal_pages_only(client, home_page, about_page, legal_pages):
    ContentPageFactory(parent=home_page, title="Ancien règlement", show_in_footer=True, live=False)

    links = footer_links(client.get(about_page.url))

    assert links == {page.title: page.url for page in legal_pages}


def test_footer_links_appear_on_non_cms_pages(client, legal_pages):
    links = footer_links(client.get(reverse("search")))

    assert list(links) == ["Mentions légales", "Confidentialité", "Conditions d'utilisation"]


def test_footer_marks_the_legal_page_being_read(client, legal_pages):
    privacy = legal_pages[1]

    page = BeautifulSoup(client.get(privacy.url).content, "html.parser")

    current = page.select("footer nav.footer-legal a[aria-current]")
    assert [a.get_text(strip=True) for a in current] == ["Confidentialité"]


def test_a_menu_page_at_a_directory_address_stands_for_it(client, home_page):
    from lottery.models import LotteryIndexPage

    index = LotteryIndexPage(title="Nos tombolas", slug="loteries", show_in_menus=True)
    home_page.add_child(instance=index)
    index.save_revision().publish()

    links = menu_links(client.get("/"))

    assert links["Nos tombolas"]["href"] == reverse("lottery:index")
    assert [a["href"] for a in links.values()].count(reverse("lottery:index")) == 1


def test_the_footer_repeats_the_menu(client, article_index):
    page = BeautifulSoup(client.get(reverse("search")).content, "html.parser")
    header = [a["href"] for a in page.select("#main-nav ul.menu a")]
    footer = [a["href"] for a in page.select("footer nav.footer-explore a")]

    assert footer == header
    assert reverse("groups:directory") in footer and reverse("lottery:index") in footer
