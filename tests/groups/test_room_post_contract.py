"""One rule for a room post, two executors: a table of cases, and the numbering race.

Each case of `room_post_cases.json` posts as someone and checks what was saved
(text, number, the author's read mark) or the refusal's code, and that a refusal
saved nothing. The ORM executor runs everywhere, the one-statement executor on
PostgreSQL. The race: many members post at once; with the group row lock the
numbers are 1..N, each once; with it switched off (in either executor) they collide.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from groups.models import Group, GroupMembership, Message
from groups.services import room as room_services
from groups.services import room_edit, room_post
from tests.associations.factories import AdminFactory
from tests.conftest import is_postgres, skip_or_fail
from tests.factories import UserFactory

from .factories import GroupFactory, GroupMemberFactory

CASES = json.loads((Path(__file__).parent / "room_post_cases.json").read_text())["cases"]
EXECUTORS = ["orm", pytest.param("statement", marks=pytest.mark.postgres)]


@pytest.fixture
def executor(request, monkeypatch, settings):
    name = request.param
    if name == "statement" and not is_postgres():
        skip_or_fail("the one-statement executor needs PostgreSQL")
    monkeypatch.setattr(room_post, "ROOM_POST_EXECUTOR", name)
    settings.GROUPS_ROOM_RATE_LIMIT = 3
    settings.GROUPS_ROOM_RATE_PERIOD = 3600
    return name


def _author(kind: str, group: Group):
    from django.contrib.auth.models import AnonymousUser

    if kind == "anonymous":
        return AnonymousUser()
    if kind == "stranger":
        return UserFactory()
    if kind == "moderator":
        return AdminFactory(association=group.association).user
    membership = GroupMemberFactory(group=group, user=UserFactory(display_name="Alice"))
    if kind == "muted":
        membership.muted_until = timezone.now() + timedelta(hours=1)
        membership.save(update_fields=["muted_until"])
    return membership.user


def _body(case: dict):
    body = case["body"]
    if body == "LONGEST":
        return "é" * room_post.MAX_LENGTH
    if body == "TOO_LONG":
        return "é" * (room_post.MAX_LENGTH + 1)
    return body


def _check(case: dict) -> None:
    group = GroupFactory(title="Groupe Mastodon")
    GroupMemberFactory(group=group, user=UserFactory(display_name="Bob"))
    first_author = GroupMemberFactory(group=group).user
    first = room_services.room_message_post(group_id=group.pk, actor=first_author, body="premier")
    if case.get("original") == "deleted":
        room_edit.room_message_delete(group_id=group.pk, seq=first.seq, actor=first_author)
    elif case.get("original") == "hidden":
        moderator = AdminFactory(association=group.association).user
        room_services.room_message_hide(group_id=group.pk, seq=first.seq, actor=moderator)
    author = _author(case["who"], group)
    for i in range(case.get("before", 0)):
        # Earlier posts of this window, as the rate limit counts them.
        if case["who"] == "muted":
            room_services.room_rate_allows(group_id=group.pk, user_id=author.pk)
        else:
            room_services.room_message_post(group_id=group.pk, actor=author, body=f"avant {i}")
    group_id = -1 if case.get("room") == "missing" else group.pk
    before = list(Message.objects.order_by("pk").values_list("pk", "seq", "body"))
    last_seq = Group.objects.get(pk=group.pk).last_seq
    expect = case["expect"]
    try:
        message = room_services.room_message_post(
            group_id=group_id, actor=author, body=_body(case), reply_to_seq=case.get("reply")
        )
    except room_services.RoomError as exc:
        assert exc.code == expect.get("code"), (case["name"], exc.code, exc.message)
        assert exc.message, case["name"]
        assert list(Message.objects.order_by("pk").values_list("pk", "seq", "body")) == before
        assert Group.objects.get(pk=group.pk).last_seq == last_seq, case["name"]
        return
    assert "saved" in expect, (case["name"], "accepted")
    stored = Message.objects.get(pk=message.pk)
    body = _body({"body": expect["saved"]})
    assert (stored.body, stored.seq, stored.author_id) == (body, expect["seq"], author.pk)
    reply_to = stored.reply_to.seq if stored.reply_to_id else None
    assert reply_to == expect.get("reply_to"), case["name"]
    assert Group.objects.get(pk=group.pk).last_seq == expect["seq"], case["name"]
    membership = GroupMembership.objects.filter(group=group, user=author).first()
    if membership is not None:
        assert membership.last_read_seq == expect["seq"], case["name"]


@pytest.mark.django_db
@pytest.mark.parametrize("executor", EXECUTORS, indirect=True)
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_room_post_contract(executor, case):
    _check(case)


@pytest.mark.django_db
@pytest.mark.parametrize("executor", EXECUTORS[1:], indirect=True)
def test_a_statement_that_forgets_the_read_mark_fails_the_table(executor, monkeypatch):
    original = room_post.message_save_by_statement

    def forgetful(**kwargs):
        return original(**{**kwargs, "membership": None})

    monkeypatch.setattr(room_post, "message_save_by_statement", forgetful)
    with pytest.raises(AssertionError):
        _check(CASES[0])


# --- The numbering race -------------------------------------------------------------

POSTERS = 12


def _post_at_once(group, authors) -> list:
    barrier = threading.Barrier(len(authors))
    outcomes: list = [None] * len(authors)

    def run(index, author):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = room_services.room_message_post(
                group_id=group.pk, actor=author, body=f"message {index}", broadcast=False
            )
        except Exception as exc:  # noqa: BLE001 - every outcome is checked
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(authors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def crowded_room(require_postgres, transactional_db):
    group = GroupFactory(title="Groupe pressé", capacity=POSTERS + 5)
    authors = [GroupMemberFactory(group=group).user for _ in range(POSTERS)]
    return group, authors


@pytest.mark.parametrize("name", ["statement", "orm"])
def test_without_the_row_lock_concurrent_posts_collide(crowded_room, monkeypatch, name):
    monkeypatch.setattr(room_post, "ROOM_POST_EXECUTOR", name)
    monkeypatch.setattr(room_post, "ROOM_POST_LOCKING", False)
    group, authors = crowded_room
    outcomes = _post_at_once(group, authors)
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert failed, "no collision without the lock: the race is not shown"
    assert Message.objects.filter(group=group).count() < POSTERS


@pytest.mark.parametrize("name", ["statement", "orm"])
def test_with_the_row_lock_every_post_gets_its_own_number(crowded_room, monkeypatch, name):
    monkeypatch.setattr(room_post, "ROOM_POST_EXECUTOR", name)
    assert room_post.ROOM_POST_LOCKING is True
    group, authors = crowded_room
    outcomes = _post_at_once(group, authors)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    seqs = sorted(Message.objects.filter(group=group).values_list("seq", flat=True))
    assert seqs == list(range(1, POSTERS + 1))
    assert Group.objects.get(pk=group.pk).last_seq == POSTERS
