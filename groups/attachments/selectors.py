"""Reads about room images: what a frame says of one, and who may see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from ..attachment_models import RoomAttachment
from ..models import Message

if TYPE_CHECKING:
    from ..services.room import RoomAccess


def room_attachment_frame(attachment: RoomAttachment, *, group_id: int) -> dict:
    """What a message frame carries of its image: where to fetch it, and its sizes."""
    args = [group_id, attachment.pk]
    return {
        "id": attachment.pk,
        "url": reverse("groups:room_attachment", args=args),
        "thumb_url": reverse("groups:room_attachment_thumbnail", args=args),
        "width": attachment.width,
        "height": attachment.height,
        "thumb_width": attachment.thumb_width,
        "thumb_height": attachment.thumb_height,
        "content_type": attachment.content_type,
    }


def room_attachment_frames(*, messages: list[Message]) -> dict[int, dict]:
    """The image frames of these messages' attachments, by message id (one query).

    Hidden messages are left out: their image is no more shown than their text.
    """
    visible = [m for m in messages if m.hidden_at is None]
    if not visible:
        return {}
    group_of = {m.pk: m.group_id for m in visible}
    attachments = RoomAttachment.objects.filter(message_id__in=list(group_of))
    return {
        a.message_id: room_attachment_frame(a, group_id=group_of[a.message_id]) for a in attachments
    }


def room_attachment_visible(*, access: RoomAccess, attachment_id: int) -> RoomAttachment | None:
    """The image, if the person whose access this is may see it; None otherwise.

    `access` comes from `room_access` (a member or a moderator of the room). An image
    of another room is not found; one whose message a moderator hid is only shown to
    the moderators, who may have to judge it.
    """
    attachment = (
        RoomAttachment.objects.select_related("message")
        .filter(pk=attachment_id, message__group_id=access.group.pk)
        .first()
    )
    if attachment is None:
        return None
    if attachment.message.hidden_at is not None and not access.is_moderator:
        return None
    return attachment


def room_attachment_limits() -> dict:
    """What the room's page tells about images before anyone sends one."""
    max_bytes = settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES
    return {"max_bytes": max_bytes, "max_megabytes": f"{max_bytes / (1024 * 1024):g}"}
