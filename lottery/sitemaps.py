from django.contrib.sitemaps import Sitemap

from .selectors import lotteries_public_for_sitemap, lottery_index_url


class LotterySitemap(Sitemap):
    """The public lotteries' pages, at their one address (`selectors.lottery_url`)."""

    def items(self):
        return lotteries_public_for_sitemap()

    def location(self, item) -> str:
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class LotteryIndexSitemap(Sitemap):
    """The lottery index, at its canonical address (the CMS page only redirects there)."""

    def items(self):
        return ["index"]

    def location(self, item) -> str:
        return lottery_index_url()
