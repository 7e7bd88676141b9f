"""Browser notifications (Web Push, RFC 8030/8291/8292) through pywebpush.

A member mentioned while away has `mention_push_send` queued after the post's commit.
It runs in the task cluster, checks again that they are still away, have not read
the message, and want push, then posts the encrypted notification to each of their
browsers' push services, signed with the site's VAPID key. A push service that
answers 404 or 410 says the subscription is gone: it is deleted. Without VAPID keys
in the settings, nothing is queued and nothing is sent.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..models import GroupMembership
from ..services.room import room_presence_is_here
from .models import Mention, PushSubscription
from .selectors import (
    MENTION_READABLE,
    notification_choice_of,
    push_enabled,
    push_endpoint_allowed,
    push_subscriptions_of,
)

logger = logging.getLogger(__name__)

# Seconds a push service keeps a notification for a browser that is offline.
PUSH_TTL = 12 * 3600
# Seconds to wait for a push service.
PUSH_TIMEOUT = 10
# Answers meaning the subscription no longer exists (RFC 8030 §7.3).
GONE_STATUSES = (404, 410)


def vapid_key():
    """The site's VAPID key, as base64url (raw or DER) or PEM."""
    from py_vapid import Vapid

    key = settings.WEBPUSH_VAPID_PRIVATE_KEY.strip()
    if "BEGIN" in key:
        return Vapid.from_pem(key.encode())
    return Vapid.from_string(key)


def push_send(*, subscription: PushSubscription, payload: str) -> bool:
    """Post one notification to one browser; False if it did not go (a gone one is deleted)."""
    from pywebpush import WebPushException, webpush
    from requests import RequestException

    if not push_endpoint_allowed(subscription.endpoint):
        logger.warning("push: endpoint of subscription %s no longer allowed", subscription.pk)
        return False
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=payload,
            vapid_private_key=vapid_key(),
            # A new dict each time: pywebpush writes the endpoint's origin into it.
            vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
            ttl=PUSH_TTL,
            timeout=PUSH_TIMEOUT,
        )
    except WebPushException as exc:
        if exc.status_code in GONE_STATUSES:
            logger.info(
                "push: subscription %s is gone (%s); deleted", subscription.pk, exc.status_code
            )
            PushSubscription.objects.filter(pk=subscription.pk).delete()
        else:
            logger.warning("push: subscription %s refused: %s", subscription.pk, exc.status_code)
        return False
    except RequestException as exc:
        logger.warning("push: subscription %s unreachable: %s", subscription.pk, exc)
        return False
    PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
    return True


def mention_push_payload(mention: Mention) -> str:
    message = mention.message
    author = message.author.public_name if message.author else "?"
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s mentioned you in %(title)s") % {
            "name": author,
            "title": message.group.title,
        }
    return json.dumps(
        {
            "title": title,
            "body": Truncator(message.body).chars(200),
            "url": f"{message.group.get_room_url()}#m{message.seq}",
            "tag": f"room-{message.group_id}",
        }
    )


def mention_push_send(mention_id: int) -> int:
    """A django-q2 task: tell the mentioned person's browsers. Returns how many were told."""
    if not push_enabled():
        return 0
    mention = (
        Mention.objects.select_related("message__group", "message__author")
        .filter(MENTION_READABLE, pk=mention_id)
        .first()
    )
    if mention is None:
        return 0
    message = mention.message
    unread = GroupMembership.objects.filter(
        group_id=message.group_id, user_id=mention.user_id, last_read_seq__lt=message.seq
    ).exists()
    if not unread or room_presence_is_here(group_id=message.group_id, user_id=mention.user_id):
        return 0
    if not notification_choice_of(user_id=mention.user_id).push:
        return 0
    payload = mention_push_payload(mention)
    return sum(
        push_send(subscription=subscription, payload=payload)
        for subscription in push_subscriptions_of(user_id=mention.user_id)
    )
