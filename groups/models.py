"""Peer-learning groups: members, admissions, sessions, commitments and the live room."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assosolos.languages import InLanguage


class Group(models.Model):
    class Topic(models.TextChoices):
        LINKEDIN = "linkedin", _("LinkedIn profile")
        X_PITCH = "x_pitch", _("X pitch")
        FACEBOOK = "facebook", _("Facebook page")
        INSTAGRAM = "instagram", _("Instagram")
        BLOGGING = "blogging", _("Blogging")
        NETWORKING = "networking", _("Networking in person")
        OTHER = "other", _("Other")

    class Admission(models.TextChoices):
        APPLICATIONS = "applications", _("Open to applications")
        INVITATION = "invitation", _("By invitation only")

    association = models.ForeignKey(
        "associations.Association",
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        related_name="groups",
    )
    title = models.CharField(_("title"), max_length=120)
    # The association's English version, shown on the English site (assosolos/languages.py).
    title_en = models.CharField(_("title in English"), max_length=120, blank=True)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    topic_other = models.CharField(
        _("other topic"), max_length=120, blank=True, help_text=_("When the topic is “Other”.")
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    title_here, description_here = InLanguage("title"), InLanguage("description")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_groups",
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=8)
    admission = models.CharField(
        _("admission"), max_length=20, choices=Admission.choices, default=Admission.APPLICATIONS
    )
    # The room's message counter: the last sequence number handed out.
    last_seq = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["association__name", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="group_capacity_min"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])

    def get_room_url(self) -> str:
        return reverse("groups:room", args=[self.pk])

    @property
    def topic_label(self) -> str:
        if self.topic == self.Topic.OTHER and self.topic_other:
            return self.topic_other
        return self.get_topic_display()


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("Facilitator")
        MEMBER = "member", _("Member")

    class JoinedVia(models.TextChoices):
        PRIZE_SEAT = "prize_seat", _("Prize seat")
        INVITATION = "invitation", _("Invitation")
        APPLICATION = "application", _("Application accepted")
        APPOINTED = "appointed", _("Appointed facilitator")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_via = models.CharField(_("joined via"), max_length=20, choices=JoinedVia.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    last_read_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="group_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.group}"

    def is_muted(self, *, now=None) -> bool:
        return bool(self.muted_until and self.muted_until > (now or timezone.now()))


class GroupApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_applications"
    )
    message = models.TextField(_("why you want to join"), max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=models.Q(status="pending"),
                name="group_application_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.group}"


class GroupInvitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "email"],
                condition=models.Q(status="pending"),
                name="group_invitation_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.group}"


class WaitingListEntry(models.Model):
    """Someone waiting for a seat; the lowest position gets the next free seat."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="waiting_list")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.IntegerField()
    joined_via = models.CharField(max_length=20, choices=GroupMembership.JoinedVia.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="waiting_list_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.user} ({self.group})"


class GroupSeatPrize(models.Model):
    """A lottery prize that carries a seat in a group (the lottery app knows nothing of it)."""

    prize = models.OneToOneField(
        "lottery.Prize",
        verbose_name=_("prize"),
        on_delete=models.CASCADE,
        related_name="group_seat",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="prize_seats"
    )

    class Meta:
        verbose_name = _("group seat prize")

    def __str__(self) -> str:
        return f"{self.prize} → {self.group}"


class Session(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    # Empty: no limit. Only "coming" answers take a place (groups.services.attendance).
    capacity = models.PositiveSmallIntegerField(
        _("places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit."),
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.group} — {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)


class Commitment(models.Model):
    """A networking goal a member sets at a session and reports on at the next one."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Not reported yet")
        DONE = "done", _("Done")
        NOT_DONE = "not_done", _("Not done")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="commitments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    goal = models.CharField(_("goal for the week"), max_length=300)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="commitment_one_per_session"),
        ]

    def __str__(self) -> str:
        return self.goal


class Message(models.Model):
    """A room message; `seq` numbers a room's messages 1, 2, 3… without gaps."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="messages")
    seq = models.BigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Edits, deletion and replies (groups/services/room_edit.py): the earlier versions
    # live in MessageRevision, a deleted message's text in MessageDeletion.
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )

    class Meta:
        ordering = ["group", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["group", "seq"], name="message_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} ({self.group})"


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_unique"),
        ]

    def __str__(self) -> str:
        return self.emoji


class MessageReport(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.message_id} by {self.reporter}"


# Answers to sessions and attendance live in their own module; imported here so that
# Django finds them with the app's models.
# An image sent in a room, with its thumbnail.
from .attachment_models import RoomAttachment  # noqa: E402, F401
from .attendance_models import SessionAnswer, SessionAttendance  # noqa: E402, F401

# Earlier versions of edited messages, and what moderation keeps of deleted ones.
from .models_room_edits import MessageDeletion, MessageRevision  # noqa: E402, F401

# Being told when away (mentions, choices, push devices): their own module, same app.
from .notify.models import Mention, NotificationChoice, PushSubscription  # noqa: E402, F401
