"""Writes about being told when away: mentions, choices, unsubscribing, push devices.

The digest's unsubscribe link carries the person's id signed with the site's key
(`django.core.signing`, its own salt): it works without signing in, from any mail
client, and a link whose id or signature was changed is refused.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..effects import task_on_commit
from .models import Mention, NotificationChoice, PushSubscription
from .selectors import push_enabled, push_endpoint_allowed

UNSUBSCRIBE_SALT = "groups.notify.digest-unsubscribe"
PUSH_TASK = "groups.notify.push.mention_push_send"


def mention_record(*, message: Any, user_id: int) -> Mention:
    """Note that `user_id` was named in `message` while away (caller is in the post's
    transaction); their browsers are told after the commit, if push is on."""
    mention, created = Mention.objects.get_or_create(message=message, user_id=user_id)
    if created and push_enabled():
        task_on_commit(PUSH_TASK, mention.pk)
    return mention


def notification_choice_set(*, actor: Any, digest_email: bool, push: bool) -> NotificationChoice:
    choice, _created = NotificationChoice.objects.update_or_create(
        user_id=actor.pk, defaults={"digest_email": digest_email, "push": push}
    )
    return choice


def digest_unsubscribe_token(*, user: Any) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user.pk})


def _token_user_id(token: str) -> int | None:
    """The person a well-signed token names, if they exist."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
        user_id = int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not get_user_model().objects.filter(pk=user_id).exists():
        return None
    return user_id


def digest_unsubscribe_check(*, token: str) -> bool:
    return _token_user_id(token) is not None


def digest_unsubscribe(*, token: str) -> int | None:
    """Turn the digest off for the person the token names; their id, or None if refused."""
    user_id = _token_user_id(token)
    if user_id is None:
        return None
    NotificationChoice.objects.update_or_create(user_id=user_id, defaults={"digest_email": False})
    return user_id


def push_subscription_save(
    *, actor: Any, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Keep a browser's subscription for `actor` (a browser that changes hands moves with it)."""
    if not push_enabled():
        raise ValidationError(_("Browser notifications are not available on this site."))
    if not push_endpoint_allowed(endpoint):
        raise ValidationError(_("This push service is not accepted."))
    # The browser's key (an uncompressed P-256 point) and its 16-byte secret.
    key, secret = _b64url_decode(p256dh), _b64url_decode(auth)
    if key is None or len(key) != 65 or key[0] != 4 or secret is None or len(secret) != 16:
        raise ValidationError(_("This subscription's keys are not valid."))
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint, defaults={"user": actor, "p256dh": p256dh, "auth": auth}
        )
    return subscription


def _b64url_decode(text: Any) -> bytes | None:
    if not isinstance(text, str) or len(text) > 200:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        return None


def push_subscription_delete(*, actor: Any, endpoint: str) -> int:
    deleted, _rows = PushSubscription.objects.filter(user_id=actor.pk, endpoint=endpoint).delete()
    return deleted
