"""Editing, deleting and answering room messages: the services' rules and what members read."""

from datetime import timedelta

import pytest
from django_q.models import Schedule

from groups import selectors, services, tasks
from groups.models import Message, MessageDeletion, MessageReport, MessageRevision, Reaction
from groups.services import room as room_services
from tests.factories import StaffFactory

from .factories import GroupFactory, GroupMemberFactory

pytestmark = pytest.mark.django_db


def _post(group, author, body, **extra) -> Message:
    return services.room_message_post(group_id=group.pk, actor=author, body=body, **extra)


def _state(message: Message) -> tuple:
    message.refresh_from_db()
    return (message.body, message.author_id, message.edited_at, message.deleted_at)


def _refused(code: str, call, **kwargs) -> None:
    with pytest.raises(room_services.RoomError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    assert caught.value.message


# --- Edit -----------------------------------------------------------------------


def test_an_edit_replaces_the_text_marks_it_and_keeps_the_earlier_version(group, alice):
    message = _post(group, alice, "Bonjour a tous")
    services.room_message_edit(
        group_id=group.pk, seq=message.seq, actor=alice, body=" Bonjour à tous "
    )
    services.room_message_edit(group_id=group.pk, seq=message.seq, actor=alice, body="Bonjour !")
    message.refresh_from_db()
    assert message.body == "Bonjour !"
    assert message.edited_at is not None
    versions = list(MessageRevision.objects.filter(message=message).values_list("body", flat=True))
    assert versions == ["Bonjour a tous", "Bonjour à tous"]
    (frame,) = room_services.room_catch_up(group_id=group.pk, after=0)
    assert frame["body"] == "Bonjour !"
    assert frame["edited_at"] == message.edited_at.isoformat()
    # The same text again is no edit: no new version, no new mark.
    services.room_message_edit(group_id=group.pk, seq=message.seq, actor=alice, body="Bonjour !")
    assert MessageRevision.objects.filter(message=message).count() == 2


def test_an_edit_is_refused_for_someone_elses_a_deleted_a_hidden_or_a_missing_message(
    group, alice, bob, facilitator
):
    other_room = GroupFactory()
    GroupMemberFactory(group=other_room, user=alice)
    theirs = _post(group, bob, "le message de Bob")
    deleted = _post(group, alice, "effacé")
    services.room_message_delete(group_id=group.pk, seq=deleted.seq, actor=alice)
    hidden = _post(group, alice, "masqué")
    services.room_message_hide(group_id=group.pk, seq=hidden.seq, actor=facilitator)
    elsewhere = _post(other_room, alice, "dans l'autre salon")
    before = [_state(m) for m in (theirs, deleted, hidden, elsewhere)]
    edit = services.room_message_edit
    _refused("forbidden", edit, group_id=group.pk, seq=theirs.seq, actor=alice, body="pirate")
    _refused("deleted", edit, group_id=group.pk, seq=deleted.seq, actor=alice, body="revenu")
    _refused("hidden", edit, group_id=group.pk, seq=hidden.seq, actor=alice, body="démasqué")
    # The other room's message is number 1 there; here, number 1 is Bob's.
    _refused("forbidden", edit, group_id=group.pk, seq=elsewhere.seq, actor=alice, body="x")
    _refused("not_found", edit, group_id=group.pk, seq=99, actor=alice, body="x")
    _refused("empty", edit, group_id=group.pk, seq=theirs.seq, actor=bob, body="   ")
    assert [_state(m) for m in (theirs, deleted, hidden, elsewhere)] == before
    assert not MessageRevision.objects.exists()


def test_posting_rules_hold_for_edits_mute_and_rate_limit(group, alice, facilitator, settings):
    settings.GROUPS_ROOM_RATE_LIMIT = 2
    settings.GROUPS_ROOM_RATE_PERIOD = 3600
    message = _post(group, alice, "un")
    services.room_message_edit(group_id=group.pk, seq=message.seq, actor=alice, body="deux")
    _refused(
        "rate_limited",
        services.room_message_edit,
        group_id=group.pk,
        seq=message.seq,
        actor=alice,
        body="trois",
    )
    assert _state(message)[0] == "deux"
    settings.GROUPS_ROOM_RATE_LIMIT = 100
    membership = selectors.group_membership(user=alice, group_id=group.pk)
    services.group_member_mute(
        membership=selectors.group_members(group=group).get(pk=membership.pk),
        actor=facilitator,
        minutes=10,
    )
    _refused(
        "muted",
        services.room_message_edit,
        group_id=group.pk,
        seq=message.seq,
        actor=alice,
        body="quatre",
    )
    assert _state(message)[0] == "deux"


# --- Delete ---------------------------------------------------------------------


def test_a_deleted_message_leaves_a_tombstone_and_its_text_nowhere_members_read(group, alice, bob):
    message = _post(group, alice, "mon numéro est le 06 12 34 56 78")
    services.room_message_edit(group_id=group.pk, seq=message.seq, actor=alice, body="oups")
    services.room_reaction_toggle(group_id=group.pk, seq=message.seq, actor=bob, emoji="👍")
    services.room_message_delete(group_id=group.pk, seq=message.seq, actor=alice)
    message.refresh_from_db()
    assert (message.body, message.author_id) == ("", None)
    assert message.deleted_at is not None
    assert not Reaction.objects.filter(message=message).exists()
    for frames in (
        room_services.room_catch_up(group_id=group.pk, after=0),
        room_services.room_history(group_id=group.pk, before=None),
        room_services.room_history_around(group_id=group.pk, seq=message.seq),
    ):
        (frame,) = frames
        assert frame["deleted"] is True
        assert (frame["body"], frame["author"], frame["reactions"], frame["edited_at"]) == (
            "",
            None,
            {},
            None,
        )
        assert "06 12" not in str(frame) and "oups" not in str(frame)
    # Moderation keeps the last text and its author; the earlier version stays for it too.
    record = MessageDeletion.objects.get(message=message)
    assert (record.body, record.author_id) == ("oups", alice.pk)
    assert MessageRevision.objects.filter(message=message).count() == 1


def test_a_deletion_is_refused_for_someone_elses_or_a_deleted_message(group, alice, bob):
    theirs = _post(group, bob, "à Bob")
    mine = _post(group, alice, "à moi")
    services.room_message_delete(group_id=group.pk, seq=mine.seq, actor=alice)
    before = [_state(theirs), _state(mine)]
    delete = services.room_message_delete
    _refused("forbidden", delete, group_id=group.pk, seq=theirs.seq, actor=alice)
    _refused("deleted", delete, group_id=group.pk, seq=mine.seq, actor=alice)
    _refused("not_found", delete, group_id=group.pk, seq=42, actor=alice)
    assert [_state(theirs), _state(mine)] == before
    assert MessageDeletion.objects.count() == 1


def test_a_deleted_message_no_longer_counts_as_unread_nor_takes_reactions_or_reports(
    group, alice, bob
):
    first = _post(group, alice, "un")
    second = _post(group, alice, "deux")
    (entry,) = selectors.groups_of_user(user=bob)
    assert entry.unread == 2
    services.room_message_delete(group_id=group.pk, seq=second.seq, actor=alice)
    (entry,) = selectors.groups_of_user(user=bob)
    assert entry.unread == 1
    assert first.seq < second.seq
    _refused(
        "deleted",
        services.room_reaction_toggle,
        group_id=group.pk,
        seq=second.seq,
        actor=bob,
        emoji="👍",
    )
    _refused("deleted", services.room_message_report, group_id=group.pk, seq=second.seq, actor=bob)
    assert not Reaction.objects.exists() and not MessageReport.objects.exists()


def test_moderators_keep_reading_a_reported_message_that_its_author_deleted(group, alice, bob):
    message = _post(group, alice, "insulte")
    services.room_message_report(group_id=group.pk, seq=message.seq, actor=bob, reason="grossier")
    services.room_message_delete(group_id=group.pk, seq=message.seq, actor=alice)
    (entry,) = selectors.room_open_reports(group=group)
    assert entry.deleted
    assert (entry.text, entry.author_name) == ("insulte", "Alice")


# --- Earlier versions: moderators only ------------------------------------------


def test_the_facilitator_and_staff_see_earlier_versions_members_do_not(
    group, alice, bob, facilitator
):
    message = _post(group, alice, "première version")
    services.room_message_edit(group_id=group.pk, seq=message.seq, actor=alice, body="seconde")
    for moderator in (facilitator, StaffFactory()):
        frame = services.room_message_revisions(group_id=group.pk, seq=message.seq, actor=moderator)
        assert [v["body"] for v in frame["versions"]] == ["première version"]
        assert frame["deleted"] is None
    for member in (alice, bob):
        _refused(
            "forbidden",
            services.room_message_revisions,
            group_id=group.pk,
            seq=message.seq,
            actor=member,
        )
    services.room_message_delete(group_id=group.pk, seq=message.seq, actor=alice)
    frame = services.room_message_revisions(group_id=group.pk, seq=message.seq, actor=facilitator)
    assert frame["deleted"]["body"] == "seconde"
    assert frame["deleted"]["author"] == "Alice"


# --- The purge ------------------------------------------------------------------


def test_the_moderation_record_is_purged_after_the_retention_and_not_before(
    group, alice, facilitator, settings
):
    settings.GROUPS_ROOM_DELETED_RETENTION_DAYS = 30
    kept = _post(group, alice, "gardé")
    services.room_message_edit(group_id=group.pk, seq=kept.seq, actor=alice, body="gardé, modifié")
    gone = _post(group, alice, "secret")
    services.room_message_edit(group_id=group.pk, seq=gone.seq, actor=alice, body="secret 2")
    services.room_message_delete(group_id=group.pk, seq=gone.seq, actor=alice)
    deleted_at = MessageDeletion.objects.get().deleted_at
    # The test clock: the day before the end of the retention, then at its end.
    assert services.room_deleted_messages_purge(now=deleted_at + timedelta(days=29)) == 0
    assert MessageDeletion.objects.filter(message=gone).exists()
    assert services.room_deleted_messages_purge(now=deleted_at + timedelta(days=30)) == 1
    assert not MessageDeletion.objects.exists()
    assert not MessageRevision.objects.filter(message=gone).exists()
    # An edited message that was never deleted keeps its versions; the tombstone stays.
    assert MessageRevision.objects.filter(message=kept).count() == 1
    assert Message.objects.filter(pk=gone.pk, deleted_at__isnull=False, body="").exists()
    frame = services.room_message_revisions(group_id=group.pk, seq=gone.seq, actor=facilitator)
    assert (frame["versions"], frame["deleted"]) == ([], None)
    assert services.room_deleted_messages_purge(now=deleted_at + timedelta(days=31)) == 0


def test_the_purge_runs_on_a_schedule(group, alice, settings):
    settings.GROUPS_ROOM_DELETED_RETENTION_DAYS = 0
    message = _post(group, alice, "bientôt oublié")
    services.room_message_delete(group_id=group.pk, seq=message.seq, actor=alice)
    tasks.schedules_ensure()
    schedule = Schedule.objects.get(name="groups: purge deleted room messages")
    assert (schedule.schedule_type, schedule.repeats) == (Schedule.MINUTES, -1)
    # What the cluster calls, found from the schedule's own dotted path.
    module, _dot, name = schedule.func.rpartition(".")
    assert module == "groups.tasks"
    assert getattr(tasks, name)() == 1
    assert not MessageDeletion.objects.exists()


# --- Replies --------------------------------------------------------------------


def test_a_reply_references_its_original_and_carries_an_excerpt_of_it(group, alice, bob):
    original = _post(group, alice, "Qui vient jeudi ?\nJ'apporte " + "des croissants " * 20)
    reply = _post(group, bob, "Moi !", reply_to_seq=original.seq)
    assert Message.objects.get(pk=reply.pk).reply_to_id == original.pk
    frame = room_services.message_frame(reply)
    assert frame["reply_to"]["seq"] == original.seq
    assert frame["reply_to"]["author"] == {"id": alice.pk, "name": "Alice"}
    excerpt = frame["reply_to"]["excerpt"]
    assert excerpt.startswith("Qui vient jeudi ? J'apporte") and excerpt.endswith("…")
    assert len(excerpt) == room_services.REPLY_EXCERPT
    history = room_services.room_history(group_id=group.pk, before=None)
    assert history[-1]["reply_to"] == frame["reply_to"]
    assert history[0]["reply_to"] is None


def test_a_deleted_reply_no_longer_quotes_what_it_answered(group, alice, bob):
    original = _post(group, alice, "question")
    reply = _post(group, bob, "réponse", reply_to_seq=original.seq)
    services.room_message_delete(group_id=group.pk, seq=reply.seq, actor=bob)
    (_first, frame) = room_services.room_catch_up(group_id=group.pk, after=0)
    assert (frame["deleted"], frame["reply_to"]) == (True, None)


def test_a_reply_follows_its_original_edited_then_deleted_without_leaking_it(group, alice, bob):
    original = _post(group, alice, "première idée")
    reply = _post(group, bob, "d'accord", reply_to_seq=original.seq)
    services.room_message_edit(group_id=group.pk, seq=original.seq, actor=alice, body="autre idée")
    (_first, frame) = room_services.room_catch_up(group_id=group.pk, after=0)
    assert frame["reply_to"]["excerpt"] == "autre idée"
    services.room_message_delete(group_id=group.pk, seq=original.seq, actor=alice)
    (_first, frame) = room_services.room_catch_up(group_id=group.pk, after=0)
    assert frame["seq"] == reply.seq
    assert frame["reply_to"] == {
        "seq": original.seq,
        "author": None,
        "excerpt": "",
        "deleted": True,
        "hidden": False,
    }


def test_a_reply_to_a_missing_or_deleted_message_is_refused_and_saves_nothing(group, alice, bob):
    other_room = GroupFactory()
    GroupMemberFactory(group=other_room, user=alice)
    _post(other_room, alice, "un")
    _post(other_room, alice, "deux")
    original = _post(group, alice, "supprimé bientôt")
    services.room_message_delete(group_id=group.pk, seq=original.seq, actor=alice)
    count = Message.objects.count()
    post = services.room_message_post
    # Number 2 exists in the other room only: a room's replies look in that room.
    _refused("not_found", post, group_id=group.pk, actor=bob, body="hein ?", reply_to_seq=2)
    _refused("deleted", post, group_id=group.pk, actor=bob, body="hein ?", reply_to_seq=1)
    assert Message.objects.count() == count
    assert group.__class__.objects.get(pk=group.pk).last_seq == 1


# --- An edit racing the deletion (PostgreSQL: real concurrency) -------------------

ROUNDS = 8


def _at_once(*calls) -> list:
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - every outcome is checked
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_an_edit_racing_the_deletion_never_brings_the_text_back(
    require_postgres, transactional_db, settings
):
    settings.GROUPS_ROOM_RATE_LIMIT = 1000
    group = GroupFactory()
    alice = GroupMemberFactory(group=group).user
    for n in range(ROUNDS):
        message = _post(group, alice, f"avant {n}")

        def edit(seq=message.seq, n=n):
            return services.room_message_edit(
                group_id=group.pk, seq=seq, actor=alice, body=f"après {n}"
            )

        def delete(seq=message.seq):
            return services.room_message_delete(group_id=group.pk, seq=seq, actor=alice)

        edited, deleted = _at_once(edit, delete)
        assert isinstance(deleted, Message), deleted
        message.refresh_from_db()
        assert (message.body, message.author_id) == ("", None)
        record = MessageDeletion.objects.get(message=message)
        if isinstance(edited, Message):
            # The edit went first: the record holds its text, the earlier one is a version.
            assert record.body == f"après {n}"
            assert list(message.revisions.values_list("body", flat=True)) == [f"avant {n}"]
        else:
            assert isinstance(edited, room_services.RoomError) and edited.code == "deleted"
            assert record.body == f"avant {n}"
            assert not message.revisions.exists()
