"""The public commitments chain: an Atom feed for readers and archivers, and the file.

Both are built from `CommitmentEntry` rows, whose canonical text is what is hashed
(docs/draw-algorithm.md §10). The feed carries the newest entries with their full
text; the file holds the whole chain, so anyone can check it from the first entry.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .draw import selectors as draw_selectors
from .models import CommitmentEntry

FEED_ENTRIES = 100


class CommitmentsFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Assosolos: draw commitments")
    subtitle = gettext_lazy(
        "Each lottery's commitment to its draw seed and prize list, published when "
        "sales open. Each entry names the SHA-256 of the one before it: keep a copy, "
        "and a later rewrite of any entry will not match it."
    )

    def link(self) -> str:
        return reverse("lottery:commitments_chain")

    def items(self) -> list[CommitmentEntry]:
        return draw_selectors.commitment_entries_latest(limit=FEED_ENTRIES)

    def item_title(self, item: CommitmentEntry) -> str:
        return _("Commitment no. %(position)s: %(lottery)s") % {
            "position": item.position,
            "lottery": item.lottery.title,
        }

    def item_description(self, item: CommitmentEntry) -> str:
        return (
            f"<p>{escape(_('Entry SHA-256'))}: <code>{item.sha256}</code></p>"
            f"<pre>{escape(item.text)}</pre>"
        )

    def item_link(self, item: CommitmentEntry) -> str:
        return reverse("lottery:draw_result", args=[item.lottery.slug])

    def item_guid(self, item: CommitmentEntry) -> str:
        return f"urn:sha256:{item.sha256}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: CommitmentEntry):
        return item.published_at

    def item_updateddate(self, item: CommitmentEntry):
        return item.published_at


def commitments_chain(request: HttpRequest) -> HttpResponse:
    """The whole chain as text, entry after entry: what `verify_draw.py --chain` reads."""
    response = HttpResponse(
        draw_selectors.commitments_chain_text(), content_type="text/plain; charset=us-ascii"
    )
    response["Content-Disposition"] = 'inline; filename="commitments.txt"'
    return response
