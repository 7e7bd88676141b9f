"""Complete draw records (draw.json + ledger) for the rules of docs/draw-algorithm.md §6–7.

Produced by `lottery.draw.core` itself: `python tests/lottery/draw_record_vectors.py`
rewrites the `records` section of draw_vectors.json, and a test checks the file is
what this module produces. Each vector gives the problems a verifier must report
(none for a valid draw).
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from lottery.draw import core as draw_core  # noqa: E402

# A real quicknet beacon (drand-verify's published example).
ROUND = 657413
SIGNATURE = (
    "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be"
    "41076862b98fad56e91a6b85b89cd97b"
)
PRIZES = [
    {"rank": 1, "name": "Panier garni", "value_cents": 4500, "quantity": 1},
    {"rank": 2, "name": "Atelier LinkedIn", "value_cents": 1250, "quantity": 2},
]


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _iso(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat()


def record_make(
    *,
    numbers: list[int],
    prizes: list[dict],
    lottery_id: int,
    beacon: bool,
    one_prize_per_person: bool = False,
    margin: int = 60,
) -> tuple[dict, str]:
    """A valid record and its ledger text, as the platform would publish them."""
    ledger_text = draw_core.ledger_bytes(
        (n, _h(f"holder {lottery_id} {n % 3}")[:16]) for n in numbers
    ).decode()
    ledger = draw_core.Ledger(ledger_text.encode())
    seed = _h(f"seed {lottery_id}")
    if beacon:
        # Sealed a quarter of a second into the second that names ROUND.
        sealed = draw_core.quicknet_round_time(ROUND) - margin - 3 + 0.25
        randomness = hashlib.sha256(bytes.fromhex(SIGNATURE)).hexdigest()
    else:
        sealed = 1796558400.25
        randomness = None
    by_rank = sorted(prizes, key=lambda p: p["rank"])
    result = draw_core.winners_draw(
        seed_hex=seed,
        ledger=ledger,
        ledger_sha256=ledger.sha256(),
        beacon_randomness=randomness,
        lottery_id=lottery_id,
        prize_quantities=[p["quantity"] for p in by_rank],
        one_prize_per_person=one_prize_per_person,
    )
    bound = draw_core.prizes_sha256(by_rank)
    record = {
        "algorithm": draw_core.ALGORITHM,
        "lottery_id": lottery_id,
        "commitment": draw_core.commitment_of(seed),
        "committed_at": _iso(sealed - 86400 * 30),
        "seed": seed,
        "ledger_sha256": ledger.sha256(),
        "ticket_count": ledger.count,
        "sealed_at": _iso(sealed),
        "sealed_at_unix": int(sealed),
        "beacon_margin_seconds": margin if beacon else None,
        "beacon_round": ROUND if beacon else None,
        "beacon": {
            "network": "quicknet",
            "chain_hash": draw_core.QUICKNET_CHAIN_HASH,
            "round": ROUND,
            "signature": SIGNATURE,
            "randomness": randomness,
        }
        if beacon
        else None,
        "draw_at": _iso(int(sealed) + 3600),
        "drawn_at": _iso(int(sealed) + 3601),
        "one_prize_per_person": one_prize_per_person,
        "prizes": by_rank,
        "prizes_sha256": bound,
        "seal_prizes_sha256": bound,
        "winners": draw_core.winners_as_record(result, prize_ranks=[p["rank"] for p in by_rank]),
        "unawarded_slots": result.unawarded_slots,
    }
    return record, ledger_text


def _vector(name: str, record: dict, ledger: str, problems: list[str]) -> dict:
    return {"name": name, "record": record, "ledger": ledger, "problems": problems}


def records_vectors() -> list[dict]:
    vectors = []
    record, ledger = record_make(
        numbers=list(range(1, 13)), prizes=PRIZES, lottery_id=11, beacon=True
    )
    vectors.append(_vector("beacon round named by the seal rule", record, ledger, []))

    changed = copy.deepcopy(record)
    changed["beacon_margin_seconds"] = 30
    rule = draw_core.beacon_round_for(sealed_at_unix=record["sealed_at_unix"], margin_seconds=30)
    vectors.append(
        _vector(
            "margin changed: the round is not the one the rule names",
            changed,
            ledger,
            [
                f"the seal named round {ROUND}; the first round after the seal plus the "
                f"30 s margin is {rule}"
            ],
        )
    )

    changed = copy.deepcopy(record)
    changed["sealed_at_unix"] += 1
    vectors.append(
        _vector(
            "sealed_at_unix is not the seal time in whole seconds",
            changed,
            ledger,
            [
                f"sealed_at_unix {changed['sealed_at_unix']} is not the seal time "
                f"{changed['sealed_at']} in whole Unix seconds"
            ],
        )
    )

    changed = copy.deepcopy(record)
    changed["beacon"]["chain_hash"] = "00" * 32
    vectors.append(
        _vector(
            "a beacon from another chain",
            changed,
            ledger,
            [f"the beacon is not from drand quicknet (chain hash {draw_core.QUICKNET_CHAIN_HASH})"],
        )
    )

    changed = copy.deepcopy(record)
    first, second = changed["prizes"][0], changed["prizes"][1]
    first["rank"], second["rank"] = second["rank"], first["rank"]
    changed["prizes"] = [second, first]
    listed = draw_core.prizes_sha256(changed["prizes"])
    # The slots follow the relabelled list, so the winners no longer match either.
    vectors.append(
        _vector(
            "prize ranks swapped after opening",
            changed,
            ledger,
            [
                f"the prize list hashes to {listed}, the commitment at opening bound "
                f"{record['prizes_sha256']}"
            ]
            + [
                f"slot {want['slot']}: recomputed {want}, published {got}"
                for want, got in zip(_winners(changed, ledger), record["winners"], strict=True)
                if want != got
            ],
        )
    )

    record, ledger = record_make(numbers=[], prizes=PRIZES, lottery_id=12, beacon=False)
    vectors.append(_vector("no ticket sold (N = 0): every slot unawarded", record, ledger, []))

    record, ledger = record_make(
        numbers=[3, 4, 8, 21, 22, 57, 1000, 1001, 99999],
        prizes=PRIZES,
        lottery_id=13,
        beacon=False,
        one_prize_per_person=True,
    )
    vectors.append(_vector("gaps in ticket numbers, one prize per person", record, ledger, []))

    record, ledger = record_make(
        numbers=list(range(1, 9)),
        prizes=[
            {"rank": 1, "name": "Panier garni", "value_cents": 4500, "quantity": 1},
            {"rank": 2, "name": "Lot retiré", "value_cents": 0, "quantity": 0},
            {"rank": 3, "name": "Atelier LinkedIn", "value_cents": 1250, "quantity": 1},
        ],
        lottery_id=14,
        beacon=False,
    )
    vectors.append(_vector("a prize of quantity 0 takes no slot", record, ledger, []))

    record = dict(record, published_by="an unknown field, ignored by verifiers")
    vectors.append(_vector("unknown fields are ignored", record, ledger, []))
    return vectors


def _winners(record: dict, ledger: str) -> list[dict]:
    led = draw_core.Ledger(ledger.encode())
    result = draw_core.winners_draw(
        seed_hex=record["seed"],
        ledger=led,
        ledger_sha256=led.sha256(),
        beacon_randomness=record["beacon"]["randomness"] if record["beacon"] else None,
        lottery_id=record["lottery_id"],
        prize_quantities=[p["quantity"] for p in record["prizes"]],
        one_prize_per_person=record["one_prize_per_person"],
    )
    return draw_core.winners_as_record(result, prize_ranks=[p["rank"] for p in record["prizes"]])


if __name__ == "__main__":
    path = HERE / "draw_vectors.json"
    vectors = json.loads(path.read_text())
    vectors["records"] = records_vectors()
    path.write_text(json.dumps(vectors, indent=1, ensure_ascii=False) + "\n")
