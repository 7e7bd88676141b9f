"""The digest email of unread mentions: one per period, signed one-click unsubscribe.

Time moves by the digest's own clock (`groups.notify.digest.clock`), never by sleeping.
"""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from post_office.models import Email

from groups import services
from groups.models import Mention, NotificationChoice
from groups.notify import digest
from groups.notify import services as notify_services
from tests.factories import UserFactory


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def clock(monkeypatch, settings):
    settings.GROUPS_DIGEST_PERIOD_MINUTES = 60
    fake = Clock(timezone.now())
    monkeypatch.setattr(digest, "clock", fake)
    return fake


def post(group, author, body):
    return services.room_message_post(group_id=group.pk, actor=author, body=body)


def digests_to(user) -> list[Email]:
    return [e for e in Email.objects.order_by("pk") if e.to == [user.email]]


def test_an_away_member_gets_one_digest_per_period(db, clock, group, alice, bob):
    first = post(group, alice, "@Bob regarde mon bandeau")
    clock.advance(1)
    assert digest.mention_digests_send() == 0  # too fresh: Bob may be back in a minute
    clock.advance(5)
    assert digest.mention_digests_send() == 1
    [email] = digests_to(bob)
    assert "regarde mon bandeau" in email.message
    assert f"{group.get_room_url()}#m{first.seq}" in email.message
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.headers["List-Unsubscribe"].startswith("<http")

    post(group, alice, "@Bob et celui-ci ?")
    clock.advance(10)
    assert digest.mention_digests_send() == 0  # the period is not over: it waits
    clock.advance(40)
    assert digest.mention_digests_send() == 0
    assert len(digests_to(bob)) == 1
    clock.advance(11)  # 61 minutes after the first digest
    assert digest.mention_digests_send() == 1
    second = digests_to(bob)[1]
    assert "et celui-ci" in second.message
    assert "regarde mon bandeau" not in second.message  # each mention once
    clock.advance(120)
    assert digest.mention_digests_send() == 0  # nothing new


def test_no_digest_for_a_member_who_was_there(db, clock, group, alice, bob):
    services.room_presence_touch(group_id=group.pk, user_id=bob.pk)
    post(group, alice, "@Bob tu es là ?")
    clock.advance(10)
    assert digest.mention_digests_send() == 0
    assert digests_to(bob) == []
    assert not Mention.objects.exists()


def test_only_unread_and_visible_mentions_are_sent(db, clock, group, alice, bob, facilitator):
    read = post(group, alice, "@Bob lu depuis")
    hidden = post(group, alice, "@Bob masqué ensuite")
    services.room_message_hide(group_id=group.pk, seq=hidden.seq, actor=facilitator)
    services.room_read_mark(group_id=group.pk, actor=bob, seq=read.seq)
    clock.advance(10)
    assert digest.mention_digests_send() == 0
    # Weighed once and settled: they are not looked at again.
    assert not Mention.objects.filter(digested_at__isnull=True).exists()
    post(group, alice, "@Bob pas encore lu")
    clock.advance(10)
    assert digest.mention_digests_send() == 1
    [email] = digests_to(bob)
    assert "pas encore lu" in email.message
    assert "lu depuis" not in email.message and "masqué" not in email.message


def test_a_member_who_chose_nothing_gets_no_digest(db, clock, client, group, alice, bob):
    client.force_login(bob)
    response = client.post(reverse("groups:notify_settings"), {"push": "on"})
    assert response.status_code == 302
    choice = NotificationChoice.objects.get(user=bob)
    assert (choice.digest_email, choice.push) == (False, True)
    post(group, alice, "@Bob coucou")
    clock.advance(10)
    assert digest.mention_digests_send() == 0
    assert digests_to(bob) == []


def test_the_digest_leaves_with_its_unsubscribe_headers(db, clock, group, alice, bob):
    from assosolos.emails import emails_send_queued

    post(group, alice, "@Bob à lire")
    clock.advance(10)
    digest.mention_digests_send()
    mail.outbox.clear()
    emails_send_queued()
    [message] = mail.outbox
    assert message.to == [bob.email]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "à lire" in message.body


def unsubscribe_path(email: Email) -> str:
    from urllib.parse import urlsplit

    return urlsplit(email.headers["List-Unsubscribe"].strip("<>")).path


def test_the_one_click_link_unsubscribes_without_signing_in(db, clock, group, alice, bob):
    post(group, alice, "@Bob bonjour")
    clock.advance(10)
    digest.mention_digests_send()
    path = unsubscribe_path(digests_to(bob)[0])
    anonymous = Client(enforce_csrf_checks=True)
    # Opening the link (or a mail scanner fetching it) changes nothing.
    assert anonymous.get(path).status_code == 200
    assert NotificationChoice.objects.get(user=bob).digest_email is True
    # The mail client's one-click POST (RFC 8058): no session, no CSRF token.
    response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationChoice.objects.get(user=bob).digest_email is False
    post(group, alice, "@Bob encore")
    clock.advance(120)
    assert digest.mention_digests_send() == 0


def test_a_tampered_or_foreign_link_is_refused(db, group, bob, alice):
    token = notify_services.digest_unsubscribe_token(user=bob)
    value, signature = token.rsplit(":", 1)
    someone_else = signing.Signer(salt=notify_services.UNSUBSCRIBE_SALT).sign_object(
        {"u": alice.pk}
    )
    forged = [
        f"{someone_else.rsplit(':', 1)[0]}:{signature}",  # Alice's id with Bob's signature
        f"{value}:{signature[:-2]}xx",
        signing.Signer(salt="another.purpose").sign_object({"u": bob.pk}),
        "nonsense",
    ]
    anonymous = Client(enforce_csrf_checks=True)
    for bad in forged:
        path = reverse("groups:digest_unsubscribe", args=[bad])
        assert anonymous.get(path).status_code == 400
        assert anonymous.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 400
    assert not NotificationChoice.objects.filter(digest_email=False).exists()
    # The real one still works.
    path = reverse("groups:digest_unsubscribe", args=[token])
    assert anonymous.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert list(
        NotificationChoice.objects.filter(digest_email=False).values_list("user", flat=True)
    ) == [bob.pk]


def test_the_choice_page_needs_a_sign_in_and_shows_the_choice(db, client):
    response = client.get(reverse("groups:notify_settings"))
    assert response.status_code == 302
    person = UserFactory()
    client.force_login(person)
    response = client.get(reverse("groups:notify_settings"))
    assert response.status_code == 200
    assert response.context["form"].initial == {"digest_email": True, "push": True}


def test_the_digest_is_scheduled(db):
    from django.utils.module_loading import import_string
    from django_q.models import Schedule

    from groups import tasks

    tasks.schedules_ensure()
    schedule = Schedule.objects.get(name="groups: mention digests")
    assert import_string(schedule.func) is digest.mention_digests_send
    assert schedule.minutes <= 60
