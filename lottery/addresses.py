"""The public addresses of the lottery index and of each lottery, in one place.

Low in the app: the models (the CMS index page's redirects) and the selectors both
take them from here.
"""

from __future__ import annotations

from django.urls import reverse


def lottery_url(*, slug: str) -> str:
    """The one public address of a lottery's page: `/loteries/<slug>/`.

    Links, emails, the sitemap, feeds, share links and `<link rel=canonical>` all take
    it from here; the CMS lottery index page, wherever editors put it, answers a
    permanent redirect to it (`LotteryIndexPage`). It needs no query, so every card
    and link is free.
    """
    return reverse("lottery:detail", args=[slug])


def lottery_index_url() -> str:
    """The lottery index's one public address: `/loteries/`."""
    return reverse("lottery:index")
