"""What a room keeps of a message's past: its earlier versions, and a deleted one's text.

Members read neither: the facilitator and the association's admins (and staff) see the
earlier versions of an edited message; a deleted message's text and author stay in
`MessageDeletion` for moderation, for GROUPS_ROOM_DELETED_RETENTION_DAYS, after which
a scheduled task purges the record and the message's earlier versions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MessageRevision(models.Model):
    """A version of a message as it read before an edit replaced it."""

    message = models.ForeignKey(
        "groups.Message", on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField()
    # When this version was written (the post, or the edit that wrote it) and replaced.
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["message", "written_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.message_id} @ {self.written_at:%Y-%m-%d %H:%M}"


class MessageDeletion(models.Model):
    """The moderation record of a deleted message: its last text and its author."""

    message = models.OneToOneField(
        "groups.Message", on_delete=models.CASCADE, related_name="deletion"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    deleted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["deleted_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.message_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"
