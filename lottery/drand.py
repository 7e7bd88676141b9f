"""Public randomness from drand's quicknet network, fetched from relays and verified.

A beacon is only ever used after its BLS signature has been checked against
quicknet's public key: with `drand-verify`, the Rust implementation of drand's own
check, through its Python binding (about 3 ms a beacon), where it has a wheel, and
elsewhere with py-ecc in pure Python (`drand_bls`, about half a second a beacon).
Relays are tried in the order of `DRAND_URLS`; one that is down, slow, or serves a
beacon that does not verify is skipped. With no relay configured (the embedded default), nothing is
fetched and draws are made without public randomness.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from .drand_bls import quicknet_signature_valid
from .draw.core import QUICKNET_CHAIN_HASH, QUICKNET_PUBLIC_KEY

logger = logging.getLogger(__name__)

_SIGNATURE = re.compile(r"[0-9a-f]{96}")
_MAX_BEACON_BYTES = 4096


class BeaconError(Exception):
    """No verified beacon could be had for the round asked for."""


class BeaconInvalid(BeaconError):
    """A beacon whose signature does not verify against quicknet's public key."""


@dataclass(frozen=True)
class Beacon:
    round: int
    signature: str
    randomness: str


def relays() -> list[str]:
    return [url.rstrip("/") for url in getattr(settings, "DRAND_URLS", []) if url.strip()]


def beacon_verify(*, round_number: int, signature: str, backend: str | None = None) -> str:
    """Check a quicknet beacon's BLS signature; return its randomness (hex).

    `backend`: "drand-verify" (Rust, about 3 ms) or "py-ecc" (pure Python, about half a
    second); by default drand-verify where it is installed, py-ecc elsewhere, so a
    beacon is checked on every platform. The signature is validated here first:
    drand-verify panics (an exception that is not an `Exception`) on input that is
    not hex.
    """
    if not isinstance(round_number, int) or isinstance(round_number, bool):
        raise BeaconInvalid("the round must be an integer")
    if not 1 <= round_number < 2**64:
        raise BeaconInvalid("the round is out of range")
    if not isinstance(signature, str) or not _SIGNATURE.fullmatch(signature):
        raise BeaconInvalid("the signature must be 96 lowercase hex digits (48 bytes)")
    backend = backend or ("drand-verify" if _drand_verify() is not None else "py-ecc")
    if backend == "drand-verify":
        library = _drand_verify()
        if library is None:
            raise BeaconError("the drand-verify library is not installed here")
        try:
            return library.verify_quicknet(round_number, signature, QUICKNET_PUBLIC_KEY)
        except ValueError as exc:
            raise BeaconInvalid(f"round {round_number}: the signature does not verify") from exc
    if backend != "py-ecc":
        raise ValueError(f"unknown BLS backend {backend!r}")
    raw = bytes.fromhex(signature)
    if not quicknet_signature_valid(
        round_number=round_number, signature=raw, public_key=bytes.fromhex(QUICKNET_PUBLIC_KEY)
    ):
        raise BeaconInvalid(f"round {round_number}: the signature does not verify")
    return hashlib.sha256(raw).hexdigest()


def _drand_verify():
    """drand-verify's module, or None where it has no wheel (see requirements.txt)."""
    try:
        import drand_verify
    except ImportError:
        return None
    return drand_verify


def _beacon_parse(payload: bytes, round_number: int) -> Beacon:
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise BeaconError("the relay's answer is not JSON") from exc
    if not isinstance(data, dict) or data.get("round") != round_number:
        raise BeaconError(f"the relay did not answer with round {round_number}")
    signature = data.get("signature")
    randomness = beacon_verify(round_number=round_number, signature=signature)
    if data.get("randomness") not in (None, randomness):
        raise BeaconInvalid("the relay's randomness is not SHA-256 of the signature")
    return Beacon(round=round_number, signature=signature, randomness=randomness)


def beacon_fetch(*, round_number: int, urls: list[str] | None = None) -> Beacon:
    """Fetch and verify one quicknet round, trying each relay in turn.

    Raises `BeaconError` (or `BeaconInvalid` when a relay answered with a forged
    beacon and none answered with a good one) naming what each relay did.
    """
    urls = relays() if urls is None else urls
    if not urls:
        raise BeaconError("no drand relay is configured")
    timeout = float(getattr(settings, "DRAND_TIMEOUT_SECONDS", 5))
    failures: list[str] = []
    forged = False
    for relay in urls:
        url = f"{relay.rstrip('/')}/{QUICKNET_CHAIN_HASH}/public/{round_number}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured https relays)
                payload = response.read(_MAX_BEACON_BYTES + 1)
            if len(payload) > _MAX_BEACON_BYTES:
                raise BeaconError("the relay's answer is too large")
            return _beacon_parse(payload, round_number)
        except BeaconInvalid as exc:
            forged = True
            failures.append(f"{relay}: {exc}")
            logger.warning("drand relay %s served a beacon that does not verify: %s", relay, exc)
        except (BeaconError, OSError, urllib.error.URLError) as exc:
            failures.append(f"{relay}: {exc}")
    error = BeaconInvalid if forged else BeaconError
    raise error(f"round {round_number} unavailable: " + "; ".join(failures))


def relays_reachable() -> str:
    """Whether a configured relay serves quicknet's chain info (for /healthz).

    Returns how many relays answered; raises `BeaconError` when none did.
    """
    timeout = min(float(getattr(settings, "DRAND_TIMEOUT_SECONDS", 5)), 2.0)
    answered = 0
    for relay in relays():
        url = f"{relay}/{QUICKNET_CHAIN_HASH}/info"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured relays)
                json.loads(response.read(_MAX_BEACON_BYTES))
            answered += 1
        except (OSError, ValueError, urllib.error.URLError) as exc:
            logger.warning("drand relay %s unreachable: %s", relay, exc)
    if not answered:
        raise BeaconError("no drand relay answered")
    return f"{answered} of {len(relays())} relays"
