"""Pitches, their versions and reviews, and the weekly showcase that publishes them.

Rules (who may do what, when a pitch may be submitted or approved) live in
`services.py`; reads in `selectors.py`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from groups.networks import NETWORK_CHOICES


class Pitch(models.Model):
    """One member's pitch for one network, in one group."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="pitches")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pitches"
    )
    network = models.CharField(_("network"), max_length=30, choices=NETWORK_CHOICES)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The version the facilitator approved: what the showcase publishes, even while
    # the author works on a newer one.
    approved_version = models.ForeignKey(
        "PitchVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pitch")
        verbose_name_plural = _("pitches")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "author", "network"], name="pitch_one_per_network"
            )
        ]
        ordering = ["-updated_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_network_display()} — {self.author}"


class PitchVersion(models.Model):
    """Every edit is kept; reviews and approval name the version they are about."""

    pitch = models.ForeignKey(Pitch, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("text"))
    audience = models.CharField(_("written for"), max_length=200)
    contact = models.CharField(_("contact link"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pitch", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pitch", "number"], name="pitch_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.pitch_id} v{self.number}"


class PitchComment(models.Model):
    version = models.ForeignKey(PitchVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.version}"


class PitchReadyMark(models.Model):
    """A peer says this version is ready to publish."""

    version = models.ForeignKey(PitchVersion, on_delete=models.CASCADE, related_name="ready_marks")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "member"], name="pitch_ready_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} ready on {self.version}"


class ShowcaseSchedule(models.Model):
    """When an association's weekly showcase edition comes out, in Paris time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 0, _("Sunday")

    association = models.OneToOneField(
        "associations.Association", on_delete=models.CASCADE, related_name="showcase_schedule"
    )
    weekday = models.PositiveSmallIntegerField(
        _("day"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    time = models.TimeField(_("time (Paris)"), default=datetime.time(15, 0))

    class Meta:
        verbose_name = _("showcase schedule")

    def __str__(self) -> str:
        return f"{self.association} {self.get_weekday_display()} {self.time:%H:%M}"

    @property
    def cron(self) -> str:
        return f"{self.time.minute} {self.time.hour} * * {self.weekday}"


class Edition(models.Model):
    """One weekly edition of an association's showcase: the pitches it published."""

    association = models.ForeignKey(
        "associations.Association", on_delete=models.CASCADE, related_name="showcase_editions"
    )
    # The scheduled time this edition belongs to (unique: a doubled task makes one).
    slot = models.DateTimeField()
    published_at = models.DateTimeField(default=timezone.now)
    page = models.OneToOneField(
        "pitches.ShowcaseEditionPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edition",
    )

    class Meta:
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["association", "slot"], name="edition_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.slot:%Y-%m-%d}"


class EditionEntry(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="entries")
    pitch = models.ForeignKey(Pitch, on_delete=models.CASCADE, related_name="entries")
    version = models.OneToOneField(PitchVersion, on_delete=models.CASCADE, related_name="entry")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.edition}: {self.version}"


class ShowcasePage(RoutablePageMixin, Page):
    """The public showcase: every edition, newest first, and an Atom feed."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["pitches.ShowcaseEditionPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("showcase")

    def get_context(self, request, *args, **kwargs):
        from .selectors import editions_in_language, editions_public, showcase_next_edition_at

        context = super().get_context(request, *args, **kwargs)
        context["editions"] = editions_in_language(editions_public())
        context["next_edition_at"] = showcase_next_edition_at()
        return context

    @path("", name="index")
    def index(self, request):
        return TemplateResponse(request, "pitches/showcase_page.html", self.get_context(request))

    @path("feed/", name="feed")
    def feed(self, request):
        from .feeds import ShowcaseFeed

        return ShowcaseFeed(page=self)(request)


class ShowcaseEditionPage(Page):
    """One edition, created by the weekly task; its entries are read live, so a
    withdrawn pitch disappears from it at once."""

    parent_page_types = ["pitches.ShowcasePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("showcase edition")

    def get_context(self, request, *args, **kwargs):
        from .selectors import edition_entries_public

        context = super().get_context(request, *args, **kwargs)
        # The edition points at its page in the default language; a translation of that
        # page (the showcase in English) shares its translation key.
        edition = (
            Edition.objects.filter(page__translation_key=self.translation_key)
            .select_related("association", "page")
            .first()
        )
        if edition is None:
            raise Http404
        context["edition"] = edition
        context["entries"] = edition_entries_public(edition=edition, request=request)
        return context
