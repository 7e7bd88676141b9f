import pytest
from wagtail.models import Page, Site

from lottery.models import LotteryIndexPage
from tests.cms.factories import ArticleIndexPageFactory, HomePageFactory


@pytest.fixture
def tree(db):
    """The page tree of a real site: home (site root) › lottery index, article index."""
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, slug="accueil")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    index = LotteryIndexPage(title="Loteries", slug="loteries", show_in_menus=True)
    home.add_child(instance=index)
    index.save_revision().publish()
    articles = ArticleIndexPageFactory(parent=home, show_in_menus=True)
    # Wagtail keeps the sites' root paths in the cache, as a running site already has
    # them: the budgets count a page's own queries, not that one-off warm-up.
    Site.get_site_root_paths()
    return {"home": home, "lotteries": index, "articles": articles}
