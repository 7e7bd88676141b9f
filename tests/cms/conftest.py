"""The CMS page tree most tests start from: home (site root) › articles, about, legal pages."""

import pytest
from wagtail.models import Page, Site

from .factories import ArticleIndexPageFactory, ContentPageFactory, HomePageFactory


@pytest.fixture
def home_page(db):
    """A HomePage served by the default site, in place of Wagtail's welcome page."""
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, slug="accueil")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    return home


@pytest.fixture
def article_index(home_page):
    return ArticleIndexPageFactory(parent=home_page, show_in_menus=True)


@pytest.fixture
def about_page(home_page):
    return ContentPageFactory(parent=home_page, title="À propos", show_in_menus=True)


@pytest.fixture
def legal_pages(home_page):
    return [
        ContentPageFactory(parent=home_page, title=title, show_in_footer=True)
        for title in ("Mentions légales", "Confidentialité", "Conditions d'utilisation")
    ]
