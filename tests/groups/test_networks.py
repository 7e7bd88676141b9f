"""Pitch length rules: each network counts the way it does, on the server and in the page."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from groups.networks import NETWORKS, networks_for_client, pitch_count, share_url

CASES = json.loads(Path(__file__).with_name("network_cases.json").read_text())["cases"]
COUNTER_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "pitch_counter.js"


def _text(case):
    return case["text"] * case.get("repeat", 1)


def _case_id(case):
    return f"{case['network']}-{_text(case)[:12]}-{case.get('repeat', 1)}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_server_counts_like_the_network(case):
    result = pitch_count(text=_text(case), network=case["network"])
    assert (result.used, result.bytes, result.fits) == (case["used"], case["bytes"], case["fits"])


def test_every_network_is_covered_by_the_shared_cases():
    assert {case["network"] for case in CASES} >= set(NETWORKS) - {"linkedin_about"}


def test_every_limit_names_its_source():
    assert all(n.source for n in NETWORKS.values())


@pytest.mark.browser
def test_live_counter_counts_like_the_server(_playwright_browser):
    page = _playwright_browser.new_page()
    try:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(path=str(COUNTER_JS))
        rules = networks_for_client()
        results = page.evaluate(
            """([cases, rules]) => cases.map(c => {
                const text = c.text.repeat(c.repeat || 1);
                const r = window.AssosolosPitch.count(text, rules[c.network]);
                return [r.used, r.bytes, r.fits];
            })""",
            [CASES, rules],
        )
    finally:
        page.close()
    expected = [[c["used"], c["bytes"], c["fits"]] for c in CASES]
    mismatches = [
        (_case_id(c), got, exp)
        for c, got, exp in zip(CASES, results, expected, strict=True)
        if got != exp
    ]
    assert not mismatches


def test_share_links_prefill_text_where_the_network_allows():
    page = "https://assosolos.fr/vitrine/2027-01-08/#p12"
    x = urlsplit(share_url(network="x_post", text="Graphiste à Lyon", page_url=page))
    assert x.netloc == "x.com"
    assert parse_qs(x.query) == {"text": ["Graphiste à Lyon"], "url": [page]}
    bsky = urlsplit(share_url(network="bluesky", text="Bonjour", page_url=page))
    assert parse_qs(bsky.query)["text"] == [f"Bonjour {page}"]
    linkedin = urlsplit(share_url(network="linkedin_headline", text="ignored", page_url=page))
    assert parse_qs(linkedin.query) == {"url": [page]}
    facebook = urlsplit(share_url(network="facebook_intro", text="ignored", page_url=page))
    assert parse_qs(facebook.query) == {"u": [page]}


def test_mastodon_share_needs_a_plausible_instance():
    page = "https://assosolos.fr/vitrine/"
    url = share_url(network="mastodon", text="Salut", page_url=page, instance="Mastodon.social")
    assert url.startswith("https://mastodon.social/share?text=Salut%20https%3A")
    assert share_url(network="mastodon", text="x", page_url=page, instance="") == ""
    assert share_url(network="mastodon", text="x", page_url=page, instance="evil/..") == ""
    assert share_url(network="instagram_bio", text="x", page_url=page) == ""
