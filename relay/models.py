"""Where an association relays its showcase, who agreed, and every post made.

Relay polls the showcase's editions (`services.relay_sweep`); the showcase knows
nothing of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Network(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"


class RelayAccount(models.Model):
    """An association's account on one network. The secret (a Mastodon access token or
    a Bluesky app password) is stored encrypted (`crypto.py`) and never shown again."""

    association = models.ForeignKey(
        "associations.Association", on_delete=models.CASCADE, related_name="relay_accounts"
    )
    network = models.CharField(max_length=20, choices=Network.choices)
    # The Mastodon instance, or the Bluesky PDS (https://bsky.social by default).
    server = models.URLField(_("server"), max_length=300)
    handle = models.CharField(_("account"), max_length=300)
    secret = models.TextField()
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "network"], name="relay_account_once")
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.network} @{self.handle}"


class RelayConsent(models.Model):
    """The pitch's author agrees to have it relayed on that network (off by default)."""

    pitch = models.ForeignKey(
        "pitches.Pitch", on_delete=models.CASCADE, related_name="relay_consents"
    )
    network = models.CharField(max_length=20, choices=Network.choices)
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pitch", "network"], name="relay_consent_once")
        ]

    def __str__(self) -> str:
        return f"{self.pitch_id} {self.network}"


class RelayPost(models.Model):
    """One edition entry on one network: made once, claimed before the network call."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        POSTING = "posting", _("Being posted")
        POSTED = "posted", _("Posted")
        FAILED = "failed", _("Failed")
        DELETING = "deleting", _("Being deleted")
        DELETED = "deleted", _("Deleted")

    entry = models.ForeignKey(
        "pitches.EditionEntry", on_delete=models.CASCADE, related_name="relay_posts"
    )
    network = models.CharField(max_length=20, choices=Network.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    text = models.TextField(blank=True)
    remote_id = models.CharField(max_length=500, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a failed post is tried again; None: it is not (the network refused it).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a run last claimed it: a claim older than `services.STALE_CLAIM` is a run that
    # died between the claim and the outcome, and the post is due again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "network"], name="relay_post_once")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.network} {self.status}"

    @property
    def is_posted(self) -> bool:
        return self.status == self.Status.POSTED

    @property
    def retry_planned(self) -> bool:
        return self.status == self.Status.FAILED and self.next_attempt_at is not None
