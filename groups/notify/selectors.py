"""Reads about being told when away: each person's choice, pending mentions, push."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from ..models import GroupMembership
from .models import Mention, NotificationChoice, PushSubscription

# Mentions whose message members may still read: the digest and push skip the others.
MENTION_READABLE = Q(message__hidden_at__isnull=True, message__deleted_at__isnull=True)


def notification_choice_of(*, user_id: int) -> NotificationChoice:
    """The person's choice; the defaults (unsaved) when they never chose."""
    choice = NotificationChoice.objects.filter(user_id=user_id).first()
    return choice or NotificationChoice(user_id=user_id)


def push_enabled() -> bool:
    """Web Push works only with the site's VAPID keys; without them it is simply off."""
    return bool(settings.WEBPUSH_VAPID_PRIVATE_KEY and settings.WEBPUSH_VAPID_PUBLIC_KEY)


def push_public_key() -> str:
    """What a browser subscribes with (applicationServerKey); empty when push is off."""
    return settings.WEBPUSH_VAPID_PUBLIC_KEY if push_enabled() else ""


def push_endpoint_allowed(endpoint: str) -> bool:
    """An https address of a known push service: the server posts nowhere else."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme != "https" or not host or parts.username or parts.password:
        return False
    return any(
        host == allowed or host.endswith("." + allowed)
        for allowed in (h.lower().strip(".") for h in settings.WEBPUSH_ENDPOINT_HOSTS)
    )


def push_subscriptions_of(*, user_id: int) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user_id=user_id)


def mentions_pending(*, user_id: int, until) -> QuerySet[Mention]:
    """Mentions of the person not yet weighed by a digest, made at `until` or before."""
    return Mention.objects.filter(user_id=user_id, digested_at__isnull=True, created_at__lte=until)


def mentions_unread(mentions: QuerySet[Mention]) -> QuerySet[Mention]:
    """Of these, the ones the person may still read and has not: the message is visible,
    they are still in its group, and it comes after their read mark there."""
    unread_there = GroupMembership.objects.filter(
        user_id=OuterRef("user_id"),
        group_id=OuterRef("message__group_id"),
        last_read_seq__lt=OuterRef("message__seq"),
    )
    return (
        mentions.filter(MENTION_READABLE)
        .filter(Exists(unread_there))
        .select_related("message__group", "message__author")
        .order_by("message__group__title", "message__group_id", "message__seq")
    )


def mention_users_pending(*, until) -> list[int]:
    """Who has mentions waiting for a digest."""
    return list(
        Mention.objects.filter(digested_at__isnull=True, created_at__lte=until)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
