from django.contrib.sitemaps import Sitemap

from .selectors import associations_public


class AssociationSitemap(Sitemap):
    """The verified associations' public pages."""

    def items(self):
        return associations_public()

    def lastmod(self, item):
        return item.updated_at
