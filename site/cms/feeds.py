"""RSS 2.0 feed of an article index, served by the index page itself."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _

FEED_ITEM_COUNT = 20


class ArticleFeed(Feed):
    feed_type = Rss201rev2Feed

    def __init__(self, *, index):
        super().__init__()
        self.index = index
        self.request = None

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.index

    def title(self, obj):
        return f"{obj.title} · Assosolos"

    def link(self, obj):
        return obj.get_url(self.request)

    def description(self, obj):
        return obj.intro or _("The latest articles from Assosolos.")

    def items(self, obj):
        return obj.get_articles()[:FEED_ITEM_COUNT]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return item.date_as_datetime

    def item_author_name(self, item):
        return item.author_name

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]
