#!/usr/bin/env python3
"""Check a published Assosolos draw from its files alone.

    python3 tools/verify_draw.py draw.json ledger.txt
    python3 tools/verify_draw.py draw.json ledger.txt --chain commitments.txt

Download draw.json and ledger.txt from the draw's result page. The script needs
Python 3.11+ and its standard library; a draw that used a drand beacon also needs
a BLS library to check the beacon's signature: `drand-verify` (pip install
drand-verify==0.2.1, fast, x86-64 Linux and CPython 3.11-3.12 only) or, anywhere,
`py-ecc` (pip install py-ecc==8.0.0, about half a second, with lottery/drand_bls.py).
It recomputes the commitment, the ledger hash, the beacon and the winners with the
algorithm in docs/draw-algorithm.md and prints "valid", or one line per mismatch and
exits with status 1.

With `--chain`, it also checks the public chain of commitments (downloaded from
the site, or better a copy archived earlier): every entry names the hash of the one
before it, and the draw's commitment and prize list hash are the ones its entry
published at opening.

The algorithm's code is `lottery/draw/core.py` and `lottery/commitment_chain.py`
from the same source tree (standard library only); copies of those files next to
this script work too, as the site serves them: `draw_core.py` and
`commitment_chain.py`.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Where each module the script runs stands in the source tree, when no copy of it
# lies next to the script under its served name.
IN_TREE = {
    "draw_core": HERE.parent / "lottery" / "draw" / "core.py",
    "commitment_chain": HERE.parent / "lottery" / "commitment_chain.py",
    "drand_bls": HERE.parent / "lottery" / "drand_bls.py",
}


def _candidates(name: str) -> tuple[Path, Path]:
    return HERE / f"{name}.py", IN_TREE[name]


def _load(name: str):
    for candidate in _candidates(name):
        if candidate.is_file():
            spec = importlib.util.spec_from_file_location(f"assosolos_{name}", candidate)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            return module
    sys.exit(f"{name}.py not found: run this script from the Assosolos source tree")


def chain_problems(record: dict, chain_text: str) -> list[str]:
    """The chain holds together and holds this draw's commitment as published."""
    chain = _load("commitment_chain")
    try:
        entries = chain.chain_file_parse(chain_text)
    except chain.ChainError as exc:
        return [f"the commitments chain is malformed: {exc}"]
    problems = chain.chain_check(entries)
    entry = chain.chain_find(entries, lottery=record.get("lottery_id"))
    if entry is None:
        return [*problems, "the commitments chain holds no entry for this lottery"]
    if entry.commitment != record.get("commitment"):
        problems.append(
            f"entry {entry.position} of the chain published the commitment "
            f"{entry.commitment}, the record says {record.get('commitment')}"
        )
    if entry.prizes_sha256 != (record.get("prizes_sha256") or ""):
        problems.append(
            f"entry {entry.position} of the chain bound the prize list "
            f"{entry.prizes_sha256 or '(none)'}, the record says {record.get('prizes_sha256')}"
        )
    return problems


def _load_module(name: str):
    for candidate in _candidates(name):
        if candidate.is_file():
            spec = importlib.util.spec_from_file_location(f"assosolos_{name}", candidate)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            return module
    return None


def _py_ecc_verifier(public_key: str):
    """py-ecc's quicknet check (lottery/drand_bls.py), or None when either is absent."""
    if importlib.util.find_spec("py_ecc") is None:
        return None
    bls = _load_module("drand_bls")
    if bls is None:
        return None

    def verify(round_number: int, signature: str) -> str:
        if not isinstance(round_number, int) or not re.fullmatch(r"[0-9a-f]{96}", signature):
            raise ValueError("malformed beacon")
        raw = bytes.fromhex(signature)
        if not bls.quicknet_signature_valid(
            round_number=round_number, signature=raw, public_key=bytes.fromhex(public_key)
        ):
            raise ValueError("the signature does not verify")
        return hashlib.sha256(raw).hexdigest()

    return verify


def _bls_verifier(public_key: str):
    """drand-verify's quicknet check, else py-ecc's, or None when neither is installed."""
    try:
        import drand_verify
    except ImportError:
        return _py_ecc_verifier(public_key)

    def verify(round_number: int, signature: str) -> str:
        # The library panics on non-hex input: only well-formed values reach it.
        if not isinstance(round_number, int) or not re.fullmatch(r"[0-9a-f]{96}", signature):
            raise ValueError("malformed beacon")
        return drand_verify.verify_quicknet(round_number, signature, public_key)

    return verify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("record", type=Path, help="draw.json")
    parser.add_argument("ledger", type=Path, help="ledger.txt")
    parser.add_argument("--chain", type=Path, help="commitments.txt (the public chain)")
    args = parser.parse_args(argv)
    core = _load("draw_core")
    try:
        record = json.loads(args.record.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.record}: {exc}")
        return 2
    beacon_verify = None
    if record.get("beacon") is not None:
        beacon_verify = _bls_verifier(core.QUICKNET_PUBLIC_KEY)
        if beacon_verify is None:
            print(
                "this draw used a drand beacon: install drand-verify or py-ecc to check its"
                " signature"
            )
    try:
        with args.ledger.open("rb") as ledger_file:
            problems = core.draw_record_check(
                record, core.Ledger(ledger_file), beacon_verify=beacon_verify
            )
    except OSError as exc:
        print(f"cannot read {args.ledger}: {exc}")
        return 2
    except (core.DrawInputError, KeyError, TypeError) as exc:
        problems = [f"malformed input: {exc}"]
    if args.chain is not None:
        try:
            problems += chain_problems(record, args.chain.read_text(encoding="ascii"))
        except (OSError, ValueError) as exc:
            print(f"cannot read {args.chain}: {exc}")
            return 2
    if problems:
        for problem in problems:
            print(problem)
        return 1
    print("valid")
    for note in core.draw_record_notes(record):
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
