"""Two draw tasks at once produce one result (PostgreSQL).

First the race is shown with the lottery row lock switched off: both tasks
compute a result and the second write fails. With the lock, the second task
waits, then returns the stored result unchanged.
"""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from lottery import tasks
from lottery.models import DrawResult, DrawWinner, Lottery
from lottery.services import draw as draw_services

from .test_draw_services import after_draw_time, closed_lottery

pytestmark = pytest.mark.django_db(transaction=True)


def _two_tasks_at_once(lottery, monkeypatch, *, lock: bool) -> list:
    now = after_draw_time(lottery)
    started = threading.Barrier(2)
    writing = threading.Barrier(2)

    # Both tasks pass the early "already drawn?" check before either takes the lock.
    def no_beacon_once_both_started(seal, now, at_hand=None):
        started.wait(30)
        return None

    monkeypatch.setattr(draw_services, "_beacon_for", no_beacon_once_both_started)
    if not lock:
        monkeypatch.setattr(draw_services, "lottery_lock", lambda pk: Lottery.objects.get(pk=pk))
        write = draw_services._draw_write

        def write_together(**kwargs):
            writing.wait(30)  # both inside the unlocked section at once
            return write(**kwargs)

        monkeypatch.setattr(draw_services, "_draw_write", write_together)
    monkeypatch.setattr(draw_services.timezone, "now", lambda: now)
    outcomes = []

    def run():
        try:
            outcomes.append(tasks.draw_perform_run(lottery.pk))
        except Exception as exc:  # noqa: BLE001 - the outcome is what is tested
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return outcomes


def _sealed(settings):
    settings.DRAND_URLS = []
    lottery = closed_lottery(buyers=5, quantity=2, prizes=(1, 2))
    assert draw_services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    return lottery


def test_without_the_lock_two_draw_tasks_collide(require_postgres, settings, monkeypatch):
    lottery = _sealed(settings)
    outcomes = _two_tasks_at_once(lottery, monkeypatch, lock=False)
    assert len(outcomes) == 2
    assert any(isinstance(o, Exception) for o in outcomes), outcomes


def test_two_draw_tasks_produce_one_result(require_postgres, settings, monkeypatch):
    lottery = _sealed(settings)
    outcomes = _two_tasks_at_once(lottery, monkeypatch, lock=True)
    result = DrawResult.objects.get(lottery=lottery)
    assert outcomes == [f"drawn: result {result.pk}"] * 2
    assert DrawWinner.objects.filter(result=result).count() == 3
    assert lottery.transitions.filter(to_status=Lottery.Status.DRAWN).count() == 1
