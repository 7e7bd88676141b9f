"""Two digest runs at once for one member send one email: the choice row's lock.

The race is first shown with the lock off: both runs see no digest sent yet.
"""

import contextlib
import threading

import pytest
from django.utils import timezone
from post_office.models import Email

from groups import services
from groups.models import NotificationChoice
from groups.notify import digest
from tests.concurrency import run_at_once

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def both_runs_meet(monkeypatch):
    """Each run waits for the other once it has read its mentions, for a second at most:
    without the lock both get there before either writes; with it, the second run
    waits for the first one's commit before it reads anything."""
    barrier = threading.Barrier(2, timeout=1)
    original = digest.mentions_unread

    def meeting(mentions):
        unread = list(original(mentions))
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return unread

    monkeypatch.setattr(digest, "mentions_unread", meeting)


def run_twice(user_id: int) -> list:
    # The member's row exists (they chose, or had a digest before): creating it would
    # make the second run wait on the first one's insert, lock or no lock.
    NotificationChoice.objects.get_or_create(user_id=user_id)
    later = timezone.now() + digest.DIGEST_GRACE * 2
    outcomes = run_at_once(
        [1, 2], lambda _job: digest.mention_digest_send(user_id=user_id, now=later)
    )
    return sorted(outcome for _job, outcome in outcomes)


def test_without_the_lock_two_runs_send_two_digests(
    require_postgres, monkeypatch, both_runs_meet, group, alice, bob
):
    monkeypatch.setattr(digest, "DIGEST_LOCKING", False)
    services.room_message_post(group_id=group.pk, actor=alice, body="@Bob regarde")
    assert run_twice(bob.pk) == [True, True]
    assert Email.objects.filter(to=bob.email).count() == 2


def test_with_the_lock_two_runs_send_one_digest(
    require_postgres, both_runs_meet, group, alice, bob
):
    services.room_message_post(group_id=group.pk, actor=alice, body="@Bob regarde")
    assert run_twice(bob.pk) == [False, True]
    assert Email.objects.filter(to=bob.email).count() == 1
