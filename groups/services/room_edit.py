"""Changing what was said: a member edits or deletes their own message.

An edit keeps the version it replaces (`MessageRevision`, read by the moderators
only) and tells the room after the commit. A deletion leaves a tombstone: the
message keeps its number and time, loses its text, author and reactions, and its
last text and author move to a moderation record (`MessageDeletion`), kept for
GROUPS_ROOM_DELETED_RETENTION_DAYS, then purged with the earlier versions by a
scheduled task (`room_deleted_messages_purge`).

The message row is locked while it changes, and each write is conditional on the
message not being deleted: an edit racing a deletion never puts the text back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..effects import broadcast_on_commit, room_group_name
from ..models import Message, MessageDeletion, MessageRevision, Reaction, RoomAttachment
from .errors import RoomError
from .room import message_excerpt, room_access, room_rate_allows
from .room_post import room_post_body


def _own_message_locked(*, group_id: int, seq: int, user: Any) -> Message:
    """The caller's message `seq` of this room, locked; caller is in a transaction."""
    message = Message.objects.select_for_update().filter(group_id=group_id, seq=seq).first()
    if message is None:
        raise RoomError("not_found", _("This message does not exist."))
    if message.deleted_at is not None:
        raise RoomError("deleted", _("This message was deleted."))
    if message.author_id != user.pk:
        raise RoomError("forbidden", _("You may only change your own messages."))
    return message


def room_message_edit(*, group_id: int, seq: int, actor: Any, body: str) -> Message:
    """Replace the text of the caller's own message; the room learns it after the commit.

    The rules of posting hold: the text is checked as a post's, a muted member may not
    edit, and each edit counts against the posting rate limit. A hidden message stays
    hidden and cannot be edited. The same text again changes nothing.
    """
    body = room_post_body(body or "")
    access = room_access(group_id=group_id, actor=actor)
    if access.membership is not None and access.membership.is_muted():
        raise RoomError("muted", _("A moderator has muted you for a while."))
    with transaction.atomic():
        message = _own_message_locked(group_id=group_id, seq=seq, user=actor)
        if message.hidden_at is not None:
            raise RoomError("hidden", _("A moderator hid this message; it cannot be edited."))
        if message.body == body:
            return message
        if not room_rate_allows(group_id=group_id, user_id=actor.pk):
            raise RoomError("rate_limited", _("Slow down: you are sending messages too fast."))
        now = timezone.now()
        MessageRevision.objects.create(
            message=message,
            body=message.body,
            written_at=message.edited_at or message.created_at,
            replaced_at=now,
        )
        changed = Message.objects.filter(pk=message.pk, deleted_at__isnull=True).update(
            body=body, edited_at=now
        )
        if not changed:  # deleted under our lock's nose (SQLite has no row lock)
            raise RoomError("deleted", _("This message was deleted."))
        message.body, message.edited_at = body, now
        broadcast_on_commit(
            room_group_name(group_id),
            {
                "type": "room.frame",
                "frame": {
                    "type": "edited",
                    "seq": seq,
                    "body": body,
                    "edited_at": now.isoformat(),
                    "excerpt": message_excerpt(body),
                },
            },
        )
    return message


def room_message_delete(*, group_id: int, seq: int, actor: Any) -> Message:
    """Delete the caller's own message: a tombstone for the room, a record for moderation
    (its text and author, not its image)."""
    room_access(group_id=group_id, actor=actor)
    with transaction.atomic():
        message = _own_message_locked(group_id=group_id, seq=seq, user=actor)
        now = timezone.now()
        MessageDeletion.objects.create(
            message=message, author_id=message.author_id, body=message.body, deleted_at=now
        )
        Message.objects.filter(pk=message.pk).update(body="", author=None, deleted_at=now)
        Reaction.objects.filter(message=message).delete()
        # Its image goes with it (the files once this commits): the author took it back.
        RoomAttachment.objects.filter(message=message).delete()
        message.body, message.author, message.deleted_at = "", None, now
        broadcast_on_commit(
            room_group_name(group_id),
            {"type": "room.frame", "frame": {"type": "deleted", "seq": seq}},
        )
    return message


def room_message_revisions(*, group_id: int, seq: int, actor: Any) -> dict:
    """For the room's moderators: a message's earlier versions, and if it was deleted,
    its last text and author while the moderation record lasts."""
    access = room_access(group_id=group_id, actor=actor)
    if not access.is_moderator:
        raise RoomError("forbidden", _("Only moderators see earlier versions."))
    message = selectors.room_message_with_past(group_id=group_id, seq=seq)
    if message is None:
        raise RoomError("not_found", _("This message does not exist."))
    deletion = getattr(message, "deletion", None) if message.deleted_at else None
    return {
        "type": "revisions",
        "seq": seq,
        "versions": [
            {
                "body": revision.body,
                "written_at": revision.written_at.isoformat(),
                "replaced_at": revision.replaced_at.isoformat(),
            }
            for revision in message.revisions.all()
        ],
        "deleted": {
            "author": deletion.author.public_name if deletion.author else None,
            "body": deletion.body,
            "deleted_at": deletion.deleted_at.isoformat(),
        }
        if deletion is not None
        else None,
    }


def room_deleted_messages_purge(*, now: Any = None) -> int:
    """Forget what moderation kept of messages deleted longer ago than the retention.

    Removes the moderation record (text, author) and the earlier versions; the
    tombstone stays. Idempotent; returns how many records went.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.GROUPS_ROOM_DELETED_RETENTION_DAYS)
    with transaction.atomic():
        expired = MessageDeletion.objects.filter(deleted_at__lte=cutoff)
        message_ids = list(expired.values_list("message_id", flat=True))
        MessageRevision.objects.filter(message_id__in=message_ids).delete()
        purged, _rows = expired.filter(message_id__in=message_ids).delete()
    return purged
