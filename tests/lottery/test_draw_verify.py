"""Anyone can check a draw: the standalone script and `manage.py draw_verify`."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lottery import services

from .test_draw_services import ROUND, after_draw_time, closed_lottery, relay, seal_time_for

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"
__all__ = ["relay"]


def _drawn(*, with_beacon: bool):
    lottery = closed_lottery(buyers=4, quantity=3, prizes=(1, 2))
    services.ledger_seal(lottery_id=lottery.pk, now=seal_time_for(ROUND) if with_beacon else None)
    services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    return lottery


def _download(client, lottery, tmp_path) -> tuple[Path, Path]:
    record = client.get(reverse("lottery:draw_record", args=[lottery.slug]))
    ledger = client.get(reverse("lottery:draw_ledger", args=[lottery.slug]))
    assert record.status_code == ledger.status_code == 200
    (tmp_path / "draw.json").write_bytes(record.content)
    (tmp_path / "ledger.txt").write_bytes(b"".join(ledger.streaming_content))
    return tmp_path / "draw.json", tmp_path / "ledger.txt"


def _run_script(*files: Path) -> subprocess.CompletedProcess:
    # -I: isolated mode, no project path, no PYTHONPATH, no Django settings.
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), *map(str, files)],
        capture_output=True,
        text=True,
        cwd=files[0].parent,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_the_standalone_script_verifies_a_draw_from_the_downloaded_files(client, relay, tmp_path):
    lottery = _drawn(with_beacon=True)
    record, ledger = _download(client, lottery, tmp_path)
    done = _run_script(record, ledger)
    assert done.stdout == "valid\n", done.stdout + done.stderr
    assert done.returncode == 0


def test_the_script_says_exactly_what_does_not_match(client, relay, tmp_path):
    lottery = _drawn(with_beacon=True)
    record, ledger = _download(client, lottery, tmp_path)
    data = bytearray(ledger.read_bytes())
    data[11] = ord("0") if data[11] != ord("0") else ord("1")  # one holder digit of ticket 1
    ledger.write_bytes(bytes(data))
    done = _run_script(record, ledger)
    assert done.returncode == 1
    assert "the ledger file's SHA-256 is" in done.stdout
    assert done.stdout != "valid\n"

    text = record.read_text()
    signature = lottery.draw_result.beacon_signature
    forged = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    record.write_text(text.replace(signature, forged))
    done = _run_script(record, ledger)
    assert "the beacon randomness is not SHA-256 of its signature" in done.stdout


def test_swapping_two_prize_ranks_in_the_record_is_a_mismatch(client, settings, tmp_path):
    settings.DRAND_URLS = []
    lottery = _drawn(with_beacon=False)
    record, ledger = _download(client, lottery, tmp_path)
    done = _run_script(record, ledger)
    assert done.stdout.splitlines()[0] == "valid"
    assert "note: no public randomness" in done.stdout
    data = json.loads(record.read_text())
    assert data["prizes_sha256"] == lottery.commitment.prizes_sha256
    first, second = data["prizes"][0], data["prizes"][1]
    first["rank"], second["rank"] = second["rank"], first["rank"]
    record.write_text(json.dumps(data))
    done = _run_script(record, ledger)
    assert done.returncode == 1
    assert "the prize list hashes to" in done.stdout, done.stdout


def test_a_prize_changed_between_opening_and_seal_is_a_mismatch(client, settings, tmp_path):
    settings.DRAND_URLS = []
    lottery = closed_lottery(buyers=4, quantity=3, prizes=(1, 2))
    lottery.prizes.filter(rank=1).update(name="Un autre lot")
    services.ledger_seal(lottery_id=lottery.pk)
    services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    record, ledger = _download(client, lottery, tmp_path)
    done = _run_script(record, ledger)
    assert done.returncode == 1
    assert "the prize list hashes to" in done.stdout
    assert "the seal names another prize list than the opening" in done.stdout


def test_manage_draw_verify(settings):
    settings.DRAND_URLS = []
    lottery = _drawn(with_beacon=False)
    out = StringIO()
    call_command("draw_verify", lottery.slug, stdout=out)
    assert out.getvalue() == "valid\n"

    seal = lottery.ledger_seal
    path = Path(seal.ledger.path)
    path.write_bytes(path.read_bytes()[:-28])  # the last ticket removed
    out = StringIO()
    with pytest.raises(CommandError, match="does not verify"):
        call_command("draw_verify", lottery.slug, stdout=out)
    assert "the ledger holds" in out.getvalue()


def test_manage_draw_verify_refuses_an_undrawn_lottery():
    lottery = closed_lottery()
    with pytest.raises(CommandError, match="has not been drawn"):
        call_command("draw_verify", lottery.slug)


def test_the_script_checks_the_beacon_with_py_ecc_without_drand_verify(monkeypatch):
    import importlib.util

    from lottery.draw.core import QUICKNET_PUBLIC_KEY

    from .drand_relay import RECORDED_BEACONS, forged

    spec = importlib.util.spec_from_file_location("verify_draw_under_test", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setitem(sys.modules, "drand_verify", None)  # no wheel on this platform
    verify = script._bls_verifier(QUICKNET_PUBLIC_KEY)
    assert verify is not None
    signature = RECORDED_BEACONS[657413]
    assert verify(657413, signature) == (
        "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587"
    )
    with pytest.raises(ValueError, match="does not verify"):
        verify(657413, forged(signature))
