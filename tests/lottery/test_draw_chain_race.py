"""Openings at the same moment each get their own place in the commitments chain."""

from __future__ import annotations

import time

import pytest
from django.db import IntegrityError, transaction

from lottery import commitment_chain
from lottery.models import CommitmentEntry, DrawCommitment
from lottery.services import draw as draw_services
from tests.concurrency import run_at_once

from .factories import LotteryFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
OPENINGS = 12


def _commitments() -> list[int]:
    ids = []
    for i in range(OPENINGS):
        lottery = LotteryFactory()
        ids.append(
            DrawCommitment.objects.create(
                lottery=lottery, seed="0" * 64, commitment=f"{i:064x}", holder_key="1" * 64
            ).pk
        )
    return ids


@pytest.fixture
def slow_insert(monkeypatch):
    """Widen the window between reading the last entry and writing the next one."""
    original = CommitmentEntry.objects.create

    def create(**kwargs):
        time.sleep(0.05)
        return original(**kwargs)

    monkeypatch.setattr(CommitmentEntry.objects, "create", create)


def _append(commitment_id: int) -> CommitmentEntry:
    with transaction.atomic():
        commitment = DrawCommitment.objects.get(pk=commitment_id)
        return draw_services.commitment_entry_append(commitment=commitment)


def test_without_the_chain_lock_two_openings_collide(require_postgres, monkeypatch, slow_insert):
    monkeypatch.setattr(draw_services, "COMMITMENTS_CHAIN_LOCKING", False)
    outcomes = run_at_once(_commitments(), _append)
    failures = [o for _, o in outcomes if isinstance(o, IntegrityError)]
    assert failures, "the race did not show: every append got its own position"
    assert CommitmentEntry.objects.count() < OPENINGS


def test_with_the_chain_lock_every_opening_gets_the_next_position(require_postgres, slow_insert):
    outcomes = run_at_once(_commitments(), _append)
    assert [o for _, o in outcomes if isinstance(o, Exception)] == []
    entries = [
        commitment_chain.entry_parse(text)
        for text in CommitmentEntry.objects.order_by("position").values_list("text", flat=True)
    ]
    assert [e.position for e in entries] == list(range(1, OPENINGS + 1))
    assert commitment_chain.chain_check(entries) == []
