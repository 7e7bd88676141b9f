"""Two sweeps at once post each entry once (PostgreSQL).

The race is first proved with the claim off: a seam between reading a post as due and
claiming it holds both runs until each has read it, so both call the network (each
with its own idempotency key, the network's own guard being switched off too). With
the claim on, the second run's conditional update waits on the row, then finds the
post no longer due.
"""

import contextlib
import itertools
import threading

import pytest

from relay import services
from tests.concurrency import run_at_once

from .conftest import MASTODON_TEXT, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _hold_both_runs_after_reading(monkeypatch, timeout):
    barrier = threading.Barrier(2, timeout=timeout)

    def checked(post):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(services, "claim_checked", checked)


def _published(approve, author):
    pitch = approve(network="mastodon", text=MASTODON_TEXT)
    services.consent_set(actor=author, pitch=pitch, network="mastodon", agreed=True)
    now = publish(pitch)
    services.posts_create(now=now)
    return now


def _two_sweeps(now):
    return [o for _r, o in run_at_once([1, 2], lambda _r: services.relay_sweep(now=now))]


def test_without_the_claim_two_sweeps_at_once_post_twice(
    require_postgres, connected, approve, author, mastodon_server, monkeypatch
):
    now = _published(approve, author)
    monkeypatch.setattr(services, "CLAIM_POSTS", False)
    keys = itertools.count()
    monkeypatch.setattr(services, "post_key", lambda post: f"try-{next(keys)}")
    _hold_both_runs_after_reading(monkeypatch, timeout=30)
    outcomes = _two_sweeps(now)
    assert [o["sent"] for o in outcomes] == [1, 1]
    assert len(mastodon_server.posts) == 2


def test_with_the_claim_two_sweeps_at_once_post_once(
    require_postgres, connected, approve, author, mastodon_server, monkeypatch
):
    now = _published(approve, author)
    _hold_both_runs_after_reading(monkeypatch, timeout=5)
    outcomes = _two_sweeps(now)
    assert sorted(o["sent"] for o in outcomes) == [0, 1]
    assert len(mastodon_server.posts) == 1
