"""The showcase's Atom feed: one entry per published pitch, newest edition first."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import EditionEntry, Pitch


class ShowcaseFeed(Feed):
    feed_type = Atom1Feed
    description = _("Pitches written by the members of our peer-learning groups.")

    def __init__(self, *, page) -> None:
        super().__init__()
        self.page = page

    def title(self) -> str:
        return self.page.title

    def link(self) -> str:
        return self.page.url

    def items(self):
        return (
            EditionEntry.objects.filter(edition__page__live=True)
            .exclude(pitch__status=Pitch.Status.WITHDRAWN)
            .select_related("version", "pitch__author", "edition__page", "edition__association")
            .order_by("-edition__slot", "pk")[:100]
        )

    def item_title(self, item: EditionEntry) -> str:
        name = item.pitch.author.display_name or str(_("A member"))
        return f"{name} — {item.pitch.get_network_display()}"

    def item_description(self, item: EditionEntry) -> str:
        return f"{item.version.text}\n\n{item.version.contact}"

    def item_link(self, item: EditionEntry) -> str:
        return f"{item.edition.page.url}#pitch-{item.pitch_id}"

    def item_pubdate(self, item: EditionEntry):
        return item.edition.published_at

    def item_guid(self, item: EditionEntry) -> str:
        return f"pitch-{item.pitch_id}-v{item.version.number}"
