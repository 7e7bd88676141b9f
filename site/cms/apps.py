from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The anonymous page cache's name for "what editors publish": pages kept for anonymous
# visitors that show CMS content depend on it, and every publication refreshes them.
CMS_PAGES = "cms-pages"


def _pages_changed(**kwargs) -> None:
    from assosolos.page_cache import page_cache_bump

    page_cache_bump(CMS_PAGES)


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site pages")

    def ready(self) -> None:
        from wagtail.signals import page_published, page_unpublished, post_page_move

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(_pages_changed, weak=False)
