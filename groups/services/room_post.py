"""Posting in a room: one rule, two executors.

The rule (`room_post_decide`, pure) says what refuses a post and in which order,
over a snapshot of what the post saw: the text, then who posts (signed in, the
group exists, member or moderator, muted), then the message it answers if any
(in this room, not deleted, not hidden), then the rate limit, which is counted
only once the person may post. Two executors then save the message with the
room's next number: the ORM one (SQLite, and every post that mentions someone: its
emails are queued in the transaction) and one PostgreSQL statement (one round trip;
posts come in bursts). The tests run a table of cases against both.

The number comes from the group row: `last_seq + 1`, written back by the same
UPDATE, whose row lock holds until the commit, so numbers never repeat or skip.
`ROOM_POST_LOCKING = False` (the race test's switch) reads the number first and
writes it after, without the lock, in both executors: concurrent posts then collide.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Group, GroupMembership, Message
from .errors import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_NOT_SIGNED_IN, RoomError

MAX_LENGTH = 4000

# The race test switches this off to prove the race it guards against exists: it
# turns off the group row lock only, in both executors. Never change it elsewhere.
ROOM_POST_LOCKING = True
# Which executor saves: None for the default ("statement" on PostgreSQL for a post
# that mentions no one, "orm" otherwise); the contract tests run both.
ROOM_POST_EXECUTOR: str | None = None


@dataclass(frozen=True, slots=True)
class PostSnapshot:
    """What one post saw of its author and room."""

    signed_in: bool
    group_exists: bool
    member: bool
    moderator: bool  # may enter without being a member (the association's admins…)
    muted: bool
    # The message it answers, if any: "none", "ok", "missing" (not in this room),
    # "deleted" or "hidden" (see `reply_state`).
    reply: str = "none"


def reply_state(*, reply_to_seq: int | None, original: Message | None) -> str:
    """What a post saw of the message it answers (looked up in its own room only)."""
    if reply_to_seq is None:
        return "none"
    if original is None:
        return "missing"
    if original.deleted_at is not None:
        return "deleted"
    if original.hidden_at is not None:
        return "hidden"
    return "ok"


def room_post_body(body: Any) -> str:
    """The text as saved: trimmed; refused when empty, too long or not text."""
    if not isinstance(body, str):
        raise RoomError("bad_frame", _("The message is empty."))
    body = body.strip()
    if not body:
        raise RoomError("empty", _("The message is empty."))
    if len(body) > MAX_LENGTH:
        raise RoomError(
            "too_long",
            _("A message has at most %(max)d characters.") % {"max": MAX_LENGTH},
        )
    if "\x00" in body:
        # No database stores it in text, and no one types it.
        raise RoomError("bad_text", _("The message holds a character that cannot be sent."))
    return body


def room_post_decide(post: PostSnapshot, *, rate_ok: bool = True) -> None:
    """Raise the refusal the rule names first; return when the post may be saved.

    Called once with the snapshot, then once more with `rate_ok` when the rate
    limit has been counted (it is counted only for someone who may post).
    """
    if not post.signed_in:
        raise RoomError(str(CLOSE_NOT_SIGNED_IN), _("Sign in to enter the room."))
    if not post.group_exists:
        raise RoomError(str(CLOSE_NOT_FOUND), _("This group does not exist."))
    if not post.member and not post.moderator:
        raise RoomError(str(CLOSE_FORBIDDEN), _("Only the group's members enter its room."))
    if post.muted:
        raise RoomError("muted", _("A moderator has muted you for a while."))
    if post.reply == "missing":
        raise RoomError("not_found", _("The message you answer is not in this room."))
    if post.reply == "deleted":
        raise RoomError("deleted", _("The message you answer was deleted."))
    if post.reply == "hidden":
        raise RoomError("hidden", _("The message you answer was hidden by a moderator."))
    if not rate_ok:
        raise RoomError("rate_limited", _("Slow down: you are sending messages too fast."))


def room_post_executor(body: str) -> str:
    if ROOM_POST_EXECUTOR is not None:
        return ROOM_POST_EXECUTOR
    return "statement" if connection.vendor == "postgresql" and "@" not in body else "orm"


def message_save_by_orm(
    *,
    group_id: int,
    actor: Any,
    body: str,
    membership: GroupMembership | None,
    reply_to: Message | None = None,
) -> Message:
    """Save with the next number; caller is in the transaction that queues the effects."""
    groups = Group.objects.filter(pk=group_id)
    if ROOM_POST_LOCKING:
        # The UPDATE locks the group row until commit, so numbers never repeat or skip.
        groups.update(last_seq=F("last_seq") + 1)
        seq = groups.values_list("last_seq", flat=True).get()
    else:
        seq = groups.values_list("last_seq", flat=True).get() + 1
    message = Message.objects.create(
        group_id=group_id, seq=seq, author=actor, body=body, reply_to=reply_to
    )
    if not ROOM_POST_LOCKING:
        groups.update(last_seq=seq)
    if membership is not None:
        GroupMembership.objects.filter(pk=membership.pk).update(last_read_seq=seq)
    return message


def message_save_by_statement(
    *,
    group_id: int,
    actor: Any,
    body: str,
    membership: GroupMembership | None,
    reply_to: Message | None = None,
) -> Message:
    """The ORM executor's work as one PostgreSQL statement: one round trip.

    Posts come in bursts, and each round trip made from the thread that runs every
    socket's queries waits for the interpreter as well as for the database.
    """
    quote = connection.ops.quote_name

    def column(model: Any, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    group_table, last_seq, group_id_col = (
        quote(Group._meta.db_table),
        column(Group, "last_seq"),
        column(Group, "id"),
    )
    if ROOM_POST_LOCKING:
        numbered = f"""UPDATE {group_table} SET {last_seq} = {last_seq} + 1
            WHERE {group_id_col} = %(group_id)s RETURNING {last_seq} AS seq"""  # noqa: S608
    else:
        # The number read first, in the statement's snapshot, and written after it.
        numbered = f"""UPDATE {group_table} g SET {last_seq} = cur.seq
            FROM (SELECT {last_seq} + 1 AS seq FROM {group_table}
                  WHERE {group_id_col} = %(group_id)s) cur
            WHERE g.{group_id_col} = %(group_id)s RETURNING cur.seq"""  # noqa: S608
    now = timezone.now()
    sql = f"""
        WITH numbered AS ({numbered}), saved AS (
            INSERT INTO {quote(Message._meta.db_table)} ({column(Message, "group")},
                {column(Message, "seq")}, {column(Message, "author")},
                {column(Message, "body")}, {column(Message, "created_at")},
                {column(Message, "reply_to")})
            SELECT %(group_id)s, seq, %(user_id)s, %(body)s, %(now)s, %(reply_to_id)s
            FROM numbered
            RETURNING {column(Message, "id")}, {column(Message, "seq")}
        ), marked AS (
            UPDATE {quote(GroupMembership._meta.db_table)}
            SET {column(GroupMembership, "last_read_seq")} = (SELECT seq FROM saved)
            WHERE {column(GroupMembership, "id")} = %(membership_id)s
        )
        SELECT * FROM saved
    """  # noqa: S608 (names from the models, values bound)
    params = {
        "group_id": group_id,
        "user_id": actor.pk,
        "body": body,
        "now": now,
        "membership_id": membership.pk if membership is not None else None,
        "reply_to_id": reply_to.pk if reply_to is not None else None,
    }
    scope = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with scope, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise RoomError(str(CLOSE_NOT_FOUND), _("This group does not exist."))
    message = Message(
        pk=row[0],
        group_id=group_id,
        seq=row[1],
        author=actor,
        body=body,
        created_at=now,
        reply_to=reply_to,
    )
    message._state.adding, message._state.db = False, connection.alias
    return message
