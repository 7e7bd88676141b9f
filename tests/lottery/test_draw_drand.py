"""drand quicknet beacons: fetched from relays with fallback, refused when forged."""

from __future__ import annotations

import hashlib
import socket

import pytest

from lottery import drand
from lottery.drand import BeaconError, BeaconInvalid

from .drand_relay import RECORDED_BEACONS, Relay, forged

ROUND = 657413
RANDOMNESS = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587"


@pytest.fixture
def relay():
    server = Relay()
    yield server
    server.close()


@pytest.fixture
def forging_relay():
    server = Relay({r: forged(sig) for r, sig in RECORDED_BEACONS.items()})
    yield server
    server.close()


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("round_number", sorted(RECORDED_BEACONS))
def test_recorded_beacons_verify_and_give_sha256_of_the_signature(round_number):
    signature = RECORDED_BEACONS[round_number]
    randomness = drand.beacon_verify(round_number=round_number, signature=signature)
    assert randomness == hashlib.sha256(bytes.fromhex(signature)).hexdigest()


def test_a_beacon_checked_against_another_round_is_refused():
    with pytest.raises(BeaconInvalid, match="does not verify"):
        drand.beacon_verify(round_number=ROUND + 1, signature=RECORDED_BEACONS[ROUND])


def test_a_forged_signature_is_refused():
    with pytest.raises(BeaconInvalid, match="does not verify"):
        drand.beacon_verify(round_number=ROUND, signature=forged(RECORDED_BEACONS[ROUND]))


@pytest.mark.parametrize("signature", ["zz" * 48, "ab" * 47, "AB" * 48, "", None, "ab" * 96])
def test_input_that_is_not_a_signature_is_refused_before_the_library_sees_it(signature):
    with pytest.raises(BeaconInvalid, match="96 lowercase hex"):
        drand.beacon_verify(round_number=ROUND, signature=signature)


def test_fetch_from_a_local_relay(relay):
    beacon = drand.beacon_fetch(round_number=ROUND, urls=[relay.url])
    assert beacon == drand.Beacon(ROUND, RECORDED_BEACONS[ROUND], RANDOMNESS)
    assert relay.requests == [
        f"/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/{ROUND}"
    ]


def test_fetch_falls_back_past_a_dead_and_a_forging_relay(relay, forging_relay):
    beacon = drand.beacon_fetch(
        round_number=ROUND, urls=[_dead_url(), forging_relay.url, relay.url]
    )
    assert beacon.randomness == RANDOMNESS
    assert len(forging_relay.requests) == 1


def test_only_forged_beacons_is_an_invalid_beacon_error(forging_relay):
    with pytest.raises(BeaconInvalid, match="does not verify"):
        drand.beacon_fetch(round_number=ROUND, urls=[_dead_url(), forging_relay.url])


def test_a_round_not_produced_yet_is_unavailable(relay):
    with pytest.raises(BeaconError, match="unavailable") as info:
        drand.beacon_fetch(round_number=ROUND + 10, urls=[relay.url])
    assert not isinstance(info.value, BeaconInvalid)


def test_no_relay_configured_means_offline(settings):
    settings.DRAND_URLS = []
    assert drand.relays() == []
    with pytest.raises(BeaconError, match="no drand relay"):
        drand.beacon_fetch(round_number=ROUND)


# --- Both BLS checks: drand-verify (Rust) where it has a wheel, py-ecc everywhere ------

BACKENDS = ["drand-verify", "py-ecc"]


@pytest.fixture
def without_drand_verify(monkeypatch):
    """A platform where drand-verify has no wheel: importing it fails."""
    import sys

    monkeypatch.setitem(sys.modules, "drand_verify", None)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("round_number", sorted(RECORDED_BEACONS))
def test_each_backend_verifies_recorded_beacons(backend, round_number):
    signature = RECORDED_BEACONS[round_number]
    randomness = drand.beacon_verify(
        round_number=round_number, signature=signature, backend=backend
    )
    assert randomness == hashlib.sha256(bytes.fromhex(signature)).hexdigest()


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_backend_refuses_a_tampered_signature_and_another_round(backend):
    with pytest.raises(BeaconInvalid, match="does not verify"):
        drand.beacon_verify(
            round_number=ROUND, signature=forged(RECORDED_BEACONS[ROUND]), backend=backend
        )
    with pytest.raises(BeaconInvalid, match="does not verify"):
        drand.beacon_verify(
            round_number=ROUND + 1, signature=RECORDED_BEACONS[ROUND], backend=backend
        )
    # Another real beacon's signature, of the right group, for this round: refused too.
    with pytest.raises(BeaconInvalid, match="does not verify"):
        drand.beacon_verify(
            round_number=ROUND, signature=RECORDED_BEACONS[5928395], backend=backend
        )


def test_py_ecc_refuses_bytes_that_are_no_point_of_g1():
    # The identity's encoding, and an x with no point above it (flags set, value 1…).
    infinity = "c0" + "00" * 47
    for signature in (infinity, "80" + "00" * 46 + "01", "ff" * 48):
        with pytest.raises(BeaconInvalid, match="does not verify"):
            drand.beacon_verify(round_number=ROUND, signature=signature, backend="py-ecc")


def test_without_drand_verify_beacons_are_still_checked(without_drand_verify):
    # The fault: here the draw used to go on with no checked beacon at all.
    assert drand.beacon_verify(round_number=ROUND, signature=RECORDED_BEACONS[ROUND]) == RANDOMNESS
    with pytest.raises(BeaconInvalid, match="does not verify"):
        drand.beacon_verify(round_number=ROUND, signature=forged(RECORDED_BEACONS[ROUND]))


def test_without_drand_verify_a_fetch_refuses_a_forging_relay(
    without_drand_verify, relay, forging_relay
):
    with pytest.raises(BeaconInvalid):
        drand.beacon_fetch(round_number=ROUND, urls=[forging_relay.url])
    beacon = drand.beacon_fetch(round_number=ROUND, urls=[forging_relay.url, relay.url])
    assert beacon.randomness == RANDOMNESS
