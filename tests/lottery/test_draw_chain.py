"""The public chain of commitments, and a record whose seal rule a verifier re-checks."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from lottery import commitment_chain, services
from lottery.draw import core as draw_core
from lottery.models import CommitmentEntry

from .factories import open_lottery
from .test_draw_services import ROUND, after_draw_time, closed_lottery, relay, seal_time_for

pytestmark = pytest.mark.django_db
__all__ = ["relay"]
ATOM = "{http://www.w3.org/2005/Atom}"


def _chain(client) -> str:
    response = client.get(reverse("lottery:commitments_chain"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode("ascii")


def test_each_opening_appends_an_entry_naming_the_one_before(client):
    lotteries = [open_lottery() for _ in range(3)]
    entries = commitment_chain.chain_file_parse(_chain(client))
    assert [e.position for e in entries] == [1, 2, 3]
    assert [e.lottery for e in entries] == [lottery.pk for lottery in lotteries]
    assert entries[0].previous_hash == commitment_chain.GENESIS_HASH
    assert entries[1].previous_hash == entries[0].sha256
    assert entries[2].previous_hash == entries[1].sha256
    assert commitment_chain.chain_check(entries) == []
    for entry, lottery in zip(entries, lotteries, strict=True):
        assert entry.commitment == lottery.commitment.commitment
        assert entry.prizes_sha256 == lottery.commitment.prizes_sha256


def test_an_entry_rewritten_later_breaks_the_chain_visibly(client):
    for _ in range(3):
        open_lottery()
    archived = _chain(client)
    # The platform quietly rewrites entry 2 with another commitment, hash recomputed.
    row = CommitmentEntry.objects.get(position=2)
    forged = commitment_chain.entry_parse(row.text)
    forged = commitment_chain.Entry(**{**forged.__dict__, "commitment": "ab" * 32})
    row.text, row.sha256 = forged.text, forged.sha256
    row.save()
    rewritten = commitment_chain.chain_file_parse(_chain(client))
    problems = commitment_chain.chain_check(rewritten)
    assert problems == [
        f"entry 3 names the previous hash {rewritten[2].previous_hash}, "
        f"the entry before it hashes to {forged.sha256}"
    ]
    # An archived copy still checks, and differs from today's from entry 2 on.
    old = commitment_chain.chain_file_parse(archived)
    assert commitment_chain.chain_check(old) == []
    assert [a.sha256 == b.sha256 for a, b in zip(old, rewritten, strict=True)] == [
        True,
        False,
        True,
    ]


def test_an_entry_not_written_canonically_is_refused():
    entry = commitment_chain.Entry(1, 7, "a" * 64, "b" * 64, "2026-12-06T11:00:00Z", "0" * 64)
    assert commitment_chain.entry_parse(entry.text) == entry
    with pytest.raises(commitment_chain.ChainError):
        commitment_chain.entry_parse(entry.text.replace("lottery=7", "lottery=07"))
    with pytest.raises(commitment_chain.ChainError):
        commitment_chain.entry_parse(entry.text.replace("position=1\n", "position=1 \n"))
    with pytest.raises(commitment_chain.ChainError):
        commitment_chain.entry_parse(entry.text + "extra=1\n")


def test_the_atom_feed_carries_each_entry_with_its_text(client):
    first, second = open_lottery(), open_lottery()
    response = client.get(reverse("lottery:commitments_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    items = feed.findall(f"{ATOM}entry")
    assert len(items) == 2
    newest = items[0]
    entry = second.commitment_entry
    assert newest.find(f"{ATOM}id").text == f"urn:sha256:{entry.sha256}"
    assert second.title in newest.find(f"{ATOM}title").text
    assert entry.text.split("\n")[3] in newest.find(f"{ATOM}summary").text
    assert (
        newest.find(f"{ATOM}link")
        .get("href")
        .endswith(reverse("lottery:draw_result", args=[second.slug]))
    )
    assert items[1].find(f"{ATOM}id").text == f"urn:sha256:{first.commitment_entry.sha256}"


def test_the_result_page_links_its_entry(client):
    lottery = open_lottery()
    page = client.get(reverse("lottery:draw_result", args=[lottery.slug])).content.decode()
    assert lottery.commitment_entry.sha256 in page
    assert reverse("lottery:commitments_feed") in page


def _download_verifier(client, tmp_path, lottery):
    for name, url in [
        ("draw.json", reverse("lottery:draw_record", args=[lottery.slug])),
        ("commitments.txt", reverse("lottery:commitments_chain")),
        ("verify_draw.py", reverse("lottery:draw_verifier")),
        ("draw_core.py", reverse("lottery:draw_verifier_file", args=["draw_core.py"])),
        (
            "commitment_chain.py",
            reverse("lottery:draw_verifier_file", args=["commitment_chain.py"]),
        ),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        (tmp_path / name).write_bytes(body)
    ledger = client.get(reverse("lottery:draw_ledger", args=[lottery.slug]))
    (tmp_path / "ledger.txt").write_bytes(b"".join(ledger.streaming_content))


def _verify(tmp_path, *extra) -> subprocess.CompletedProcess:
    # The served files alone, in an empty folder, in isolated mode: no source tree.
    return subprocess.run(
        [sys.executable, "-I", "verify_draw.py", "draw.json", "ledger.txt", *extra],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_the_served_verifier_checks_a_draw_against_the_chain(client, relay, tmp_path):
    open_lottery()  # another lottery's entry comes first
    lottery = closed_lottery(buyers=4, quantity=2, prizes=(1, 1))
    services.ledger_seal(lottery_id=lottery.pk, now=seal_time_for(ROUND))
    services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    _download_verifier(client, tmp_path, lottery)
    done = _verify(tmp_path, "--chain", "commitments.txt")
    assert done.stdout == "valid\n", done.stdout + done.stderr

    # The record's commitment no longer matches what the chain published at opening.
    chain = (tmp_path / "commitments.txt").read_text()
    entry = lottery.commitment_entry
    forged = commitment_chain.entry_parse(entry.text)
    forged = commitment_chain.Entry(**{**forged.__dict__, "commitment": "cd" * 32})
    (tmp_path / "commitments.txt").write_text(chain.replace(entry.text, forged.text))
    done = _verify(tmp_path, "--chain", "commitments.txt")
    assert done.returncode == 1
    assert f"entry {entry.position} of the chain published the commitment {'cd' * 32}" in (
        done.stdout
    )


def _record_and_verify(client, tmp_path, lottery, change) -> str:
    _download_verifier(client, tmp_path, lottery)
    path = tmp_path / "draw.json"
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))
    done = _verify(tmp_path)
    assert done.returncode == 1, done.stdout
    return done.stdout


def test_the_record_states_the_seal_rule_and_a_verifier_reapplies_it(client, relay, tmp_path):
    lottery = closed_lottery(buyers=3, quantity=1)
    sealed = seal_time_for(ROUND).replace(microsecond=700_000)
    services.ledger_seal(lottery_id=lottery.pk, now=sealed)
    result = services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    record = result.record
    assert record["beacon_margin_seconds"] == 60
    assert record["sealed_at_unix"] == int(sealed.timestamp())
    assert record["sealed_at"].endswith(".700000+00:00")
    assert record["draw_at"] == lottery.draw_at.isoformat()
    assert record["drawn_at"] == result.drawn_at.isoformat()
    assert record["beacon_round"] == draw_core.beacon_round_for(
        sealed_at_unix=record["sealed_at_unix"], margin_seconds=60
    )

    def margin_changed(r):
        r["beacon_margin_seconds"] = 30

    out = _record_and_verify(client, tmp_path, lottery, margin_changed)
    assert f"the seal named round {ROUND}; the first round after the seal plus the 30 s" in out

    def unix_changed(r):
        r["sealed_at_unix"] += 1

    out = _record_and_verify(client, tmp_path, lottery, unix_changed)
    assert "is not the seal time" in out

    def other_chain(r):
        r["beacon"]["chain_hash"] = "00" * 32

    out = _record_and_verify(client, tmp_path, lottery, other_chain)
    assert "the beacon is not from drand quicknet" in out
