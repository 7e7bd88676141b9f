"""Posting an image in a room: a message with its attachment, or nothing at all.

The order of the checks: the caption, then who posts (as for a text: member or
moderator, not muted), then the size (cheap), then the rate limit (the same count as
text messages: decoding costs the server more than a text does, so a refused file
counts too), then the content. Only then is anything written: the message with the
room's next number, the two files, the attachment row, in one transaction, and the
files are deleted again if that transaction fails. The room hears of it after the
commit, through the same broadcast as any message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from associations.storage import private_storage

from ..attachment_models import RoomAttachment
from ..effects import broadcast_on_commit, room_group_name
from ..models import Message
from ..services import room_post
from ..services.room import message_frame, room_access, room_rate_allows
from ..services.room_post import PostSnapshot, room_post_body, room_post_decide
from .images import ImageRefused, PreparedImage, image_prepare, too_big
from .selectors import room_attachment_frame

__all__ = ["ImageRefused", "RoomAttachmentPosted", "room_attachment_post"]


@dataclass(frozen=True)
class RoomAttachmentPosted:
    message: Message
    attachment: RoomAttachment
    frame: dict  # the message frame the room received


def room_attachment_caption(caption: Any) -> str:
    """The caption as saved: optional, otherwise held to a message's rules."""
    if caption is None or (isinstance(caption, str) and not caption.strip()):
        return ""
    return room_post_body(caption)


def room_attachment_post(
    *, group_id: int, actor: Any, upload: Any, caption: str = ""
) -> RoomAttachmentPosted:
    """Save an image message in the room and broadcast it after the commit.

    `upload`: a file object with `size` and `read()` (an UploadedFile). Raises
    RoomError (who may post, the caption, the rate) or ImageRefused (the file); in
    both cases nothing is saved.
    """
    caption = room_attachment_caption(caption)
    access = room_access(group_id=group_id, actor=actor)
    membership = access.membership
    post = PostSnapshot(
        signed_in=True,
        group_exists=True,
        member=membership is not None,
        moderator=access.is_moderator,
        muted=membership is not None and membership.is_muted(),
    )
    room_post_decide(post)
    max_bytes = settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES
    if upload is None:
        raise ImageRefused("no_file", _("Choose an image to send."))
    if upload.size is not None and upload.size > max_bytes:
        raise too_big(max_bytes)
    room_post_decide(post, rate_ok=room_rate_allows(group_id=group_id, user_id=actor.pk))
    # One byte more than allowed is enough to know it is too big.
    data = upload.read(max_bytes + 1)
    prepared = image_prepare(
        data=data,
        max_bytes=max_bytes,
        max_side=settings.GROUPS_ROOM_ATTACHMENT_MAX_SIDE,
        thumb_side=settings.GROUPS_ROOM_ATTACHMENT_THUMB_SIDE,
        max_pixels=settings.GROUPS_ROOM_ATTACHMENT_MAX_PIXELS,
    )
    return _save(
        group_id=group_id, user=actor, membership=membership, caption=caption, image=prepared
    )


def _save(
    *, group_id: int, user: Any, membership: Any, caption: str, image: PreparedImage
) -> RoomAttachmentPosted:
    # A name no one can guess or collide with; the room's number keeps a room's files together.
    stem = f"rooms/{int(group_id)}/{uuid.uuid4().hex}"
    saved: list[str] = []
    try:
        with transaction.atomic():
            message = room_post.message_save_by_orm(
                group_id=group_id, actor=user, body=caption, membership=membership
            )
            full = private_storage.save(
                f"{stem}.{image.full.extension}", ContentFile(image.full.data)
            )
            saved.append(full)
            thumb = private_storage.save(
                f"{stem}-thumb.{image.thumbnail.extension}", ContentFile(image.thumbnail.data)
            )
            saved.append(thumb)
            attachment = RoomAttachment.objects.create(
                message=message,
                image=full,
                thumbnail=thumb,
                content_type=image.full.content_type,
                width=image.full.width,
                height=image.full.height,
                thumb_width=image.thumbnail.width,
                thumb_height=image.thumbnail.height,
                size_bytes=len(image.full.data),
            )
            frame = message_frame(
                message, attachment=room_attachment_frame(attachment, group_id=group_id)
            )
            broadcast_on_commit(room_group_name(group_id), {"type": "room.frame", "frame": frame})
    except BaseException:
        for name in saved:
            private_storage.delete(name)
        raise
    return RoomAttachmentPosted(message=message, attachment=attachment, frame=frame)
