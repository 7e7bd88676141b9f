"""Recording a person met, steps and their outcomes, and what the member's page shows."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from followups import selectors, services
from followups.models import FollowUp, Step
from tests.factories import UserFactory
from tests.groups.factories import SessionFactory

from .conftest import NOW, record

pytestmark = pytest.mark.django_db


def test_a_member_records_a_person_met_with_a_first_step(alice, session):
    followup = record(alice, session=session, how="session")
    assert (followup.owner, followup.name, followup.reach) == (
        alice,
        "Claire Martin",
        "claire@example.com",
    )
    assert followup.session == session
    step = followup.steps.get()
    assert (step.kind, step.due_on, step.done_at) == ("call", dt.date(2026, 12, 10), None)


def test_someone_in_no_group_cannot_record(db):
    with pytest.raises(PermissionDenied):
        record(UserFactory())
    assert not FollowUp.objects.exists()


def test_the_session_must_be_one_of_the_members_groups(alice):
    other_session = SessionFactory()
    with pytest.raises(ValidationError) as caught:
        record(alice, session=other_session)
    assert "session" in caught.value.message_dict
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("due_on", "field_error"),
    [
        (dt.date(1999, 12, 31), True),
        (dt.date(2000, 1, 1), False),
        (dt.date(2031, 12, 7), False),
        (dt.date(2031, 12, 8), True),
    ],
)
def test_step_dates_are_bounded_from_2000_to_five_years_ahead(alice, due_on, field_error):
    if field_error:
        with pytest.raises(ValidationError) as caught:
            record(alice, due_on=due_on)
        assert "due_on" in caught.value.message_dict
    else:
        assert record(alice, due_on=due_on).steps.get().due_on == due_on


def test_outcome_marks_the_step_done_and_a_next_step_follows(alice):
    followup = record(alice)
    first = followup.steps.get()
    with pytest.raises(ValidationError):
        services.step_add(actor=alice, followup_id=followup.pk, kind="meeting", due_on=NOW.date())
    services.step_complete(
        actor=alice, followup_id=followup.pk, step_id=first.pk, outcome="Keen to meet", now=NOW
    )
    with pytest.raises(ValidationError):
        services.step_complete(
            actor=alice, followup_id=followup.pk, step_id=first.pk, outcome="again", now=NOW
        )
    services.step_add(
        actor=alice, followup_id=followup.pk, kind="meeting", due_on=dt.date(2026, 12, 20), now=NOW
    )
    steps = selectors.followup_steps(followup=followup)
    assert [(s.kind, s.outcome, s.is_done) for s in steps] == [
        ("call", "Keen to meet", True),
        ("meeting", "", False),
    ]


def test_an_empty_outcome_is_refused_and_the_step_stays_open(alice):
    followup = record(alice)
    step = followup.steps.get()
    with pytest.raises(ValidationError) as caught:
        services.step_complete(actor=alice, followup_id=followup.pk, step_id=step.pk, outcome=" ")
    assert "outcome" in caught.value.message_dict
    assert Step.objects.get().done_at is None


def test_another_member_cannot_act_on_a_follow_up(alice, bob):
    followup = record(alice)
    step = followup.steps.get()
    with pytest.raises(FollowUp.DoesNotExist):
        services.step_complete(actor=bob, followup_id=followup.pk, step_id=step.pk, outcome="x")
    with pytest.raises(FollowUp.DoesNotExist):
        services.followup_delete(actor=bob, followup_id=followup.pk)
    assert services.followups_delete_all(actor=bob) == 0
    assert FollowUp.objects.filter(pk=followup.pk).exists()


def test_the_member_page_lists_next_steps_with_the_overdue_and_conversations_held(alice):
    late = record(alice, name="Late Lucie", due_on=dt.date(2026, 12, 1))
    soon = record(alice, name="Soon Samir", due_on=dt.date(2026, 12, 9))
    held = record(alice, name="Held Hugo")
    services.step_complete(
        actor=alice,
        followup_id=held.pk,
        step_id=held.steps.get().pk,
        outcome="Introduced me to a recruiter",
        now=NOW,
    )
    page = selectors.member_page(actor=alice, today=dt.date(2026, 12, 7))
    assert [(s.followup.name, s.is_overdue) for s in page.next_steps] == [
        (late.name, True),
        (soon.name, False),
    ]
    assert [(s.followup.name, s.outcome) for s in page.conversations] == [
        ("Held Hugo", "Introduced me to a recruiter")
    ]


def test_facilitator_counts_are_per_session_and_hold_no_names(alice, bob, session):
    for name in ("Claire", "Denis"):
        record(alice, name=name, session=session)
    held = record(bob, name="Emma", session=session)
    services.step_complete(
        actor=bob, followup_id=held.pk, step_id=held.steps.get().pk, outcome="Call held", now=NOW
    )
    services.step_add(actor=bob, followup_id=held.pk, kind="meeting", due_on=NOW.date(), now=NOW)
    services.step_complete(
        actor=bob,
        followup_id=held.pk,
        step_id=held.steps.get(done_at=None).pk,
        outcome="Met",
        now=NOW,
    )
    record(alice, name="Elsewhere")  # no session
    counts = selectors.session_followup_counts(session=session)
    assert counts == selectors.SessionCounts(people_met=3, conversations_held=1, steps_done=2)
    assert {type(value) for value in vars(counts).values()} == {int}


def test_delete_one_and_delete_all(alice, bob):
    kept = record(bob)
    first, _second = record(alice), record(alice)
    services.followup_delete(actor=alice, followup_id=first.pk)
    assert not Step.objects.filter(followup_id=first.pk).exists()
    assert services.followups_delete_all(actor=alice) == 1
    assert list(FollowUp.objects.all()) == [kept]
