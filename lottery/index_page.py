"""The CMS side of the lottery index (a Wagtail page), whose addresses redirect to the
lottery app's own."""

from django.http import HttpResponsePermanentRedirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from .addresses import lottery_index_url, lottery_url


class LotteryIndexPage(RoutablePageMixin, Page):
    """The CMS side of the lottery index: its title, introduction and menu entry.

    The index and each lottery have one public address, `/loteries/` and
    `/loteries/<slug>/` (`addresses.lottery_url`), served by the lottery app's views,
    which read this page's title and introduction. Wherever editors put this page, its
    own address and `<its address><slug>/` answer a permanent redirect there, the query
    string kept, so older links and bookmarks still land.
    """

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("lottery index")

    def get_sitemap_urls(self, request=None):
        # The lotteries' sitemap lists the index at its canonical address.
        return []

    @path("", name="index")
    def index(self, request):
        return permanent_redirect_keeping_query(request, lottery_index_url())

    @path("<slug:lottery_slug>/", name="lottery")
    def lottery(self, request, lottery_slug: str):
        return permanent_redirect_keeping_query(request, lottery_url(slug=lottery_slug))


def permanent_redirect_keeping_query(request, url: str) -> HttpResponsePermanentRedirect:
    """A 301 to `url` with the request's query string (campaign tags, `?page=`) kept."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
