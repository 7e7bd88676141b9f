"""The digest email: the mentions a member has not read, at most one email per period.

A django-q2 schedule runs `mention_digests_send` every few minutes. For each person
with mentions not yet weighed, it takes their choice row's lock, and if no digest
left within GROUPS_DIGEST_PERIOD_MINUTES, gathers their mentions older than the
grace (they may come back and read them first), keeps the unread ones, stamps them
all and queues one email in the same transaction. Mentions held back by the period
wait for the next digest. Times come from `clock`, which tests move.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..emails import absolute_url, email_send
from .models import NotificationChoice
from .selectors import mention_users_pending, mentions_pending, mentions_unread
from .services import digest_unsubscribe_token

# What every digest reads as "now"; tests replace it instead of waiting.
clock = timezone.now
# A mention waits this long before a digest takes it: its person may be back already.
DIGEST_GRACE = timedelta(minutes=5)
# Mentions listed in one email, at most (the rest are counted).
DIGEST_MAX_LISTED = 20
# The race test switches this off to prove the race the lock prevents (two runs both
# seeing no digest sent yet). Never change it elsewhere.
DIGEST_LOCKING = True


def digest_period() -> timedelta:
    return timedelta(minutes=settings.GROUPS_DIGEST_PERIOD_MINUTES)


def mention_digests_send() -> int:
    """The scheduled task: one digest for each person who is due one. Returns how many."""
    now = clock()
    sent = 0
    for user_id in mention_users_pending(until=now - DIGEST_GRACE):
        if mention_digest_send(user_id=user_id, now=now):
            sent += 1
    return sent


def mention_digest_send(*, user_id: int, now=None) -> bool:
    """Queue this person's digest if they want one, are due one and have unread mentions."""
    now = now or clock()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    with transaction.atomic():
        NotificationChoice.objects.get_or_create(user_id=user_id)
        # The lock makes two runs for one person take turns: the second sees the first's stamp.
        choices = NotificationChoice.objects.filter(user_id=user_id)
        choice = (choices.select_for_update() if DIGEST_LOCKING else choices).get()
        pending = mentions_pending(user_id=user_id, until=now - DIGEST_GRACE)
        if user is None or not choice.digest_email:
            pending.update(digested_at=now)  # never to be sent: settled
            return False
        if choice.digest_sent_at is not None and choice.digest_sent_at > now - digest_period():
            return False  # one email per period: these wait for the next one
        unread = list(mentions_unread(pending))
        pending.update(digested_at=now)
        if not unread:
            return False
        choice.digest_sent_at = now
        choice.save(update_fields=["digest_sent_at"])
        unsubscribe_url = absolute_url(
            reverse("groups:digest_unsubscribe", args=[digest_unsubscribe_token(user=user)])
        )
        email_send(
            template="mention_digest",
            context={
                "user": user,
                "count": len(unread),
                "items": [
                    {
                        "message": m.message,
                        "url": absolute_url(m.message.group.get_room_url()) + f"#m{m.message.seq}",
                    }
                    for m in unread[:DIGEST_MAX_LISTED]
                ],
                "more": max(0, len(unread) - DIGEST_MAX_LISTED),
                "settings_url": absolute_url(reverse("groups:notify_settings")),
                "unsubscribe_url": unsubscribe_url,
            },
            recipients=[user.email],
            headers={
                # RFC 8058: mail clients offer "unsubscribe" and POST this body to the URL.
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    return True
