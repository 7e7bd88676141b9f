"""Two reminder runs at once send one email per step (PostgreSQL).

As in the lottery's race tests, the race is first proved with the protection off:
a seam between the check and the mark holds both runs until each has checked, so
both find the step unsent and both send. With the lock on, the second run waits on
the row, then finds it sent; the seam's barrier times out for the first run alone.
"""

import contextlib
import datetime as dt
import threading

import pytest
from post_office.models import Email

from followups import services
from tests.concurrency import run_at_once

from .conftest import record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

AT = dt.datetime(2026, 12, 10, 7, 0, tzinfo=dt.UTC)


def _both_runs_hold_between_check_and_mark(monkeypatch, timeout):
    barrier = threading.Barrier(2, timeout=timeout)

    def checked(step):
        # With the lock, the other run never gets this far: it waits on the row.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(services, "reminder_checked", checked)


def _two_runs():
    return run_at_once([1, 2], lambda _run: services.step_reminders_send(now=AT))


def test_without_the_lock_two_runs_at_once_send_the_reminder_twice(
    require_postgres, alice, monkeypatch
):
    record(alice, due_on=dt.date(2026, 12, 10))
    monkeypatch.setattr(services, "LOCK_REMINDERS", False)
    _both_runs_hold_between_check_and_mark(monkeypatch, timeout=30)
    outcomes = [outcome for _run, outcome in _two_runs()]
    assert outcomes == [1, 1]
    assert Email.objects.filter(to__contains="alice@example.org").count() == 2


def test_with_the_lock_two_runs_at_once_send_the_reminder_once(
    require_postgres, alice, monkeypatch
):
    record(alice, due_on=dt.date(2026, 12, 10))
    _both_runs_hold_between_check_and_mark(monkeypatch, timeout=2)
    outcomes = sorted(outcome for _run, outcome in _two_runs())
    assert outcomes == [0, 1]
    assert Email.objects.filter(to__contains="alice@example.org").count() == 1
