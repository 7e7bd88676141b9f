from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations")

    def ready(self) -> None:
        from assosolos.sitemaps import sitemap_register
        from cms.search import SearchSource, search_source_register

        from .selectors import associations_search
        from .sitemaps import AssociationSitemap

        sitemap_register(key="associations", sitemap=AssociationSitemap)

        search_source_register(
            SearchSource(
                key="associations",
                heading=_("Associations"),
                search=associations_search,
                template="associations/_search_result.html",
                order=20,
            )
        )
