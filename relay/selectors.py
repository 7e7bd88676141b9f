"""Reads of the relay: an association's accounts and posts, a pitch's consent."""

from __future__ import annotations

from django.db.models import QuerySet

from associations.models import Association
from groups.pitches.models import Pitch

from .models import Network, RelayAccount, RelayConsent, RelayPost


def accounts_of(*, association: Association) -> dict[str, RelayAccount]:
    return {a.network: a for a in RelayAccount.objects.filter(association=association)}


def posts_of(*, association: Association, limit: int = 50) -> QuerySet[RelayPost]:
    return RelayPost.objects.filter(entry__edition__association=association).select_related(
        "entry__pitch__author", "entry__edition"
    )[:limit]


def posts_of_pitch(*, pitch: Pitch) -> list[RelayPost]:
    """The posts made of `pitch`, newest edition first, for its author to follow."""
    return list(
        RelayPost.objects.filter(entry__pitch=pitch)
        .select_related("entry__edition")
        .order_by("-entry__edition__published_at", "pk")
    )


def consent_given(*, pitch: Pitch) -> bool:
    return RelayConsent.objects.filter(pitch=pitch, network=pitch.network).exists()


def pitch_relayable(*, pitch: Pitch) -> bool:
    return pitch.network in Network.values
