"""The CMS page tree most tests start from: home (site root) › articles, about, legal pages."""

import pytest
from wagtail.models import Page, Site

from .factories import ArticleIndexPageFactory, ContentPageFactory, HomePageFactory


@pytest.fixture
def home_page(db):
    """A HomePage served by the default site, in place of Wagtail's welcome page.

    The tree's root is recreated when a transactional test emptied the database.
    """
    from cms.demo import _tree_root

    home = HomePageFactory(parent=_tree_root(), slug="accueil")
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname, site.root_page = site.hostname or "localhost", home
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
