"""People a member met, and the steps they took to follow up with each one.

A follow-up belongs to one member and is private to them: its name and contact
details are shown to no one else. The only thing others see are counts per group
session (`selectors.session_followup_counts`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FollowUp(models.Model):
    class How(models.TextChoices):
        SHOWCASE = "showcase", _("At the showcase")
        SESSION = "session", _("At a group session")
        EVENT = "event", _("At an event")
        OTHER = "other", _("Other")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followups"
    )
    name = models.CharField(_("name"), max_length=200)
    how = models.CharField(_("how we met"), max_length=20, choices=How.choices)
    reach = models.CharField(_("where to reach them"), max_length=500, blank=True)
    session = models.ForeignKey(
        "groups.Session",
        verbose_name=_("group session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"  # never the name: it is private to its owner


class Step(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        MESSAGE = "message", _("Message")

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("next step"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("date"))
    outcome = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up step")
        verbose_name_plural = _("follow-up steps")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["due_on"],
                name="followup_step_reminder_due",
                condition=models.Q(done_at=None, reminder_sent_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
