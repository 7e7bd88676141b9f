"""The draw's pure core: published test vectors, no bias, sampling without replacement."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from lottery import drand
from lottery.draw import core as draw_core
from lottery.draw.core import DrawInputError, Ledger, Stream

VECTORS = json.loads(Path(__file__).with_name("draw_vectors.json").read_text())
# A real quicknet beacon (round 657413), from drand-verify's published examples.
BEACON_RANDOMNESS = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587"


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _ledger(n: int, holders: int = 10**9) -> Ledger:
    return Ledger(draw_core.ledger_bytes((i, _h(f"h{i % holders}")[:16]) for i in range(1, n + 1)))


def _draw(ledger: Ledger, **overrides) -> draw_core.DrawResult:
    args = {
        "seed_hex": _h("seed"),
        "ledger": ledger,
        "ledger_sha256": ledger.sha256(),
        "beacon_randomness": BEACON_RANDOMNESS,
        "lottery_id": 5,
        "prize_quantities": [1, 2, 3],
        "one_prize_per_person": False,
    }
    args.update(overrides)
    return draw_core.winners_draw(**args)


def _record(ledger: Ledger, result: draw_core.DrawResult, seed: str, beacon=None) -> dict:
    return {
        "algorithm": draw_core.ALGORITHM,
        "lottery_id": 5,
        "commitment": draw_core.commitment_of(seed),
        "seed": seed,
        "ledger_sha256": ledger.sha256(),
        "ticket_count": ledger.count,
        "sealed_at": "2026-12-06T11:00:00.500000+00:00",
        "sealed_at_unix": 1796554800,
        "beacon_round": None,
        "beacon": beacon,
        "one_prize_per_person": False,
        "prizes": [{"rank": r, "quantity": q} for r, q in [(1, 1), (2, 2), (3, 3)]],
        "winners": draw_core.winners_as_record(result, prize_ranks=[1, 2, 3]),
        "unawarded_slots": result.unawarded_slots,
    }


@pytest.mark.parametrize("vector", VECTORS["stream"], ids=lambda v: v["key"][:8])
def test_stream_vectors(vector):
    assert Stream(bytes.fromhex(vector["key"])).read(64).hex() == vector["first_64_bytes"]


@pytest.mark.parametrize("vector", VECTORS["below"], ids=lambda v: str(v["n"]))
def test_discard_sampling_vectors(vector):
    stream = Stream(bytes.fromhex(vector["key"]))
    assert [stream.below(vector["n"]) for _ in range(8)] == vector["values"]
    assert stream.bytes_used == vector["stream_bytes_used"]


@pytest.mark.parametrize("vector", VECTORS["sample"], ids=lambda v: f"{v['n']}-{v['k']}")
def test_sampling_vectors(vector):
    positions = draw_core.positions_sample(
        key=bytes.fromhex(vector["key"]), n=vector["n"], k=vector["k"]
    )
    assert positions == vector["positions"]
    assert len(set(positions)) == len(positions)


@pytest.mark.parametrize("vector", VECTORS["draws"], ids=lambda v: v["name"])
def test_draw_vectors(vector):
    ledger = Ledger(vector["ledger"].encode())
    assert ledger.sha256() == vector["ledger_sha256"]
    assert draw_core.commitment_of(vector["seed"]) == vector["commitment"]
    key = draw_core.draw_key(
        seed_hex=vector["seed"],
        ledger_sha256=vector["ledger_sha256"],
        beacon_randomness=vector["beacon_randomness"],
        lottery_id=vector["lottery_id"],
    )
    assert key.hex() == vector["key"]
    result = draw_core.winners_draw(
        seed_hex=vector["seed"],
        ledger=ledger,
        ledger_sha256=vector["ledger_sha256"],
        beacon_randomness=vector["beacon_randomness"],
        lottery_id=vector["lottery_id"],
        prize_quantities=[p["quantity"] for p in vector["prizes"]],
        one_prize_per_person=vector["one_prize_per_person"],
    )
    ranks = [p["rank"] for p in vector["prizes"]]
    assert draw_core.winners_as_record(result, prize_ranks=ranks) == vector["winners"]
    assert result.unawarded_slots == vector["unawarded_slots"]


def test_same_inputs_same_winners_every_time():
    ledger = _ledger(5000)
    first = _draw(ledger)
    assert all(_draw(ledger) == first for _ in range(3))
    assert first == _draw(_ledger(5000))


def _chi_square(counts: Counter, n: int, total: int) -> float:
    expected = total / n
    return sum((counts.get(i, 0) - expected) ** 2 / expected for i in range(n))


# Critical values of the chi-square distribution at p = 0.001.
CHI2_CRITICAL = {6: 22.458, 9: 27.877, 199: 267.54}


@pytest.mark.parametrize("n", [7, 10])
def test_first_picks_are_uniform_for_n_not_a_power_of_two(n):
    trials = 3000 * n
    firsts: Counter = Counter()
    thirds: Counter = Counter()
    for t in range(trials):
        picks = draw_core.positions_sample(key=hashlib.sha256(b"%d" % t).digest(), n=n, k=3)
        firsts[picks[0]] += 1
        thirds[picks[2]] += 1
    assert _chi_square(firsts, n, trials) < CHI2_CRITICAL[n - 1]
    assert _chi_square(thirds, n, trials) < CHI2_CRITICAL[n - 1]


def test_the_chi_square_check_catches_modulo_bias():
    """Proves the check above has teeth: reducing one byte modulo 200 is caught."""
    n, trials = 200, 40000
    biased: Counter = Counter()
    fair: Counter = Counter()
    for t in range(trials):
        key = hashlib.sha256(b"%d" % t).digest()
        biased[Stream(key).read(1)[0] % n] += 1
        fair[Stream(key).below(n)] += 1
    assert _chi_square(biased, n, trials) > CHI2_CRITICAL[n - 1]
    assert _chi_square(fair, n, trials) < CHI2_CRITICAL[n - 1]


def test_k_equal_n_every_ticket_wins_once():
    ledger = _ledger(37)
    result = _draw(ledger, prize_quantities=[37])
    assert sorted(w.number for w in result.winners) == list(range(1, 38))
    assert result.unawarded_slots == []


def test_more_prizes_than_tickets_leaves_slots_unawarded():
    result = _draw(_ledger(4), prize_quantities=[2, 3])
    assert len(result.winners) == 4
    assert result.unawarded_slots == [4]


def test_prizes_in_rank_order_with_quantities():
    result = _draw(_ledger(1000), prize_quantities=[1, 3, 2])
    assert [w.prize for w in result.winners] == [0, 1, 1, 1, 2, 2]
    assert [w.slot for w in result.winners] == list(range(6))


def test_one_prize_per_person():
    # 3 holders, 300 tickets: at most 3 winners, all different people.
    ledger = _ledger(300, holders=3)
    without = _draw(ledger, prize_quantities=[2, 3])
    assert len({w.holder for w in without.winners}) < 5
    result = _draw(ledger, prize_quantities=[2, 3], one_prize_per_person=True)
    holders = [w.holder for w in result.winners]
    assert len(holders) == len(set(holders)) == 3
    assert result.unawarded_slots == [3, 4]
    assert result.draws == 300  # the pool ran out looking for a fourth person


def _changed_record_problems(mutate) -> list[str]:
    ledger = _ledger(200)
    seed = _h("seed")
    result = _draw(ledger, beacon_randomness=None)
    record = _record(ledger, result, seed)
    assert draw_core.draw_record_check(record, ledger) == []
    return mutate(record, ledger)


def test_changing_one_ticket_changes_the_winners_and_fails_verification():
    ledger = _ledger(200)
    raw = bytearray(ledger._file.getvalue())
    raw[draw_core.RECORD_SIZE * 10 + 11] ^= 1  # one hex digit of ticket 11's holder
    tampered = Ledger(bytes(raw))
    assert _draw(tampered, ledger_sha256=tampered.sha256()) != _draw(ledger)

    problems = _changed_record_problems(
        lambda record, _ledger: draw_core.draw_record_check(record, tampered)
    )
    assert any("SHA-256" in p for p in problems)
    assert any(p.startswith("slot ") for p in problems)


def test_changing_the_seed_changes_the_winners_and_fails_verification():
    ledger = _ledger(200)
    assert _draw(ledger, seed_hex=_h("other")) != _draw(ledger)

    def mutate(record, ledger):
        record["seed"] = _h("other")
        return draw_core.draw_record_check(record, ledger)

    problems = _changed_record_problems(mutate)
    assert "the revealed seed does not match the commitment published at opening" in problems
    assert any(p.startswith("slot ") for p in problems)


def test_changing_the_beacon_changes_the_winners_and_fails_verification():
    ledger = _ledger(200)
    assert _draw(ledger, beacon_randomness=_h("x")) != _draw(ledger)
    assert _draw(ledger, beacon_randomness=None) != _draw(ledger)

    def mutate(record, ledger):
        signature = "ab" * 48
        record["beacon_round"] = 657413
        record["beacon"] = {
            "round": 657413,
            "signature": signature,
            "randomness": hashlib.sha256(bytes.fromhex(signature)).hexdigest(),
        }
        return draw_core.draw_record_check(record, ledger, beacon_verify=lambda r, s: _h("y"))

    problems = _changed_record_problems(mutate)
    assert "the beacon's BLS signature does not give its randomness" in problems
    assert any(p.startswith("slot ") for p in problems)


def test_malformed_inputs_are_refused_clearly():
    with pytest.raises(DrawInputError, match="seed"):
        draw_core.commitment_of("zz" * 32)
    with pytest.raises(DrawInputError, match="record size"):
        Ledger(b"0000000001 00000000000000aa")
    with pytest.raises(DrawInputError, match="increasing"):
        draw_core.ledger_bytes([(2, "0" * 16), (1, "0" * 16)])
    with pytest.raises(DrawInputError, match="not after"):
        Ledger(b"0000000002 0000000000000000\n0000000002 0000000000000000\n").check_order()


def test_quicknet_round_after():
    genesis = draw_core.QUICKNET_GENESIS
    assert draw_core.quicknet_round_time(1) == genesis
    assert draw_core.quicknet_round_after(genesis) == 2
    assert draw_core.quicknet_round_after(genesis + 2.9) == 2
    assert draw_core.quicknet_round_after(genesis + 3) == 3
    assert draw_core.quicknet_round_time(draw_core.quicknet_round_after(genesis + 100)) > (
        genesis + 100
    )


def test_the_core_never_uses_python_random():
    source = Path(draw_core.__file__).read_text()
    assert "import random" not in source and "from random" not in source


@pytest.mark.parametrize("vector", VECTORS["prizes"], ids=lambda v: v["name"])
def test_prize_list_vectors(vector):
    assert draw_core.prizes_canonical(vector["prizes"]).decode() == vector["canonical"]
    assert draw_core.prizes_sha256(vector["prizes"]) == vector["sha256"]


def test_swapping_two_prize_ranks_changes_the_bound_hash():
    two, swapped = VECTORS["prizes"][0], VECTORS["prizes"][1]
    assert two["sha256"] != swapped["sha256"]


# Complete records: every rule of the record, checked by both verifiers


def _bls(round_number: int, signature: str) -> str:
    return drand.beacon_verify(round_number=round_number, signature=signature)


@pytest.mark.parametrize("vector", VECTORS["records"], ids=lambda v: v["name"])
def test_record_vectors_give_exactly_their_problems(vector, tmp_path):
    from .test_draw_verify import SCRIPT

    ledger = Ledger(vector["ledger"].encode())
    assert (
        draw_core.draw_record_check(vector["record"], ledger, beacon_verify=_bls)
        == vector["problems"]
    )
    (tmp_path / "draw.json").write_text(json.dumps(vector["record"], ensure_ascii=False))
    (tmp_path / "ledger.txt").write_text(vector["ledger"])
    done = subprocess.run(
        [sys.executable, "-I", str(SCRIPT), "draw.json", "ledger.txt"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    lines = done.stdout.splitlines()
    if vector["problems"]:
        assert (done.returncode, lines) == (1, vector["problems"])
    else:
        assert done.returncode == 0 and lines[0] == "valid", done.stdout + done.stderr


def test_record_vectors_are_what_draw_core_produces():
    from .draw_record_vectors import records_vectors

    assert json.loads(json.dumps(records_vectors(), ensure_ascii=False)) == VECTORS["records"]
