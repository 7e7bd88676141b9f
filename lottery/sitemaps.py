from django.contrib.sitemaps import Sitemap

from .selectors import lotteries_public_for_sitemap


class LotterySitemap(Sitemap):
    """The public lotteries' pages."""

    def items(self):
        return lotteries_public_for_sitemap()

    def location(self, item) -> str:
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at
