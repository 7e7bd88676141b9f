"""Connecting accounts, consents, and the relay of published editions, exactly once.

The relay polls the showcase: `relay_sweep` (scheduled every few minutes, see
`tasks.py`) finds the entries of published editions whose author agreed, makes one
`RelayPost` per (entry, network), claims each with a conditional update before calling
the network, retries failures with backoff, and deletes the posts of withdrawn pitches.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from associations.selectors import association_manage_check
from groups.networks import NETWORKS, pitch_count
from groups.pitches.models import EditionEntry, Pitch

from . import clients
from .crypto import secret_decrypt, secret_encrypt
from .models import Network, RelayAccount, RelayConsent, RelayPost

logger = logging.getLogger(__name__)
Status = RelayPost.Status

# Off only in the race test, to prove two runs at once post twice without the claim.
CLAIM_POSTS = True
MAX_ATTEMPTS = 6
BACKOFF_BASE = dt.timedelta(minutes=2)
# Longer than any network call (clients.TIMEOUT) and a login, shorter than the hour
# Mastodon keeps an idempotency key.
STALE_CLAIM = dt.timedelta(minutes=10)


def claim_checked(post: RelayPost) -> None:
    """A seam between reading a post as due and claiming it (the race test holds here)."""


# --- Accounts ------------------------------------------------------------------------


def _refused(exc: clients.RelayError) -> ValidationError:
    return ValidationError(
        _("The server refused the connection: %(message)s"), params={"message": exc.message}
    )


def account_connect(
    *, actor: Any, association: Association, network: str, server: str, handle: str, secret: str
) -> RelayAccount:
    """Check the credentials with the network, then keep them encrypted."""
    association_manage_check(actor=actor, association=association)
    server = server.strip().rstrip("/")
    try:
        if network == Network.MASTODON:
            handle = clients.mastodon_verify(server=server, token=secret)
        else:
            server = server or clients.BLUESKY_DEFAULT_SERVER
            handle = clients.bluesky_verify(server=server, handle=handle, password=secret)
    except clients.RelayError as exc:
        raise _refused(exc) from exc
    account, _created = RelayAccount.objects.update_or_create(
        association=association,
        network=network,
        defaults={
            "server": server,
            "handle": handle,
            "secret": secret_encrypt(value=secret),
            "connected_by": actor,
            "connected_at": timezone.now(),
        },
    )
    return account


def account_disconnect(*, actor: Any, association: Association, network: str) -> None:
    association_manage_check(actor=actor, association=association)
    RelayAccount.objects.filter(association=association, network=network).delete()


# --- Consent -------------------------------------------------------------------------


def consent_set(*, actor: Any, pitch: Pitch, network: str, agreed: bool) -> None:
    """Only the author decides; only the pitch's own network can relay it."""
    if actor.pk != pitch.author_id:
        raise PermissionDenied
    if network != pitch.network or network not in Network.values:
        raise ValidationError(_("This pitch is not written for that network."))
    if agreed:
        RelayConsent.objects.get_or_create(pitch=pitch, network=network)
    else:
        RelayConsent.objects.filter(pitch=pitch, network=network).delete()


# --- Posting -------------------------------------------------------------------------


def relay_text(*, entry: EditionEntry) -> str:
    """The version written for the network, then its contact link (unless already there)."""
    text = entry.version.text.strip()
    contact = entry.version.contact.strip()
    if contact and contact not in text:
        text = f"{text}\n\n{contact}"
    return text


def _too_long(*, text: str, network: str) -> str:
    count = pitch_count(text=text, network=network)
    if count.fits:
        return ""
    if count.used > count.limit:
        return _("Not posted: %(used)s characters of %(limit)s allowed on %(network)s.") % {
            "used": count.used,
            "limit": count.limit,
            "network": NETWORKS[network].site,
        }
    return _("Not posted: %(bytes)s bytes of %(limit)s allowed on %(network)s.") % {
        "bytes": count.bytes,
        "limit": count.byte_limit,
        "network": NETWORKS[network].site,
    }


def posts_create(*, now: dt.datetime) -> int:
    """One waiting post per entry of a published edition whose author agreed, on a
    network the association connected. Returns how many were made."""
    entries = (
        EditionEntry.objects.filter(
            edition__published_at__lte=now,
            pitch__status=Pitch.Status.APPROVED,
            pitch__network__in=Network.values,
            relay_posts__isnull=True,
        )
        .select_related("pitch", "version", "edition")
        .order_by("pk")
    )
    made = []
    for entry in entries:
        network = entry.pitch.network
        agreed = RelayConsent.objects.filter(pitch=entry.pitch, network=network).exists()
        connected = RelayAccount.objects.filter(
            association_id=entry.edition.association_id, network=network
        ).exists()
        if agreed and connected:
            made.append(RelayPost(entry=entry, network=network, text=relay_text(entry=entry)))
    RelayPost.objects.bulk_create(made, ignore_conflicts=True)
    return len(made)


def _stale(*, status: str, now: dt.datetime) -> Q:
    """Claimed by a run that never recorded the outcome (it died or lost its database)."""
    return Q(status=status, claimed_at__lte=now - STALE_CLAIM)


def _due(*, now: dt.datetime) -> Q:
    return (
        Q(status=Status.PENDING)
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
        | _stale(status=Status.POSTING, now=now)
    )


def _delete_due(*, now: dt.datetime) -> Q:
    return Q(status=Status.POSTED) | _stale(status=Status.DELETING, now=now)


def _claim(*, post: RelayPost, due: Q, to: str, now: dt.datetime) -> bool:
    """Make this run the only one working on `post`: a conditional update on its status
    (a second run waits on the row, then finds it no longer due)."""
    claim_checked(post)
    if not CLAIM_POSTS:
        RelayPost.objects.filter(pk=post.pk).update(status=to, claimed_at=now)
        return True
    return RelayPost.objects.filter(due, pk=post.pk).update(status=to, claimed_at=now) == 1


def _account(post: RelayPost) -> RelayAccount | None:
    return RelayAccount.objects.filter(
        association_id=post.entry.edition.association_id, network=post.network
    ).first()


def _failed(*, post: RelayPost, message: str, retryable: bool, now: dt.datetime) -> None:
    attempts = post.attempts + 1
    again = retryable and attempts < MAX_ATTEMPTS
    RelayPost.objects.filter(pk=post.pk).update(
        status=Status.FAILED,
        error=message,
        attempts=attempts,
        next_attempt_at=now + BACKOFF_BASE * 2 ** (attempts - 1) if again else None,
    )


def post_key(post: RelayPost) -> str:
    """The same for every try of one post, so that a network which already has it (the
    run that posted died before recording it) answers with that post, not a second."""
    return f"assosolos-relay-{post.pk}"


def _micros(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def post_send(*, post: RelayPost, now: dt.datetime) -> bool:
    """Post it if this run claims it. Returns whether this run called the network."""
    if not _claim(post=post, due=_due(now=now), to=Status.POSTING, now=now):
        return False
    account = _account(post)
    if account is None:
        _failed(
            post=post, message=_("The account is no longer connected."), retryable=False, now=now
        )
        return True
    too_long = _too_long(text=post.text, network=post.network)
    if too_long:
        _failed(post=post, message=too_long, retryable=False, now=now)
        return True
    secret = secret_decrypt(token=account.secret)
    try:
        if post.network == Network.MASTODON:
            posted = clients.mastodon_post(
                server=account.server, token=secret, text=post.text, key=post_key(post)
            )
        else:
            posted = clients.bluesky_post(
                server=account.server,
                handle=account.handle,
                password=secret,
                text=post.text,
                rkey=clients.bluesky_record_key(micros=_micros(post.created_at), clock=post.pk),
                retry=post.status != Status.PENDING,
            )
    except clients.RelayError as exc:
        _failed(post=post, message=exc.message, retryable=exc.retryable, now=now)
        return True
    RelayPost.objects.filter(pk=post.pk).update(
        status=Status.POSTED,
        remote_id=posted.remote_id,
        remote_url=posted.url,
        error="",
        next_attempt_at=None,
        posted_at=now,
    )
    return True


def post_delete(*, post: RelayPost, now: dt.datetime) -> bool:
    """Take down a post whose pitch was withdrawn. Returns whether this run did."""
    if not _claim(post=post, due=_delete_due(now=now), to=Status.DELETING, now=now):
        return False
    account = _account(post)
    try:
        if account is None:
            raise clients.RelayError(_("The account is no longer connected."), retryable=False)
        secret = secret_decrypt(token=account.secret)
        if post.network == Network.MASTODON:
            clients.mastodon_delete(server=account.server, token=secret, remote_id=post.remote_id)
        else:
            clients.bluesky_delete(
                server=account.server,
                handle=account.handle,
                password=secret,
                remote_id=post.remote_id,
            )
    except clients.RelayError as exc:
        # Still posted: the next sweep tries again.
        RelayPost.objects.filter(pk=post.pk).update(
            status=Status.POSTED,
            error=_("Could not delete: %(message)s") % {"message": exc.message},
        )
        return True
    RelayPost.objects.filter(pk=post.pk).update(status=Status.DELETED, error="")
    return True


def relay_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create, send, retry and delete what is due. Safe to run twice at once."""
    now = now or timezone.now()
    with transaction.atomic():
        created = posts_create(now=now)
    due = RelayPost.objects.filter(
        _due(now=now), entry__pitch__status=Pitch.Status.APPROVED
    ).select_related("entry__edition")
    sent = sum(post_send(post=post, now=now) for post in list(due))
    withdrawn = RelayPost.objects.filter(
        _delete_due(now=now), entry__pitch__status=Pitch.Status.WITHDRAWN
    ).select_related("entry__edition")
    deleted = sum(post_delete(post=post, now=now) for post in list(withdrawn))
    return {"created": created, "sent": sent, "deleted": deleted}
