"""Members' answers to sessions (coming, not coming, maybe) and the attendance taken."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SessionAnswer(models.Model):
    """A member's answer to one session, changed freely until the session starts.

    Tied to the membership: whoever leaves the group withdraws their answers, so they
    no longer hold a place.
    """

    class Answer(models.TextChoices):
        COMING = "coming", _("Coming")
        MAYBE = "maybe", _("Maybe")
        NOT_COMING = "not_coming", _("Not coming")

    session = models.ForeignKey("groups.Session", on_delete=models.CASCADE, related_name="answers")
    membership = models.ForeignKey(
        "groups.GroupMembership", on_delete=models.CASCADE, related_name="session_answers"
    )
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer to a session")
        verbose_name_plural = _("answers to sessions")
        ordering = ["session", "answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "membership"], name="session_answer_one_per_member"
            ),
        ]
        indexes = [models.Index(fields=["session", "answer"], name="session_answer_count")]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.session_id}: {self.answer}"


class SessionAttendance(models.Model):
    """Whether a member was there, as the facilitator recorded it after the session started.

    Tied to the person, not the membership: the record of a session stays as it was
    when someone leaves the group later.
    """

    session = models.ForeignKey(
        "groups.Session", on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("present"))
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="session_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.session_id}: {'present' if self.present else 'absent'}"
