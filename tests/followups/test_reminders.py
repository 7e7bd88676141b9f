"""A step's reminder leaves on its due date at 8:00 in Paris, once, whatever the clock change."""

import datetime as dt

import pytest
from django_q.models import Schedule
from post_office.models import Email

from followups import services, tasks
from followups.models import Step

from .conftest import record

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def _emails_to(address):
    return [e for e in Email.objects.all() if address in e.to]


@pytest.mark.parametrize(
    ("due_on", "before", "at"),
    [
        # Winter (UTC+1): 8:00 in Paris is 7:00 UTC.
        (dt.date(2026, 12, 10), _utc(2026, 12, 10, 6, 59), _utc(2026, 12, 10, 7, 0)),
        # The day after the spring clock change (29 March 2027, UTC+2): 6:00 UTC.
        (dt.date(2027, 3, 29), _utc(2027, 3, 29, 5, 59), _utc(2027, 3, 29, 6, 0)),
        # The day of the autumn change (31 October 2027, back to UTC+1 at 3:00): 7:00 UTC.
        (dt.date(2027, 10, 31), _utc(2027, 10, 31, 6, 59), _utc(2027, 10, 31, 7, 0)),
    ],
)
def test_the_reminder_leaves_at_8_in_paris_on_the_due_date_and_only_once(alice, due_on, before, at):
    record(alice, due_on=due_on)
    assert services.step_reminders_send(now=before) == 0
    assert _emails_to("alice@example.org") == []
    assert services.step_reminders_send(now=at) == 1
    assert services.step_reminders_send(now=at + dt.timedelta(minutes=15)) == 0
    assert services.step_reminders_send(now=at + dt.timedelta(days=3)) == 0
    (email,) = _emails_to("alice@example.org")
    assert "Claire Martin" in email.subject
    assert f"/suivis/{Step.objects.get().followup_id}/" in email.message
    assert Step.objects.get().reminder_sent_at == at


def test_a_step_done_before_its_date_sends_no_reminder(alice):
    followup = record(alice, due_on=dt.date(2026, 12, 10))
    services.step_complete(
        actor=alice, followup_id=followup.pk, step_id=followup.steps.get().pk, outcome="Done early"
    )
    assert services.step_reminders_send(now=_utc(2026, 12, 10, 9, 0)) == 0
    assert _emails_to("alice@example.org") == []


def test_the_next_step_gets_its_own_reminder(alice):
    followup = record(alice, due_on=dt.date(2026, 12, 10))
    assert services.step_reminders_send(now=_utc(2026, 12, 10, 9, 0)) == 1
    services.step_complete(
        actor=alice, followup_id=followup.pk, step_id=followup.steps.get().pk, outcome="Called"
    )
    services.step_add(
        actor=alice,
        followup_id=followup.pk,
        kind="meeting",
        due_on=dt.date(2026, 12, 17),
        now=_utc(2026, 12, 10, 9, 0),
    )
    assert services.step_reminders_send(now=_utc(2026, 12, 16, 12, 0)) == 0
    assert services.step_reminders_send(now=_utc(2026, 12, 17, 7, 0)) == 1
    assert len(_emails_to("alice@example.org")) == 2


def test_the_reminder_schedule_exists_once_and_runs_the_task(alice):
    tasks.followup_schedules_ensure_after_migrate()
    tasks.followup_schedules_ensure_after_migrate()
    schedule = Schedule.objects.get(name=tasks.REMINDERS_NAME)
    assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        "followups.tasks.step_reminders_send_task",
        Schedule.MINUTES,
        15,
        -1,
    )
    record(alice, due_on=dt.date(2026, 12, 1))  # overdue: due whenever the task runs
    assert tasks.step_reminders_send_task() == 1
