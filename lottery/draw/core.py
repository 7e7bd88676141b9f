"""The draw's core: a pure function of its inputs, written down in docs/draw-algorithm.md.

No ORM, no clock, no randomness of its own, standard library only: the service,
the verifiers (`manage.py draw_verify`, `tools/verify_draw.py`) and the benchmark
call this very module, so what is published is what was run.

Vocabulary:
- the *ledger* is the canonical file of sold tickets, one fixed-width record per
  ticket in number order: `NNNNNNNNNN HHHHHHHHHHHHHHHH\\n` (ticket number on 10
  zero-padded decimal digits, a space, the holder's pseudonym as 16 lowercase hex
  digits, a line feed): 28 bytes a ticket, so record `i` is found without a scan;
- the *commitment* is SHA-256(seed), published when sales open;
- the *beacon randomness* is SHA-256 of a drand quicknet signature, or absent.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

ALGORITHM = "assosolos-draw-v1"
RECORD_SIZE = 28
NUMBER_DIGITS = 10
HOLDER_HEX = 16
MAX_NUMBER = 10**NUMBER_DIGITS - 1
SEED_BYTES = 32
NO_BEACON = bytes(32)
STREAM_LABEL = b"assosolos-draw-v1/stream"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_RECORD = re.compile(rb"[0-9]{10} [0-9a-f]{16}\n")
_CHUNK = re.compile(rb"(?:[0-9]{10} [0-9a-f]{16}\n)*")


class DrawInputError(ValueError):
    """An input to the draw is malformed (wrong length, not hex, unordered ledger...)."""


# Ledger


_HOLDER = re.compile(r"[0-9a-f]{16}")


def ledger_record(number: int, holder: str) -> bytes:
    """One canonical ledger line."""
    if not 1 <= number <= MAX_NUMBER:
        raise DrawInputError(f"ticket number out of range: {number}")
    if not _HOLDER.fullmatch(holder):
        raise DrawInputError(f"holder pseudonym must be {HOLDER_HEX} lowercase hex digits")
    return b"%010d %s\n" % (number, holder.encode("ascii"))


def ledger_write(rows: Iterable[tuple[int, str]], out: io.RawIOBase | io.BufferedIOBase) -> str:
    """Write the canonical ledger of `(number, holder)` rows; return its SHA-256 (hex).

    Rows must come in strictly increasing ticket number order. Records are built in
    batches and checked as a whole (every record 28 bytes of the right shape), which
    costs far less than checking each value on its own.
    """
    digest = hashlib.sha256()
    previous = 0
    batch: list[str] = []

    def flush() -> None:
        chunk = "".join(batch).encode("ascii")
        if len(chunk) != len(batch) * RECORD_SIZE or not _CHUNK.fullmatch(chunk):
            for line in batch:  # find the faulty record and say which
                ledger_record(int(line[:NUMBER_DIGITS]), line[NUMBER_DIGITS + 1 : -1])
            raise DrawInputError("malformed ledger record")
        digest.update(chunk)
        out.write(chunk)
        batch.clear()

    for number, holder in rows:
        if number <= previous:
            raise DrawInputError(f"ledger not in strictly increasing order at {number}")
        if number > MAX_NUMBER:
            raise DrawInputError(f"ticket number out of range: {number}")
        previous = number
        batch.append(f"{number:010d} {holder}\n")
        if len(batch) >= 65536:
            flush()
    flush()
    return digest.hexdigest()


def ledger_chunk_check(chunk: bytes) -> int:
    """Check that `chunk` is whole canonical records (their shape, not their order).

    For ledgers formatted elsewhere (the database); returns the number of records.
    """
    if len(chunk) % RECORD_SIZE or not _CHUNK.fullmatch(chunk):
        raise DrawInputError("malformed ledger record")
    return len(chunk) // RECORD_SIZE


def ledger_bytes(rows: Iterable[tuple[int, str]]) -> bytes:
    out = io.BytesIO()
    ledger_write(rows, out)
    return out.getvalue()


def sha256_file(fileobj, *, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a binary file object from its current position, in chunks."""
    digest = hashlib.sha256()
    while chunk := fileobj.read(chunk_size):
        digest.update(chunk)
    return digest.hexdigest()


class Ledger:
    """Random access to a canonical ledger held in bytes or in a seekable binary file."""

    def __init__(self, source: bytes | io.BufferedIOBase) -> None:
        if isinstance(source, bytes | bytearray | memoryview):
            self._file = io.BytesIO(bytes(source))
        else:
            self._file = source
        self._file.seek(0, os.SEEK_END)
        size = self._file.tell()
        if size % RECORD_SIZE:
            raise DrawInputError(
                f"ledger size {size} is not a multiple of the record size {RECORD_SIZE}"
            )
        self.count = size // RECORD_SIZE

    def sha256(self) -> str:
        self._file.seek(0)
        return sha256_file(self._file)

    def record(self, index: int) -> tuple[int, str]:
        """The ticket number and holder at 0-based position `index`."""
        self._file.seek(index * RECORD_SIZE)
        raw = self._file.read(RECORD_SIZE)
        if not _RECORD.fullmatch(raw):
            raise DrawInputError(f"ledger record {index} is malformed")
        return int(raw[:NUMBER_DIGITS]), raw[NUMBER_DIGITS + 1 : -1].decode("ascii")

    def check_order(self, *, chunk_records: int = 1 << 15) -> None:
        """Check every record's shape and that numbers strictly increase (a full pass)."""
        self._file.seek(0)
        previous = 0
        index = 0
        while chunk := self._file.read(chunk_records * RECORD_SIZE):
            for start in range(0, len(chunk), RECORD_SIZE):
                raw = chunk[start : start + RECORD_SIZE]
                if not _RECORD.fullmatch(raw):
                    raise DrawInputError(f"ledger record {index} is malformed")
                number = int(raw[:NUMBER_DIGITS])
                if number <= previous:
                    raise DrawInputError(
                        f"ledger record {index}: ticket {number} is not after {previous}"
                    )
                previous = number
                index += 1


# Commitment and inputs


def seed_check(seed_hex: str) -> bytes:
    if not isinstance(seed_hex, str) or not _HEX64.fullmatch(seed_hex):
        raise DrawInputError("the seed must be 64 lowercase hex digits")
    return bytes.fromhex(seed_hex)


def commitment_of(seed_hex: str) -> str:
    """The public commitment to a seed: SHA-256 of its 32 bytes, as hex."""
    return hashlib.sha256(seed_check(seed_hex)).hexdigest()


def draw_key(
    *, seed_hex: str, ledger_sha256: str, beacon_randomness: str | None, lottery_id: int
) -> bytes:
    """The HMAC key: seed ‖ ledger hash ‖ beacon randomness (or 32 zero bytes) ‖ lottery id."""
    seed = seed_check(seed_hex)
    if not _HEX64.fullmatch(ledger_sha256 or ""):
        raise DrawInputError("the ledger hash must be 64 lowercase hex digits")
    if beacon_randomness is None:
        beacon = NO_BEACON
    elif _HEX64.fullmatch(beacon_randomness):
        beacon = bytes.fromhex(beacon_randomness)
    else:
        raise DrawInputError("the beacon randomness must be 64 lowercase hex digits")
    if not 0 <= lottery_id < 2**63:
        raise DrawInputError("the lottery id is out of range")
    return seed + bytes.fromhex(ledger_sha256) + beacon + lottery_id.to_bytes(8, "big")


# The random stream


class Stream:
    """Bytes of HMAC-SHA256(key, label ‖ counter as 8-byte big-endian), counter 0, 1, 2..."""

    def __init__(self, key: bytes) -> None:
        self._mac = hmac.new(key, digestmod=hashlib.sha256)
        self._counter = 0
        self._buffer = b""
        self.bytes_used = 0

    def read(self, n: int) -> bytes:
        while len(self._buffer) < n:
            mac = self._mac.copy()
            mac.update(STREAM_LABEL + self._counter.to_bytes(8, "big"))
            self._buffer += mac.digest()
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        self.bytes_used += n
        return out

    def below(self, n: int) -> int:
        """A uniform integer in [0, n) by simple discard: no modulo bias.

        b = bit length of n − 1; read ceil(b / 8) bytes as a big-endian integer, keep
        its low b bits, and start again while the value is n or more. n = 1 reads nothing.
        """
        if n < 1:
            raise DrawInputError("cannot draw below 1")
        if n == 1:
            return 0
        bits = (n - 1).bit_length()
        nbytes = (bits + 7) // 8
        mask = (1 << bits) - 1
        while True:
            value = int.from_bytes(self.read(nbytes), "big") & mask
            if value < n:
                return value


class SparseShuffle:
    """Partial Fisher–Yates over positions 0..n−1, storing only the swapped positions."""

    def __init__(self, n: int, stream: Stream) -> None:
        self.n = n
        self.taken = 0
        self._stream = stream
        self._moved: dict[int, int] = {}

    def __len__(self) -> int:
        return self.n - self.taken

    def next(self) -> int:
        j = self.taken
        r = j + self._stream.below(self.n - j)
        picked = self._moved.get(r, r)
        self._moved[r] = self._moved.get(j, j)
        self._moved.pop(j, None)
        self.taken += 1
        return picked


# The draw


@dataclass(frozen=True)
class Winner:
    slot: int  # 0-based, over prizes in rank order, each repeated `quantity` times
    prize: int  # 0-based index into the prizes as given (rank order)
    position: int  # 0-based record index in the ledger
    number: int
    holder: str


@dataclass
class DrawResult:
    algorithm: str
    winners: list[Winner]
    unawarded_slots: list[int] = field(default_factory=list)
    draws: int = 0  # positions taken from the shuffle, including those set aside
    stream_bytes: int = 0


def winners_draw(
    *,
    seed_hex: str,
    ledger: Ledger,
    ledger_sha256: str,
    beacon_randomness: str | None,
    lottery_id: int,
    prize_quantities: Sequence[int],
    one_prize_per_person: bool = False,
) -> DrawResult:
    """Derive the winners. `prize_quantities` lists each prize's quantity, in rank order.

    Slots are filled in order; each takes the next position of the shuffle. Under the
    one-prize-per-person rule a position whose holder already won is set aside and the
    next one is taken. When the ledger runs out, the remaining slots are unawarded.
    """
    if any(q < 0 for q in prize_quantities):
        raise DrawInputError("a prize quantity cannot be negative")
    key = draw_key(
        seed_hex=seed_hex,
        ledger_sha256=ledger_sha256,
        beacon_randomness=beacon_randomness,
        lottery_id=lottery_id,
    )
    stream = Stream(key)
    shuffle = SparseShuffle(ledger.count, stream)
    winners: list[Winner] = []
    unawarded: list[int] = []
    holders_won: set[str] = set()
    slot = 0
    for prize_index, quantity in enumerate(prize_quantities):
        for _ in range(quantity):
            chosen = None
            while len(shuffle):
                position = shuffle.next()
                number, holder = ledger.record(position)
                if one_prize_per_person and holder in holders_won:
                    continue
                chosen = Winner(slot, prize_index, position, number, holder)
                break
            if chosen is None:
                unawarded.append(slot)
            else:
                winners.append(chosen)
                holders_won.add(chosen.holder)
            slot += 1
    return DrawResult(
        algorithm=ALGORITHM,
        winners=winners,
        unawarded_slots=unawarded,
        draws=shuffle.taken,
        stream_bytes=stream.bytes_used,
    )


def positions_sample(*, key: bytes, n: int, k: int) -> list[int]:
    """k distinct positions out of n from the stream of `key` (for tests and vectors)."""
    shuffle = SparseShuffle(n, Stream(key))
    return [shuffle.next() for _ in range(min(k, n))]


# drand quicknet's clock (drand `common/time.go`), for naming and checking the round

QUICKNET_CHAIN_HASH = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
QUICKNET_PUBLIC_KEY = (
    "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
    "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
    "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
)
QUICKNET_GENESIS = 1692803367
QUICKNET_PERIOD = 3


def quicknet_round_time(round_number: int) -> int:
    """Unix time at which a quicknet round is produced."""
    return QUICKNET_GENESIS + (round_number - 1) * QUICKNET_PERIOD


def quicknet_round_after(unix_time: float) -> int:
    """The first quicknet round produced strictly after `unix_time`."""
    if unix_time < QUICKNET_GENESIS:
        return 1
    return int((unix_time - QUICKNET_GENESIS) // QUICKNET_PERIOD) + 2


def beacon_round_for(*, sealed_at_unix: int, margin_seconds: int) -> int:
    """The round a seal names: the first produced strictly after seal + margin.

    `sealed_at_unix` is the seal time in whole Unix seconds (rounded down), the value
    the record publishes; the margin is a whole number of seconds.
    """
    return quicknet_round_after(sealed_at_unix + margin_seconds)


# Checking a published draw


def draw_record_check(record: dict, ledger: Ledger, *, beacon_verify=None) -> list[str]:
    """Recompute a published draw from its record (draw.json) and ledger file.

    Returns the list of what does not match; empty means valid. `beacon_verify`,
    when given, is called as `beacon_verify(round, signature_hex)` and returns the
    randomness hex, or raises when the BLS signature does not verify.
    """
    problems: list[str] = []
    if record.get("algorithm") != ALGORITHM:
        return [f"unknown algorithm {record.get('algorithm')!r} (this verifier knows {ALGORITHM})"]
    try:
        if commitment_of(record["seed"]) != record["commitment"]:
            problems.append("the revealed seed does not match the commitment published at opening")
    except DrawInputError as exc:
        problems.append(str(exc))
    actual_hash = ledger.sha256()
    if actual_hash != record["ledger_sha256"]:
        problems.append(
            f"the ledger file's SHA-256 is {actual_hash}, the published hash is "
            f"{record['ledger_sha256']}"
        )
    if ledger.count != record["ticket_count"]:
        problems.append(
            f"the ledger holds {ledger.count} tickets, the record says {record['ticket_count']}"
        )
    try:
        ledger.check_order()
    except DrawInputError as exc:
        problems.append(str(exc))
    beacon = record.get("beacon")
    randomness = None
    if record.get("beacon_round") is not None and beacon is None:
        problems.append(f"round {record['beacon_round']} was named at the seal but not used")
    if beacon is not None:
        randomness = beacon.get("randomness")
        if beacon.get("round") != record.get("beacon_round"):
            problems.append(
                f"the beacon is round {beacon.get('round')}, the seal named round "
                f"{record.get('beacon_round')}"
            )
        signature = beacon.get("signature", "")
        if not re.fullmatch(r"[0-9a-f]{96}", signature or ""):
            problems.append("the beacon signature is not 96 lowercase hex digits")
        elif hashlib.sha256(bytes.fromhex(signature)).hexdigest() != randomness:
            problems.append("the beacon randomness is not SHA-256 of its signature")
        elif beacon_verify is None:
            problems.append("the beacon's BLS signature was not checked (no BLS library)")
        else:
            try:
                if beacon_verify(beacon["round"], signature) != randomness:
                    problems.append("the beacon's BLS signature does not give its randomness")
            except Exception as exc:  # the library's own refusal, reported as such
                problems.append(f"the beacon's BLS signature does not verify: {exc}")
        if beacon.get("network") != "quicknet" or beacon.get("chain_hash") != QUICKNET_CHAIN_HASH:
            problems.append(
                f"the beacon is not from drand quicknet (chain hash {QUICKNET_CHAIN_HASH})"
            )
    problems.extend(_seal_time_problems(record))
    bound = record.get("prizes_sha256")
    if bound is not None:
        try:
            listed = prizes_sha256(record["prizes"])
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"the prize list cannot be read: {exc}")
        else:
            if listed != bound:
                problems.append(
                    f"the prize list hashes to {listed}, the commitment at opening bound {bound}"
                )
            named = record.get("seal_prizes_sha256")
            if named is not None and named != bound:
                problems.append("the seal names another prize list than the opening")
    try:
        result = winners_draw(
            seed_hex=record["seed"],
            ledger=ledger,
            ledger_sha256=actual_hash,
            beacon_randomness=randomness,
            lottery_id=record["lottery_id"],
            prize_quantities=[p["quantity"] for p in record["prizes"]],
            one_prize_per_person=bool(record["one_prize_per_person"]),
        )
    except DrawInputError as exc:
        problems.append(f"the winners cannot be recomputed: {exc}")
        return problems
    expected = winners_as_record(result, prize_ranks=[p["rank"] for p in record["prizes"]])
    published = record.get("winners", [])
    if expected != published:
        for want, got in zip(expected, published, strict=False):
            if want != got:
                problems.append(f"slot {want['slot']}: recomputed {want}, published {got}")
        if len(expected) != len(published):
            problems.append(
                f"recomputed {len(expected)} winners, the record publishes {len(published)}"
            )
    if result.unawarded_slots != record.get("unawarded_slots", []):
        problems.append(
            f"unawarded slots recomputed {result.unawarded_slots}, published "
            f"{record.get('unawarded_slots')}"
        )
    return problems


def _seal_time_problems(record: dict) -> list[str]:
    """The seal's time, its margin and the round it named agree with the rule of §1."""
    problems = []
    sealed_unix = record.get("sealed_at_unix")
    try:
        exact = datetime.fromisoformat(record["sealed_at"])
        if exact.tzinfo is None or math.floor(exact.timestamp()) != sealed_unix:
            problems.append(
                f"sealed_at_unix {sealed_unix} is not the seal time {record['sealed_at']} "
                "in whole Unix seconds"
            )
    except (KeyError, TypeError, ValueError):
        problems.append("sealed_at is not an ISO 8601 time with its UTC offset")
    named = record.get("beacon_round")
    if named is None or problems:
        return problems
    margin = record.get("beacon_margin_seconds")
    if type(margin) is not int or margin < 0 or type(named) is not int:
        problems.append("a round was named but the record gives no whole margin in seconds")
    elif (rule := beacon_round_for(sealed_at_unix=sealed_unix, margin_seconds=margin)) != named:
        problems.append(
            f"the seal named round {named}; the first round after the seal plus the "
            f"{margin} s margin is {rule}"
        )
    return problems


def draw_record_notes(record: dict) -> list[str]:
    """What a valid draw's reader should know (printed after "valid")."""
    if record.get("beacon") is None:
        return [
            "no public randomness: the seed committed at opening and the ledger alone "
            "decided the winners; the platform knew the seed, so only the commitment "
            "(published before the first sale) binds it"
        ]
    return []


def prizes_canonical(prizes: Sequence[dict]) -> bytes:
    """The prize list as hashed at opening: the bytes a verifier recomputes.

    Each prize is `{"name", "quantity", "rank", "value_cents"}`; the list is sorted
    by rank (ranks are unique), written as JSON with sorted keys, no spaces, UTF-8
    without escaping, and no trailing newline. A prize of quantity 0 stays in the list
    and takes no slot.
    """
    rows = [
        {
            "name": str(p["name"]),
            "quantity": int(p["quantity"]),
            "rank": int(p["rank"]),
            "value_cents": int(p["value_cents"]),
        }
        for p in sorted(prizes, key=lambda p: int(p["rank"]))
    ]
    return json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def prizes_sha256(prizes: Sequence[dict]) -> str:
    return hashlib.sha256(prizes_canonical(prizes)).hexdigest()


def winners_as_record(result: DrawResult, *, prize_ranks: Sequence[int]) -> list[dict]:
    return [
        {
            "slot": w.slot,
            "prize_rank": prize_ranks[w.prize],
            "ticket": w.number,
            "holder": w.holder,
        }
        for w in result.winners
    ]
