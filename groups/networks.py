"""Where a pitch is published, how long it may be there, and how that network counts.

One table (`NETWORKS`) holds every limit with its source. The counting is written twice,
here and in `static/js/pitch_counter.js` (the live counter), and both are tested on the
same cases (`tests/groups/network_cases.json`), so the page and the server agree.

How each method counts, after Unicode NFC normalisation:

- ``x``: X's weighted count. A link (``http://``, ``https://`` or ``www.``) weighs 23;
  an emoji (a grapheme holding an Extended_Pictographic or Regional_Indicator code
  point) weighs 2; any other code point weighs 1 if it lies in X's light ranges
  (U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037), 2 otherwise (CJK…).
- ``graphemes``: user-perceived characters (Unicode extended grapheme clusters).
- ``graphemes_links``: graphemes, every link counting 23 (Mastodon).
- ``threads``: code points, an emoji counting as its UTF-8 bytes.
A network may add a byte limit on the UTF-8 encoding (Bluesky).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import regex
from django.utils.translation import gettext_lazy as _

LINK_WEIGHT = 23
# A link as both counters see it: a scheme or www., up to a space; trailing
# punctuation is the sentence's, not the link's.
LINK_RE = regex.compile(r"(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]'\"]*(?:\s|$))", regex.I)
EMOJI_RE = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
GRAPHEME_RE = regex.compile(r"\X")
# X's code points of weight 1 (twitter-text configuration v3); every other weighs 2.
X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


@dataclass(frozen=True, slots=True)
class Network:
    key: str
    label: str
    limit: int
    method: str
    source: str
    byte_limit: int | None = None
    # How a reader shares it: "text" (the network prefills text), "url" (only a page
    # link; the text comes from the page's Open Graph tags), "instance" (Mastodon:
    # the reader's own server), "" (a profile field, copied by hand).
    share: str = ""
    share_base: str = ""
    # The network's own name, as on a share button ("Share on LinkedIn").
    site: str = ""


NETWORKS: dict[str, Network] = {
    n.key: n
    for n in (
        Network(
            "x_post",
            _("X post"),
            280,
            "x",
            "https://docs.x.com/fundamentals/counting-characters",
            share="text",
            share_base="https://x.com/intent/tweet",
            site="X",
        ),
        Network("x_bio", _("X bio"), 160, "x", "secondary: X profile settings", site="X"),
        Network(
            "linkedin_headline",
            _("LinkedIn headline"),
            220,
            "graphemes",
            "secondary: LinkedIn help",
            share="url",
            share_base="https://www.linkedin.com/sharing/share-offsite/",
            site="LinkedIn",
        ),
        Network(
            "linkedin_about",
            _("LinkedIn About"),
            2600,
            "graphemes",
            "secondary: LinkedIn help",
            share="url",
            share_base="https://www.linkedin.com/sharing/share-offsite/",
            site="LinkedIn",
        ),
        Network(
            "instagram_bio",
            _("Instagram bio"),
            150,
            "graphemes",
            "secondary: Instagram",
            site="Instagram",
        ),
        Network(
            "facebook_intro",
            _("Facebook intro"),
            101,
            "graphemes",
            "secondary: Facebook help",
            share="url",
            share_base="https://www.facebook.com/sharer/sharer.php",
            site="Facebook",
        ),
        Network(
            "mastodon",
            _("Mastodon post"),
            500,
            "graphemes_links",
            "https://docs.joinmastodon.org/user/posting/ (500 by default, per instance)",
            share="instance",
            site="Mastodon",
        ),
        Network(
            "bluesky",
            _("Bluesky post"),
            300,
            "graphemes",
            "https://github.com/bluesky-social/atproto lexicons/app/bsky/feed/post.json",
            byte_limit=3000,
            share="text",
            share_base="https://bsky.app/intent/compose",
            site="Bluesky",
        ),
        Network(
            "threads",
            _("Threads post"),
            500,
            "threads",
            "https://developers.facebook.com/docs/threads/ (emoji count as their bytes)",
            share="text",
            share_base="https://www.threads.com/intent/post",
            site="Threads",
        ),
    )
}

NETWORK_CHOICES = [(n.key, n.label) for n in NETWORKS.values()]


@dataclass(frozen=True, slots=True)
class Count:
    used: int
    limit: int
    bytes: int
    byte_limit: int | None

    @property
    def fits(self) -> bool:
        return self.used <= self.limit and (
            self.byte_limit is None or self.bytes <= self.byte_limit
        )


def _x_weight(grapheme: str) -> int:
    if EMOJI_RE.search(grapheme):
        return 2
    return sum(1 if any(lo <= ord(ch) <= hi for lo, hi in X_LIGHT_RANGES) else 2 for ch in grapheme)


def _weigh(text: str, method: str) -> int:
    if method in ("x", "graphemes_links"):
        links = LINK_RE.findall(text)
        rest = LINK_RE.sub("", text)
        if method == "x":
            return LINK_WEIGHT * len(links) + sum(_x_weight(g) for g in GRAPHEME_RE.findall(rest))
        return LINK_WEIGHT * len(links) + len(GRAPHEME_RE.findall(rest))
    if method == "graphemes":
        return len(GRAPHEME_RE.findall(text))
    if method == "threads":
        return sum(
            len(g.encode()) if EMOJI_RE.search(g) else len(g) for g in GRAPHEME_RE.findall(text)
        )
    raise ValueError(f"unknown counting method {method!r}")


def pitch_count(*, text: str, network: str) -> Count:
    """How long `text` is on `network`, counted the way that network counts."""
    rule = NETWORKS[network]
    text = unicodedata.normalize("NFC", text)
    return Count(
        used=_weigh(text, rule.method),
        limit=rule.limit,
        bytes=len(text.encode()),
        byte_limit=rule.byte_limit,
    )


def networks_for_client() -> dict[str, dict]:
    """The table as the live counter reads it (rendered with `json_script`)."""
    return {
        key: {
            "label": str(n.label),
            "limit": n.limit,
            "method": n.method,
            "byteLimit": n.byte_limit,
        }
        for key, n in NETWORKS.items()
    }


def share_url(*, network: str, text: str, page_url: str, instance: str = "") -> str:
    """A link that opens the network's composer prefilled, or "" where none exists.

    `instance` is the reader's Mastodon server (a host name); without it, "".
    """
    rule = NETWORKS[network]
    if rule.share == "text":
        if rule.key == "x_post":
            return f"{rule.share_base}?{urlencode({'text': text, 'url': page_url})}"
        return f"{rule.share_base}?{urlencode({'text': f'{text} {page_url}'.strip()})}"
    if rule.share == "url":
        param = "u" if "facebook" in rule.share_base else "url"
        return f"{rule.share_base}?{urlencode({param: page_url})}"
    if rule.share == "instance":
        host = instance.strip().lower().removeprefix("https://").split("/")[0]
        if not regex.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", host):
            return ""
        return f"https://{host}/share?text={quote(f'{text} {page_url}'.strip())}"
    return ""
