"""What search engines and browsers fetch by convention: sitemap.xml, robots.txt, favicon."""

from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from associations.models import Association
from lottery import services
from tests.associations.factories import AssociationFactory
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, open_lottery

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_urls(client, language: str = "fr") -> list[str]:
    """The addresses of one language's map, found from the index at /sitemap.xml."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert index["Content-Type"].startswith("application/xml")
    maps = [
        loc.text
        for loc in ElementTree.fromstring(index.content).findall("sm:sitemap/sm:loc", NS)  # noqa: S314
    ]
    assert maps == ["http://testserver/sitemap-fr.xml", "http://testserver/sitemap-en.xml"]
    response = client.get(urlsplit(maps[["fr", "en"].index(language)]).path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    tree = ElementTree.fromstring(response.content)  # noqa: S314 (our own response)
    return [loc.text for loc in tree.findall("sm:url/sm:loc", NS)]


def test_sitemap_lists_pages_public_lotteries_and_verified_associations(
    client, about_page, article_index
):
    on_sale = open_lottery(title="Tombola ouverte")
    closed = open_lottery(title="Tombola fermée")
    services.lottery_close(lottery_id=closed.pk)
    draft = LotteryFactory(title="Brouillon")
    cancelled = open_lottery(title="Tombola annulée")
    services.lottery_cancel(lottery=cancelled, actor=UserFactory())
    pending = AssociationFactory(status=Association.Status.PENDING)

    urls = sitemap_urls(client)

    paths = {urlsplit(url).path for url in urls}

    def has(path: str) -> bool:
        return path in paths

    assert has("/")
    assert has(about_page.url)
    assert has(article_index.url)
    assert has(on_sale.get_absolute_url())
    assert has(closed.get_absolute_url())
    assert has(on_sale.association.get_absolute_url())
    assert not has(reverse("lottery:detail", args=[draft.slug]))
    assert not has(reverse("lottery:detail", args=[cancelled.slug]))
    assert not has(pending.get_absolute_url())


def test_sitemap_leaves_out_lotteries_of_an_association_no_longer_verified(client, home_page):
    lottery = open_lottery()
    Association.objects.filter(pk=lottery.association_id).update(
        status=Association.Status.SUSPENDED
    )
    urls = sitemap_urls(client)
    assert not any(lottery.slug in url for url in urls)
    assert not any(lottery.association.slug in url for url in urls)


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    disallowed = [line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow")]
    private = [
        "/cms/",
        "/django-admin/",
        reverse("account_login"),
        reverse("accounts:dashboard"),
        reverse("lottery:my_tickets"),
        reverse("lottery:manage_list", args=["une-asso"]),
        reverse("lottery:checkout", args=[1]),
        reverse("associations:register"),
        reverse("associations:invitation_accept", args=["jeton"]),
    ]
    for path in private:
        assert any(path.startswith(rule) for rule in disallowed), path
    dashboard = reverse("associations:dashboard", args=["une-asso"])
    assert dashboard.replace("une-asso", "*") in disallowed
    # Public pages stay open to crawlers.
    for path in ("/", reverse("associations:list"), "/loteries/une-tombola/"):
        assert not any(path.startswith(rule) for rule in disallowed if "*" not in rule), path


def test_favicon_ico_is_answered_with_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.ico"
    icon = Path(finders.find("img/favicon.ico")).read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # the ICO signature


def test_every_page_links_the_svg_favicon(client, home_page):
    html = client.get("/").text
    assert 'rel="icon" href="/static/img/favicon.svg" type="image/svg+xml"' in html
    assert finders.find("img/favicon.svg")
