"""The public chain of draw commitments, written down in docs/draw-algorithm.md §10.

Standard library only, like `draw_core`: the platform writes entries with it and
`tools/verify_draw.py` checks a downloaded or archived copy with it.

Each lottery's opening appends one entry: its commitment to the draw's seed and its
prize list's hash. An entry's canonical text names the hash of the entry before
it, so changing, removing or inserting an entry later changes every hash after it:
a copy kept by anyone (an archiver, a reader of the Atom feed) no longer matches.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CHAIN_VERSION = "assosolos-commitments-v1"
GENESIS_HASH = "0" * 64
FIELDS = ("position", "lottery", "commitment", "prizes_sha256", "published_at", "previous_hash")

_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class ChainError(ValueError):
    """An entry or a chain file is malformed."""


@dataclass(frozen=True)
class Entry:
    position: int
    lottery: int
    commitment: str
    prizes_sha256: str
    published_at: str
    previous_hash: str

    @property
    def text(self) -> str:
        return entry_text(self)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("ascii")).hexdigest()


def published_at_text(moment: datetime) -> str:
    """An entry's time: UTC, to the second, with a Z (`2026-12-06T11:00:00Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_text(entry: Entry) -> str:
    """The bytes that are hashed: the version line, then one `name=value` line per field."""
    lines = [CHAIN_VERSION] + [f"{name}={getattr(entry, name)}" for name in FIELDS]
    return "\n".join(lines) + "\n"


def entry_parse(text: str) -> Entry:
    """Read one entry's canonical text back, refusing anything not canonical."""
    lines = text.split("\n")
    if len(lines) != len(FIELDS) + 2 or lines[0] != CHAIN_VERSION or lines[-1] != "":
        raise ChainError(f"an entry is {len(FIELDS) + 1} lines, the first {CHAIN_VERSION!r}")
    values = {}
    for name, line in zip(FIELDS, lines[1:-1], strict=True):
        key, sep, value = line.partition("=")
        if key != name or not sep:
            raise ChainError(f"expected the field {name!r}, found {line[:40]!r}")
        values[name] = value
    try:
        entry = Entry(
            position=int(values["position"]),
            lottery=int(values["lottery"]),
            commitment=values["commitment"],
            prizes_sha256=values["prizes_sha256"],
            published_at=values["published_at"],
            previous_hash=values["previous_hash"],
        )
    except ValueError as exc:
        raise ChainError(f"position and lottery are integers: {exc}") from None
    if entry.text != text:
        raise ChainError(f"entry {values['position']} is not written canonically")
    if not (_HEX64.fullmatch(entry.commitment) and _HEX64.fullmatch(entry.previous_hash)):
        raise ChainError(f"entry {entry.position}: hashes are 64 lowercase hex digits")
    if entry.prizes_sha256 and not _HEX64.fullmatch(entry.prizes_sha256):
        raise ChainError(f"entry {entry.position}: prizes_sha256 is 64 lowercase hex digits")
    if not _TIME.fullmatch(entry.published_at):
        raise ChainError(f"entry {entry.position}: published_at is YYYY-MM-DDTHH:MM:SSZ")
    return entry


def chain_file_text(entries: Iterable[Entry]) -> str:
    """The whole chain as one file: the entries in order, separated by an empty line."""
    return "\n".join(entry.text for entry in entries)


def chain_file_parse(text: str) -> list[Entry]:
    if not text:
        return []
    return [entry_parse(block + "\n") for block in text.rstrip("\n").split("\n\n")]


def chain_check(entries: list[Entry]) -> list[str]:
    """What breaks the chain: positions not 1, 2, 3…, a previous hash that does not match."""
    problems = []
    previous = GENESIS_HASH
    for expected_position, entry in enumerate(entries, start=1):
        if entry.position != expected_position:
            problems.append(
                f"entry {entry.position} stands at position {expected_position} of the chain"
            )
        if entry.previous_hash != previous:
            problems.append(
                f"entry {entry.position} names the previous hash {entry.previous_hash}, "
                f"the entry before it hashes to {previous}"
            )
        previous = entry.sha256
    return problems


def chain_find(entries: list[Entry], *, lottery: int) -> Entry | None:
    return next((e for e in entries if e.lottery == lottery), None)
