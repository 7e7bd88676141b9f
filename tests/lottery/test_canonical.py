"""One address per lottery: `/loteries/<slug>/`; the CMS index page only redirects there."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Page, Site

from lottery.models import LotteryIndexPage
from tests.cms.factories import HomePageFactory
from tests.factories import UserFactory

from .factories import LotteryFactory, open_lottery, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def cms_index():
    """A CMS lottery index at an older address than the canonical one."""
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, slug="accueil")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    index = LotteryIndexPage(
        title="Nos loteries", slug="loteries-solidaires", intro="<p>Chaque billet compte.</p>"
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def test_a_lottery_has_one_address(cms_index):
    lottery = open_lottery()
    assert lottery.get_absolute_url() == f"/loteries/{lottery.slug}/"
    assert cms_index.url == "/loteries-solidaires/"


@pytest.mark.parametrize("query", ["", "?utm_source=affiche&utm_medium=papier", "?a=1&a=2"])
def test_the_other_address_redirects_permanently_keeping_the_query_string(client, cms_index, query):
    lottery = open_lottery()
    response = client.get(f"/loteries-solidaires/{lottery.slug}/{query}")
    assert response.status_code == 301
    assert response["Location"] == f"/loteries/{lottery.slug}/{query}"
    assert client.get(response["Location"]).status_code == 200


def test_the_cms_index_page_redirects_to_the_index_keeping_the_page(client, cms_index):
    response = client.get("/loteries-solidaires/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "/loteries/?page=2"
    index = client.get(response["Location"])
    assert index.status_code == 200
    # The index shows the CMS page's title and introduction.
    html = index.content.decode()
    assert "Nos loteries" in html and "Chaque billet compte." in html


def test_the_lottery_page_and_the_index_name_their_canonical_address(client, settings, cms_index):
    settings.SITE_URL = "https://assosolos.example"
    lottery = open_lottery()
    client.force_login(UserFactory())
    for path in (lottery.get_absolute_url(), reverse("lottery:index")):
        page = BeautifulSoup(client.get(path).content, "html.parser")
        links = page.select('link[rel="canonical"]')
        assert [link["href"] for link in links] == [f"https://assosolos.example{path}"]


def test_the_sitemap_lists_the_canonical_addresses_only(client, cms_index):
    lottery = open_lottery()
    draft = LotteryFactory()
    xml = client.get("/sitemap-fr.xml").content.decode()
    assert f"/loteries/{lottery.slug}/</loc>" in xml
    assert "/loteries/</loc>" in xml
    assert "/loteries-solidaires/" not in xml
    assert draft.slug not in xml


def test_emails_link_the_canonical_address(cms_index, settings, django_capture_on_commit_callbacks):
    from django.core import mail

    settings.SITE_URL = "https://assosolos.example"
    lottery = open_lottery()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery, quantity=2)
    bodies = "".join(m.body for m in mail.outbox)
    assert f"https://assosolos.example/loteries/{lottery.slug}/" in bodies
    assert "loteries-solidaires" not in bodies
