"""An image shared in a room: one per message, its files in private storage.

The files live under PRIVATE_MEDIA_ROOT (never under MEDIA_ROOT, and with no URL of
their own): a view that checks who asks sends them (`groups.attachments.views`).
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.storage import private_storage
from assosolos.effects import on_commit


class RoomAttachment(models.Model):
    """The re-encoded image of a room message and its thumbnail (metadata stripped)."""

    message = models.OneToOneField(
        "groups.Message", on_delete=models.CASCADE, related_name="attachment"
    )
    image = models.FileField(storage=private_storage, max_length=200)
    thumbnail = models.FileField(storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumb_width = models.PositiveIntegerField()
    thumb_height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("room image")
        verbose_name_plural = _("room images")

    def __str__(self) -> str:
        return f"{self.image.name} ({self.message_id})"


@receiver(post_delete, sender=RoomAttachment)
def room_attachment_files_delete(sender, instance: RoomAttachment, **kwargs) -> None:
    # The row is gone (its message or group deleted): its files go once that commits.
    names = [name for name in (instance.image.name, instance.thumbnail.name) if name]

    def delete() -> None:
        for name in names:
            private_storage.delete(name)

    on_commit(delete)
