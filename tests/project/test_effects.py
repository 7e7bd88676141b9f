"""Effects after commit: none for a change that rolled back, and a failing one hides no other."""

from __future__ import annotations

import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.dispatch import Signal

from assosolos import effects

pytestmark = pytest.mark.django_db


class _RolledBack(Exception):
    pass


def _in_rolled_back_transaction(register) -> None:
    with pytest.raises(_RolledBack), transaction.atomic():
        register()
        raise _RolledBack


def test_a_call_waits_for_the_commit_and_is_dropped_with_a_rollback(
    django_capture_on_commit_callbacks,
):
    done: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        _in_rolled_back_transaction(lambda: effects.on_commit(done.append, "rolled back"))
        with transaction.atomic():
            effects.on_commit(done.append, "committed")
            assert done == []  # not before the commit
    assert done == ["committed"]


def test_a_failing_effect_is_logged_and_the_next_one_still_runs(
    django_capture_on_commit_callbacks, caplog
):
    done: list[str] = []

    def fail() -> None:
        raise RuntimeError("cache away")

    with (
        caplog.at_level(logging.ERROR, logger="assosolos.effects"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        effects.on_commit(fail)
        effects.on_commit(done.append, "next")
    assert done == ["next"]
    assert "fail failed" in caplog.text and "cache away" in caplog.text


def test_a_task_is_queued_only_for_a_committed_change(
    monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[tuple] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        _in_rolled_back_transaction(lambda: effects.task_on_commit("app.tasks.undone", 1))
        effects.task_on_commit("app.tasks.done", 2)
    assert queued == [("app.tasks.done", 2)]


def test_a_broker_down_does_not_turn_the_commit_into_an_error(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("django_q.tasks.async_task", broker_down)
    with (
        caplog.at_level(logging.ERROR, logger="assosolos.effects"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        effects.task_on_commit("app.tasks.done", 2)
    assert "queueing app.tasks.done failed" in caplog.text


def test_every_receiver_hears_a_committed_change_even_if_one_fails(
    django_capture_on_commit_callbacks, caplog
):
    changed = Signal()
    heard: list[int] = []

    def broken(sender, **kwargs):
        raise ValueError("receiver broken")

    def listening(sender, *, thing_id, **kwargs):
        heard.append(thing_id)

    changed.connect(broken, weak=False)
    changed.connect(listening, weak=False)
    with (
        caplog.at_level(logging.ERROR, logger="assosolos.effects"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _in_rolled_back_transaction(
            lambda: effects.signal_on_commit(changed, sender=object, thing_id=1)
        )
        with transaction.atomic():
            effects.signal_on_commit(changed, sender=object, thing_id=2)
            assert heard == []
    assert heard == [2]
    assert "broken" in caplog.text and "receiver broken" in caplog.text


def test_a_room_hears_only_of_committed_changes(settings, django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("effects-room", channel)
    with django_capture_on_commit_callbacks(execute=True):
        _in_rolled_back_transaction(
            lambda: effects.broadcast_on_commit("effects-room", {"type": "x", "n": 1})
        )
        effects.broadcast_on_commit("effects-room", {"type": "x", "n": 2})
    assert async_to_sync(layer.receive)(channel) == {"type": "x", "n": 2}
    async_to_sync(layer.flush)()
