"""Being told when away: mentions waiting for the digest, each person's choice, push devices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mention(models.Model):
    """Someone named in a room message while they were not in the room.

    The digest gathers those still unread (the message after the member's read mark)
    and stamps `digested_at`, read or not, so each mention is weighed once.
    """

    message = models.ForeignKey("groups.Message", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="mention_once"),
        ]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(digested_at__isnull=True),
                name="mention_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.user_id} in #{self.message_id}"


class NotificationChoice(models.Model):
    """How one person is told of mentions while away, for all their groups.

    No row means the defaults: the digest email on, push on (push reaches only the
    devices the person subscribed from a room page, so it is off until they do).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choice"
    )
    digest_email = models.BooleanField(_("a digest email"), default=True)
    push = models.BooleanField(_("browser notifications"), default=True)
    # The last digest sent: at most one per GROUPS_DIGEST_PERIOD_MINUTES.
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification choice")

    def __str__(self) -> str:
        return f"{self.user}: digest={self.digest_email} push={self.push}"


class PushSubscription(models.Model):
    """One browser's Web Push subscription (its push service endpoint and keys)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} — {self.endpoint[:60]}"
