"""The outgoing email queue: written with the change, sent once, whatever fails meanwhile."""

from __future__ import annotations

import psycopg
import pytest
import redis
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core import mail
from django.core.mail import send_mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Schedule
from post_office import mail as post_office_mail
from post_office.models import STATUS, Email

from assosolos import emails
from lottery import tasks

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _queue(*addresses: str) -> None:
    for address in addresses:
        emails.email_send(
            template="lottery/email/test_message",
            context={"address": address},
            recipients=[address],
        )


@pytest.fixture(autouse=True)
def _test_template(settings, tmp_path):
    (tmp_path / "lottery" / "email").mkdir(parents=True)
    (tmp_path / "lottery" / "email" / "test_message_subject.txt").write_text("Hello {{ address }}")
    (tmp_path / "lottery" / "email" / "test_message.txt").write_text("Body for {{ address }}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


def _delivered() -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in mail.outbox:
        for address in message.to:
            counts[address] = counts.get(address, 0) + 1
    return counts


def _use_backend(settings, path: str) -> None:
    settings.POST_OFFICE = {**settings.POST_OFFICE, "BACKENDS": {"default": path}}


# --- In the transaction ------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_leaves_only_when_its_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _queue("kept@example.org")
        assert mail.outbox == []  # nothing leaves before the commit
    assert _delivered() == {"kept@example.org": 1}

    with pytest.raises(RuntimeError), transaction.atomic():
        _queue("rolled-back@example.org")
        raise RuntimeError("the change fails")
    assert not Email.objects.filter(to=["rolled-back@example.org"]).exists()
    emails.emails_send_queued()
    assert _delivered() == {"kept@example.org": 1}


@pytest.mark.django_db
def test_django_s_own_emails_are_queued_in_the_transaction_too(
    settings, django_capture_on_commit_callbacks
):
    """What a library sends with `send_mail` (Wagtail's notices…) takes the same road:
    `EMAIL_BACKEND` is the queue (the test runner swaps it for its outbox; put it back)."""
    settings.EMAIL_BACKEND = "assosolos.emails.QueueBackend"
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Rolled back", "Body", None, ["rolled-back@example.org"])
        raise RuntimeError("the change fails")
    assert not Email.objects.exists()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_mail("Kept", "Body", None, ["kept@example.org"])
        assert mail.outbox == [] and Email.objects.filter(to=["kept@example.org"]).exists()
    assert _delivered() == {"kept@example.org": 1}


@pytest.mark.django_db
def test_allauth_s_emails_are_queued_in_the_transaction(
    tmp_path, rf, django_capture_on_commit_callbacks
):
    (tmp_path / "account" / "email").mkdir(parents=True)
    (tmp_path / "account" / "email" / "notice_subject.txt").write_text("Notice")
    (tmp_path / "account" / "email" / "notice_message.txt").write_text("For {{ email }}")
    adapter = get_adapter(rf.get("/"))
    with pytest.raises(RuntimeError), transaction.atomic():
        adapter.send_mail("account/email/notice", "rolled-back@example.org", {})
        raise RuntimeError("the signup fails")
    assert not Email.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        adapter.send_mail("account/email/notice", "kept@example.org", {"email": "kept"})
    assert _delivered() == {"kept@example.org": 1}
    assert mail.outbox[0].body.startswith("For kept")


@pytest.mark.django_db
def test_the_queue_is_swept_every_minute():
    tasks.schedules_ensure()
    schedule = Schedule.objects.get(func="assosolos.emails.emails_send_queued")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


# --- SMTP failing ------------------------------------------------------------------


class FlakyBackend(LocmemBackend):
    """Refuses every message while `failing` is set, like an SMTP server that is down."""

    failing = True

    def send_messages(self, messages):
        if FlakyBackend.failing:
            raise ConnectionRefusedError("SMTP server unreachable")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_refused_delivery_is_retried_later_and_sent_once(settings):
    _use_backend(settings, "tests.project.test_email_queue.FlakyBackend")
    FlakyBackend.failing = True
    _queue("patient@example.org")

    assert emails.emails_send_queued() == {"requeued": 1}
    email = Email.objects.get()
    assert email.status == STATUS.requeued and email.scheduled_time > timezone.now()
    assert email.logs.get().exception_type == "ConnectionRefusedError"
    assert emails.emails_send_queued() == {}  # not due yet

    FlakyBackend.failing = False
    Email.objects.update(scheduled_time=timezone.now())  # the retry interval has passed
    assert emails.emails_send_queued() == {"sent": 1}
    assert emails.emails_send_queued() == {}
    assert _delivered() == {"patient@example.org": 1}


@pytest.mark.django_db
def test_an_email_claimed_by_another_worker_is_not_sent_again():
    _queue("once@example.org")
    email = Email.objects.get()
    assert emails._claim(email.pk, timezone.now())  # another worker took it

    assert emails.emails_send_queued() == {}
    assert mail.outbox == []


# --- The database connection killed while sending ----------------------------------


def _terminate(pid: int) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])


class ConnectionKillingBackend(LocmemBackend):
    """Delivers, and at the second message kills the sender's database connection."""

    victim_pid: int | None = None
    seen = 0

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        ConnectionKillingBackend.seen += 1
        if ConnectionKillingBackend.seen == 2 and ConnectionKillingBackend.victim_pid:
            _terminate(ConnectionKillingBackend.victim_pid)
        return sent


def _killing_backend(settings) -> None:
    _use_backend(settings, "tests.project.test_email_queue.ConnectionKillingBackend")
    ConnectionKillingBackend.seen = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ConnectionKillingBackend.victim_pid = cursor.fetchone()[0]


ADDRESSES = ("a@example.org", "b@example.org", "c@example.org")


@pytest.fixture
def sent_later(monkeypatch):
    """Emails stay queued until the test runs the sender itself."""
    monkeypatch.setattr(emails, "task_on_commit", lambda *args: None)


@pytest.mark.django_db(transaction=True)
def test_without_our_sender_a_killed_connection_sends_emails_twice(
    require_postgres, settings, sent_later
):
    """The race exists: post_office's batch sender records statuses after the batch."""
    _queue(*ADDRESSES)
    _killing_backend(settings)

    with pytest.raises(Exception, match="terminat|closed|connection"):
        post_office_mail.send_queued()
    connection.close()
    _use_backend(settings, LOCMEM)
    post_office_mail.send_queued()

    assert _delivered() == dict.fromkeys(ADDRESSES, 2)


@pytest.mark.django_db(transaction=True)
def test_a_killed_database_connection_during_sending_sends_each_email_once(
    require_postgres, settings, sent_later
):
    _queue(*ADDRESSES)
    _killing_backend(settings)

    assert emails.emails_send_queued() == {"sent": 3}
    assert emails.emails_send_queued() == {}

    assert _delivered() == dict.fromkeys(ADDRESSES, 1)
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}


@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_between_runs_fails_the_run_and_the_retry_sends_once(
    require_postgres, settings, sent_later
):
    _queue(*ADDRESSES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        _terminate(cursor.fetchone()[0])

    with pytest.raises(Exception, match="terminat|closed|connection"):
        emails.emails_send_queued()
    connection.close()  # what django-q2 does before it retries a task
    assert emails.emails_send_queued() == {"sent": 3}

    assert _delivered() == dict.fromkeys(ADDRESSES, 1)


# --- Redis flushed or down ---------------------------------------------------------


@pytest.fixture
def redis_broker(require_redis, monkeypatch):
    """django-q2 with its Redis broker, as in production (the test settings run tasks inline)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


@pytest.mark.django_db(transaction=True)
def test_emails_whose_tasks_were_flushed_from_redis_are_sent_once(require_postgres, redis_broker):
    with transaction.atomic():
        _queue(*ADDRESSES)
    assert redis_broker.queue_size() == 3  # a sending task per email waits for a worker
    assert mail.outbox == []

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    assert redis_broker.queue_size() == 0

    # The next minute's sweep, as the cluster runs it from its schedule.
    assert emails.emails_send_queued() == {"sent": 3}
    assert emails.emails_send_queued() == {}
    assert _delivered() == dict.fromkeys(ADDRESSES, 1)
