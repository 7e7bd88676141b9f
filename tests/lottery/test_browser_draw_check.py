"""The result page re-checks a draw in the reader's browser (static/js/verify_draw.js)."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from lottery import services

from .test_draw_core import VECTORS
from .test_draw_services import ROUND, after_draw_time, closed_lottery, relay, seal_time_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["relay"]


def _drawn_with_beacon():
    lottery = closed_lottery(buyers=5, quantity=2, prizes=(1, 2))
    services.ledger_seal(lottery_id=lottery.pk, now=seal_time_for(ROUND))
    services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    return lottery


def _run_check(page, url: str) -> tuple[str, list[str]]:
    page.goto(url)
    box = page.locator("[data-draw-check]")
    box.get_by_role("button").click()
    verdict = page.locator("[data-draw-check-output] [data-verdict]")
    verdict.wait_for()
    return verdict.get_attribute("data-verdict"), page.locator(
        ".draw-check-lines li"
    ).all_inner_texts()


def test_the_page_checks_a_real_draw_and_names_a_tampered_ledger(browser_page, relay):
    lottery = _drawn_with_beacon()
    page = browser_page
    url = reverse("lottery:draw_result", args=[lottery.slug])
    verdict, lines = _run_check(page, url)
    assert verdict == "valid", lines
    assert all(not line.startswith("✗") for line in lines)
    assert sum(line.startswith("✓") for line in lines) == 6  # each check made
    assert any(str(ROUND) in line for line in lines)
    assert any("BLS" in line for line in lines)  # what it did not check, said

    # The test serves a ledger with one holder digit changed.
    ledger_url = reverse("lottery:draw_ledger", args=[lottery.slug])
    tampered = bytearray(page.context.request.get(ledger_url).body())
    tampered[11] = ord("0") if tampered[11] != ord("0") else ord("1")
    page.route(
        f"**{ledger_url}",
        lambda route: route.fulfill(status=200, body=bytes(tampered), content_type="text/plain"),
    )
    verdict, lines = _run_check(page, url)
    assert verdict == "invalid"
    bad = [line for line in lines if line.startswith("✗")]
    assert any(hashlib.sha256(bytes(tampered)).hexdigest() in line for line in bad), bad
    assert not any("ledger" in line and line.startswith("✓") for line in lines)


def test_the_browser_check_agrees_with_the_python_verifier_on_every_record_vector(
    browser_page, relay
):
    lottery = _drawn_with_beacon()
    page = browser_page
    page.goto(reverse("lottery:draw_result", args=[lottery.slug]))
    results = page.evaluate(
        """async (vectors) => {
            const out = [];
            for (const v of vectors) {
                const ledger = new TextEncoder().encode(v.ledger);
                const r = await window.AssosolosDrawCheck.check(v.record, ledger, null);
                out.push(r.problems.map((p) => p.code));
            }
            return out;
        }""",
        VECTORS["records"],
    )
    for vector, codes in zip(VECTORS["records"], results, strict=True):
        assert bool(codes) == bool(vector["problems"]), (vector["name"], codes)
    by_name = dict(zip([v["name"] for v in VECTORS["records"]], results, strict=True))
    assert by_name["margin changed: the round is not the one the rule names"] == ["round_rule"]
    assert by_name["a beacon from another chain"] == ["beacon_chain"]
    assert by_name["prize ranks swapped after opening"][0] == "prizes"
    assert "winner" in by_name["prize ranks swapped after opening"]


def test_the_whole_draws_vectors_give_the_same_winners_in_the_browser(browser_page, relay):
    lottery = _drawn_with_beacon()
    page = browser_page
    page.goto(reverse("lottery:draw_result", args=[lottery.slug]))
    record = lottery.draw_result.record
    for vector in VECTORS["draws"]:
        # A record around each complete-draw vector (no seal time: only the winners).
        candidate = dict(
            record,
            lottery_id=vector["lottery_id"],
            seed=vector["seed"],
            commitment=vector["commitment"],
            ledger_sha256=vector["ledger_sha256"],
            ticket_count=len(vector["ledger"]) // 28,
            one_prize_per_person=vector["one_prize_per_person"],
            prizes=vector["prizes"],
            prizes_sha256=None,
            winners=vector["winners"],
            unawarded_slots=vector["unawarded_slots"],
            beacon=None
            if vector["beacon_randomness"] is None
            else dict(record["beacon"], randomness=vector["beacon_randomness"]),
        )
        codes = page.evaluate(
            """async ([record, text]) => {
                const r = await window.AssosolosDrawCheck.check(
                    record, new TextEncoder().encode(text), null);
                return r.problems.map((p) => p.code);
            }""",
            [candidate, vector["ledger"]],
        )
        # The randomness is not SHA-256 of the borrowed signature: only that may differ.
        assert set(codes) <= {"beacon_randomness", "beacon_unused"}, (vector["name"], codes)
