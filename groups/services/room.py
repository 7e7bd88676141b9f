"""The live room: who gets in, posting, catch-up, reactions, moderation, presence.

Messages are saved with the room's next sequence number before anything is
broadcast (after the commit): the channel layer delivers at most once, so clients
catch up by number from the database, never from the layer.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..attachments.selectors import room_attachment_frames
from ..effects import broadcast_on_commit, room_group_name, room_user_group_name
from ..models import Group, GroupMembership, Message, MessageReport, Reaction
from ..notify.services import mention_record
from . import room_post
from .errors import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_NOT_SIGNED_IN,
    CLOSE_TRY_LATER,
    RoomError,
)
from .room_post import MAX_LENGTH, PostSnapshot, room_post_body, room_post_decide

__all__ = [
    "CLOSE_FORBIDDEN",
    "CLOSE_NOT_FOUND",
    "CLOSE_NOT_SIGNED_IN",
    "CLOSE_TRY_LATER",
    "MAX_LENGTH",
    "RoomAccess",
    "RoomError",
]
REACTIONS = ("👍", "❤️", "🎉", "😂", "🤔", "👏")


@dataclass(frozen=True)
class RoomAccess:
    group: Group
    membership: GroupMembership | None
    is_moderator: bool


def room_access(*, group_id: int, actor: Any) -> RoomAccess:
    """Who may enter: members, the facilitator and the association's admins.

    Raises RoomError with the close code as `code` ("4401", "4403", "4404").
    """
    if actor is None or not actor.is_authenticated:
        raise RoomError(str(CLOSE_NOT_SIGNED_IN), _("Sign in to enter the room."))
    group = Group.objects.select_related("association").filter(pk=group_id).first()
    if group is None:
        raise RoomError(str(CLOSE_NOT_FOUND), _("This group does not exist."))
    membership = selectors.group_membership(user=actor, group_id=group_id)
    is_moderator = selectors.group_is_moderator(user=actor, group=group, membership=membership)
    if membership is None and not is_moderator:
        raise RoomError(str(CLOSE_FORBIDDEN), _("Only the group's members enter its room."))
    return RoomAccess(group=group, membership=membership, is_moderator=is_moderator)


def message_frame(
    message: Message,
    *,
    reactions: dict[str, int] | None = None,
    reacted_by: dict[str, list[str]] | None = None,
    attachment: dict | None = None,
) -> dict:
    """What clients receive for a message; a hidden one keeps its number, not its text.

    A deleted one is a tombstone: its number and time, no text, author, reactions,
    image or quote of what it answered.
    A reply carries a short excerpt of what it answers (`reply_frame`).
    `attachment`: its image's frame (`groups.attachments.selectors`), if it has one.
    """
    hidden = message.hidden_at is not None
    deleted = message.deleted_at is not None
    author = None if deleted else message.author
    return {
        "type": "message",
        "seq": message.seq,
        "author": {"id": author.pk, "name": author.public_name} if author else None,
        "body": "" if hidden or deleted else message.body,
        "hidden": hidden,
        "deleted": deleted,
        "edited_at": message.edited_at.isoformat() if message.edited_at and not deleted else None,
        "created_at": message.created_at.isoformat(),
        "reactions": {} if deleted else (reactions or {}),
        # Who reacted, by name, for the hover of each reaction.
        "reacted_by": {} if deleted else (reacted_by or {}),
        "reply_to": reply_frame(message.reply_to) if message.reply_to_id and not deleted else None,
        "attachment": None if hidden or deleted else attachment,
    }


REPLY_EXCERPT = 120


def message_excerpt(body: str, *, length: int = REPLY_EXCERPT) -> str:
    """A message's text on one line, cut short with an ellipsis."""
    text = " ".join(body.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def reply_frame(original: Message) -> dict:
    """What a reply shows of the message it answers: never the text of a deleted or
    hidden one (nor a deleted one's author)."""
    deleted = original.deleted_at is not None
    hidden = original.hidden_at is not None
    author = None if deleted else original.author
    return {
        "seq": original.seq,
        "author": {"id": author.pk, "name": author.public_name} if author else None,
        "excerpt": "" if deleted or hidden else message_excerpt(original.body),
        "deleted": deleted,
        "hidden": hidden,
    }


def room_rate_allows(*, group_id: int, user_id: int) -> bool:
    """At most ROOM_RATE_LIMIT messages per ROOM_RATE_PERIOD seconds per member and room.

    Posts and edits count alike: each one counts here.
    """
    limit, period = settings.GROUPS_ROOM_RATE_LIMIT, settings.GROUPS_ROOM_RATE_PERIOD
    window = int(time.time() // period)
    key = f"groups:rate:{group_id}:{user_id}:{window}"
    count_in_one_trip = getattr(cache, "count", None)  # the Redis cache's (assosolos.cache)
    if count_in_one_trip is not None:
        return count_in_one_trip(key, timeout=period * 2) <= limit
    # Counting first: only the window's first message creates the key (a round trip less
    # per message than creating it every time, on a path every post takes).
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first message, or the key was evicted
        # If another socket of the same person created it just now, count on it.
        count = 1 if cache.add(key, 1, timeout=period * 2) else cache.incr(key)
    return count <= limit


def room_message_post(
    *,
    group_id: int,
    actor: Any,
    body: str,
    broadcast: bool = True,
    reply_to_seq: int | None = None,
) -> Message:
    """Save a message with the room's next number; broadcast it after the commit.

    `reply_to_seq` names the message of this room it answers (refused when missing,
    deleted or hidden).

    `broadcast=False` leaves the broadcast to the caller, who sends
    `message_frame(message)` to the room once this has returned (so after the commit):
    the room socket does, from its event loop, instead of holding the thread that runs
    every socket's queries while the layer is reached.
    """
    body = room_post_body(body or "")
    signed_in = actor is not None and actor.is_authenticated
    # The hot path: a member is one query; anyone else goes through the full check.
    membership = (
        GroupMembership.objects.filter(group_id=group_id, user_id=actor.pk).first()
        if signed_in
        else None
    )
    group_exists, moderator = True, False
    if signed_in and membership is None:
        group = Group.objects.select_related("association").filter(pk=group_id).first()
        group_exists = group is not None
        moderator = group_exists and selectors.group_is_moderator(
            user=actor, group=group, membership=None
        )
    original = None
    if reply_to_seq is not None and group_exists and signed_in:
        original = (
            Message.objects.select_related("author")
            .filter(group_id=group_id, seq=reply_to_seq)
            .first()
        )
    post = PostSnapshot(
        signed_in=signed_in,
        group_exists=group_exists,
        member=membership is not None,
        moderator=moderator,
        muted=membership is not None and membership.is_muted(),
        reply=room_post.reply_state(reply_to_seq=reply_to_seq, original=original),
    )
    room_post_decide(post)
    room_post_decide(post, rate_ok=room_rate_allows(group_id=group_id, user_id=actor.pk))
    if room_post.room_post_executor(body) == "statement":
        message = room_post.message_save_by_statement(
            group_id=group_id, actor=actor, body=body, membership=membership, reply_to=original
        )
        if broadcast:
            broadcast_on_commit(
                room_group_name(group_id), {"type": "room.frame", "frame": message_frame(message)}
            )
        return message
    with transaction.atomic():
        message = room_post.message_save_by_orm(
            group_id=group_id, actor=actor, body=body, membership=membership, reply_to=original
        )
        if broadcast:
            broadcast_on_commit(
                room_group_name(group_id), {"type": "room.frame", "frame": message_frame(message)}
            )
        if "@" in body:
            # Those away are told by digest and push, as each chose (groups.notify).
            for mentioned_id in _mentioned_user_ids(group_id=group_id, body=body, author=actor):
                mention_record(message=message, user_id=mentioned_id)
    return message


def _mentioned_user_ids(*, group_id: int, body: str, author: Any) -> list[int]:
    """Members named as @Name (their public name, any case) who are not in the room now."""
    lowered = body.lower()
    found = []
    for membership in GroupMembership.objects.filter(group_id=group_id).select_related("user"):
        if membership.user_id == author.pk:
            continue
        name = membership.user.public_name.lower()
        mentioned = name and re.search(r"@" + re.escape(name) + r"(?!\w)", lowered)
        if mentioned and not room_presence_is_here(group_id=group_id, user_id=membership.user_id):
            found.append(membership.user_id)
    return found


def room_read_mark(*, group_id: int, actor: Any, seq: int) -> None:
    """Move the member's read mark forward (never back, never past the last message)."""
    GroupMembership.objects.filter(
        group_id=group_id, user_id=actor.pk, last_read_seq__lt=seq, group__last_seq__gte=seq
    ).update(last_read_seq=seq)


def _message_get(*, group_id: int, seq: int, live: bool = False) -> Message:
    """The room's message `seq`; with `live`, refused once its author deleted it."""
    message = Message.objects.filter(group_id=group_id, seq=seq).first()
    if message is None:
        raise RoomError("not_found", _("This message does not exist."))
    if live and message.deleted_at is not None:
        raise RoomError("deleted", _("This message was deleted."))
    return message


def room_message_hide(*, group_id: int, seq: int, actor: Any) -> Message:
    access = room_access(group_id=group_id, actor=actor)
    if not access.is_moderator:
        raise RoomError("forbidden", _("Only moderators hide messages."))
    with transaction.atomic():
        message = _message_get(group_id=group_id, seq=seq)
        if message.hidden_at is None:
            message.hidden_at, message.hidden_by = timezone.now(), actor
            message.save(update_fields=["hidden_at", "hidden_by"])
            MessageReport.objects.filter(message=message, resolved_at__isnull=True).update(
                resolved_at=message.hidden_at
            )
            broadcast_on_commit(
                room_group_name(group_id),
                {"type": "room.frame", "frame": {"type": "hidden", "seq": seq}},
            )
    return message


def room_reaction_toggle(*, group_id: int, seq: int, actor: Any, emoji: str) -> dict[str, int]:
    if emoji not in REACTIONS:
        raise RoomError("bad_reaction", _("This reaction is not available."))
    room_access(group_id=group_id, actor=actor)
    with transaction.atomic():
        message = _message_get(group_id=group_id, seq=seq, live=True)
        deleted, _rows = Reaction.objects.filter(message=message, user=actor, emoji=emoji).delete()
        if not deleted:
            Reaction.objects.create(message=message, user=actor, emoji=emoji)
        counts = selectors.room_reaction_counts(message_ids=[message.pk]).get(message.pk, {})
        names = selectors.room_reactor_names(message_ids=[message.pk]).get(message.pk, {})
        frame = {"type": "reactions", "seq": seq, "reactions": counts, "reacted_by": names}
        broadcast_on_commit(room_group_name(group_id), {"type": "room.frame", "frame": frame})
    return counts


def room_message_report(*, group_id: int, seq: int, actor: Any, reason: str = "") -> MessageReport:
    """Report a message once; the moderators' open room pages learn of it after the commit."""
    access = room_access(group_id=group_id, actor=actor)
    message = _message_get(group_id=group_id, seq=seq, live=True)
    with transaction.atomic():
        report, created = MessageReport.objects.get_or_create(
            message=message, reporter=actor, defaults={"reason": (reason or "")[:500]}
        )
        if created and message.hidden_at is None:
            frame = {"type": "report", "report": report_frame(report)}
            # Each moderator's own channel group: the room as a whole never sees who reported.
            for moderator_id in selectors.room_moderator_ids(group=access.group):
                broadcast_on_commit(
                    room_user_group_name(group_id, moderator_id),
                    {"type": "room.frame", "frame": frame},
                )
    return report


REPORT_EXCERPT = 200


def report_frame(report: MessageReport) -> dict:
    """What a moderator's page shows of a new report (the message's text cut short)."""
    message = report.message
    body = message.body
    return {
        "seq": message.seq,
        "author": message.author.public_name if message.author else "",
        "excerpt": body if len(body) <= REPORT_EXCERPT else body[: REPORT_EXCERPT - 1] + "…",
        "reporter": report.reporter.public_name,
        "reason": report.reason,
        "created_at": report.created_at.isoformat(),
    }


def room_reports_dismiss(*, group_id: int, seq: int, actor: Any) -> int:
    """A moderator closes a message's open reports and leaves the message as it is.

    Returns how many reports were closed (0 when another moderator got there first).
    """
    access = room_access(group_id=group_id, actor=actor)
    if not access.is_moderator:
        raise RoomError("forbidden", _("Only moderators handle reports."))
    message = _message_get(group_id=group_id, seq=seq)
    return MessageReport.objects.filter(message=message, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


def room_history(*, group_id: int, before: int | None, limit: int = 50) -> list[dict]:
    messages = selectors.room_messages_before(group_id=group_id, before=before, limit=limit)
    return _frames(messages)


def room_history_around(*, group_id: int, seq: int, limit: int = 50) -> list[dict]:
    """The page of messages around `seq` (a reply's original that is not on screen)."""
    messages = selectors.room_messages_around(group_id=group_id, seq=seq, limit=limit)
    return _frames(messages)


def room_catch_up(*, group_id: int, after: int, limit: int = 200) -> list[dict]:
    messages = selectors.room_messages_after(group_id=group_id, after=after, limit=limit)
    return _frames(messages)


def _frames(messages: list[Message]) -> list[dict]:
    ids = [m.pk for m in messages]
    counts = selectors.room_reaction_counts(message_ids=ids)
    names = selectors.room_reactor_names(message_ids=ids)
    images = room_attachment_frames(messages=messages)
    return [
        message_frame(
            m, reactions=counts.get(m.pk), reacted_by=names.get(m.pk), attachment=images.get(m.pk)
        )
        for m in messages
    ]


# --- Presence ---------------------------------------------------------------------
# Each open room socket refreshes its member's key on every heartbeat; a tab that
# dies stops refreshing and its key expires after PRESENCE_TTL seconds.

PRESENCE_TTL = 60
HEARTBEAT_SECONDS = 20


def _presence_key(group_id: int, user_id: int) -> str:
    return f"groups:presence:{group_id}:{user_id}"


def room_presence_touch(*, group_id: int, user_id: int) -> None:
    cache.set(_presence_key(group_id, user_id), 1, timeout=PRESENCE_TTL)


def room_presence_leave(*, group_id: int, user_id: int) -> None:
    cache.delete(_presence_key(group_id, user_id))


def room_presence_is_here(*, group_id: int, user_id: int) -> bool:
    return cache.get(_presence_key(group_id, user_id)) is not None


def room_presence_list(*, group_id: int) -> list[dict]:
    members = list(
        GroupMembership.objects.filter(group_id=group_id).select_related("user").order_by("pk")
    )
    here = cache.get_many([_presence_key(group_id, m.user_id) for m in members])
    return [
        {"id": m.user_id, "name": m.user.public_name}
        for m in members
        if _presence_key(group_id, m.user_id) in here
    ]
