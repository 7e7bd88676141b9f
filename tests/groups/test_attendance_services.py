"""Answers to sessions, their places, attendance and the attendance rate (services, selectors)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from groups import attendance_selectors, services
from groups.models import GroupMembership, Session, SessionAnswer, SessionAttendance
from groups.services import AnswersClosed, GroupError, SessionFull
from tests.associations.factories import AdminFactory
from tests.factories import StaffFactory, UserFactory

from .factories import GroupMemberFactory, SessionFactory

pytestmark = pytest.mark.django_db

COMING, MAYBE, NOT_COMING = "coming", "maybe", "not_coming"


def _answer(session, user):
    return SessionAnswer.objects.get(session=session, membership__user=user).answer


def _started(session, minutes_ago=10):
    """The session started `minutes_ago` minutes ago (moves the session, not the clock)."""
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    session.refresh_from_db()
    return session


def _member_since(group, user, days):
    membership = GroupMembership.objects.get(group=group, user=user)
    membership.joined_at = timezone.now() - timedelta(days=days)
    membership.save(update_fields=["joined_at"])
    return membership


# --- Answering ---------------------------------------------------------------------


def test_a_member_answers_then_changes_their_answer(group, alice):
    session = SessionFactory(group=group)
    services.session_answer_set(session=session, actor=alice, answer=COMING)
    assert _answer(session, alice) == COMING
    services.session_answer_set(session=session, actor=alice, answer=MAYBE)
    services.session_answer_set(session=session, actor=alice, answer=NOT_COMING)
    assert _answer(session, alice) == NOT_COMING
    assert SessionAnswer.objects.filter(session=session).count() == 1


def test_answers_are_closed_once_the_session_has_started(group, alice):
    session = SessionFactory(group=group)
    services.session_answer_set(session=session, actor=alice, answer=COMING)
    _started(session, minutes_ago=1)
    with pytest.raises(AnswersClosed):
        services.session_answer_set(session=session, actor=alice, answer=NOT_COMING)
    assert _answer(session, alice) == COMING
    assert not attendance_selectors.session_answers_open(session=session)


def test_the_closing_moment_is_the_start(group):
    session = SessionFactory(group=group)
    start = session.starts_at
    assert attendance_selectors.session_answers_open(
        session=session, now=start - timedelta(seconds=1)
    )
    assert not attendance_selectors.session_answers_open(session=session, now=start)
    assert attendance_selectors.session_attendance_open(session=session, now=start)


def test_only_the_groups_members_answer(group, facilitator):
    session = SessionFactory(group=group)
    for outsider in (UserFactory(), facilitator, AdminFactory(association=group.association).user):
        with pytest.raises(PermissionDenied):
            services.session_answer_set(session=session, actor=outsider, answer=COMING)
    assert not SessionAnswer.objects.exists()


def test_an_unknown_answer_is_refused(group, alice):
    session = SessionFactory(group=group)
    with pytest.raises(GroupError):
        services.session_answer_set(session=session, actor=alice, answer="yes!")
    assert not SessionAnswer.objects.exists()


def test_leaving_the_group_withdraws_the_answers_and_frees_the_place(group, alice, bob):
    session = SessionFactory(group=group, capacity=1)
    services.session_answer_set(session=session, actor=alice, answer=COMING)
    with pytest.raises(SessionFull):
        services.session_answer_set(session=session, actor=bob, answer=COMING)
    services.group_leave(group=group, actor=alice)
    services.session_answer_set(session=session, actor=bob, answer=COMING)
    assert _answer(session, bob) == COMING


# --- Places ------------------------------------------------------------------------


def test_coming_beyond_the_places_is_refused_and_the_previous_answer_stays(group, alice, bob):
    session = SessionFactory(group=group, capacity=1)
    services.session_answer_set(session=session, actor=alice, answer=COMING)
    services.session_answer_set(session=session, actor=bob, answer=MAYBE)
    with pytest.raises(SessionFull) as refused:
        services.session_answer_set(session=session, actor=bob, answer=COMING)
    assert "1" in refused.value.messages[0]
    assert _answer(session, bob) == MAYBE
    # Maybe and not coming take no place: always accepted.
    services.session_answer_set(session=session, actor=bob, answer=NOT_COMING)
    # Alice answering "coming" again keeps her own place.
    services.session_answer_set(session=session, actor=alice, answer=COMING)
    counts = attendance_selectors.session_answer_counts(sessions=[session])[session.pk]
    assert (counts.coming, counts.not_coming, counts.places_left, counts.is_full) == (1, 1, 0, True)


def test_a_freed_place_goes_to_the_next_who_answers_coming(group, alice, bob):
    session = SessionFactory(group=group, capacity=1)
    services.session_answer_set(session=session, actor=alice, answer=COMING)
    services.session_answer_set(session=session, actor=alice, answer=MAYBE)
    services.session_answer_set(session=session, actor=bob, answer=COMING)
    assert _answer(session, bob) == COMING


def test_without_places_everyone_may_come(group):
    session = SessionFactory(group=group)
    members = [GroupMemberFactory(group=group).user for _ in range(12)]
    for member in members:
        services.session_answer_set(session=session, actor=member, answer=COMING)
    counts = attendance_selectors.session_answer_counts(sessions=[session])[session.pk]
    assert counts.coming == 12 and counts.places_left is None and not counts.is_full


def test_the_facilitator_sets_places_never_below_who_is_coming(group, alice, bob, facilitator):
    session = SessionFactory(group=group)
    services.session_answer_set(session=session, actor=alice, answer=COMING)
    services.session_answer_set(session=session, actor=bob, answer=COMING)
    with pytest.raises(GroupError) as refused:
        services.session_capacity_set(session=session, actor=facilitator, capacity=1)
    assert "capacity" in refused.value.error_dict
    assert Session.objects.get(pk=session.pk).capacity is None
    services.session_capacity_set(session=session, actor=facilitator, capacity=2)
    assert Session.objects.get(pk=session.pk).capacity == 2
    services.session_capacity_set(session=session, actor=facilitator, capacity=None)
    assert Session.objects.get(pk=session.pk).capacity is None


def test_members_do_not_set_places(group, alice):
    session = SessionFactory(group=group)
    with pytest.raises(PermissionDenied):
        services.session_capacity_set(session=session, actor=alice, capacity=3)


def test_a_session_is_planned_with_places(group, facilitator):
    session = services.session_create(
        group=group,
        actor=facilitator,
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=60,
        place="Salle 2",
        capacity=6,
    )
    assert session.capacity == 6


# --- The facilitator's sheet -------------------------------------------------------


def test_the_sheet_names_who_answered_what(group, alice, bob, facilitator):
    carol = GroupMemberFactory(group=group, user=UserFactory(display_name="Carol")).user
    session = SessionFactory(group=group)
    services.session_answer_set(session=session, actor=alice, answer=COMING)
    services.session_answer_set(session=session, actor=bob, answer=MAYBE)
    sheet = attendance_selectors.session_answer_sheet(session=session)
    names = {entry.answer: [m.user.public_name for m in entry.members] for entry in sheet}
    assert names == {COMING: ["Alice"], MAYBE: ["Bob"], NOT_COMING: [], None: ["Carol"]}
    assert carol  # the facilitator is not on the sheet: they take no place


def test_the_member_sees_their_answer_and_whether_they_may_come(group, alice, bob):
    full = SessionFactory(group=group, capacity=1)
    free = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=10))
    services.session_answer_set(session=full, actor=bob, answer=COMING)
    services.session_answer_set(session=free, actor=alice, answer=MAYBE)
    membership = GroupMembership.objects.get(group=group, user=alice)
    panels = attendance_selectors.session_answer_panels(
        sessions=[full, free], membership=membership
    )
    assert [p.may_come for p in panels] == [False, True]
    assert [[c.value for c in p.choices if c.chosen] for p in panels] == [[], [MAYBE]]
    assert panels[0].may_answer and panels[0].open


# --- Attendance and rates ----------------------------------------------------------


def test_attendance_is_taken_once_the_session_has_started(group, alice, bob, facilitator):
    _member_since(group, alice, days=30)
    _member_since(group, bob, days=30)
    session = SessionFactory(group=group)
    with pytest.raises(GroupError):
        services.session_attendance_record(
            session=session, actor=facilitator, presence={alice.pk: True}
        )
    _started(session)
    saved = services.session_attendance_record(
        session=session, actor=facilitator, presence={alice.pk: True, bob.pk: False}
    )
    assert saved == 2
    assert attendance_selectors.session_attendance_marks(session=session) == {
        alice.pk: True,
        bob.pk: False,
    }
    # Recording again corrects, never duplicates.
    services.session_attendance_record(session=session, actor=facilitator, presence={bob.pk: True})
    assert SessionAttendance.objects.filter(session=session).count() == 2
    assert SessionAttendance.objects.get(session=session, user=bob).present is True


def test_only_the_facilitator_and_staff_take_attendance(group, alice, bob, facilitator):
    _member_since(group, alice, days=30)
    session = _started(SessionFactory(group=group))
    for actor in (alice, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.session_attendance_record(
                session=session, actor=actor, presence={alice.pk: True}
            )
    services.session_attendance_record(
        session=session, actor=StaffFactory(), presence={alice.pk: True}
    )
    assert SessionAttendance.objects.get(session=session, user=alice).present


def test_only_members_of_the_session_are_marked(group, alice, bob, facilitator):
    _member_since(group, alice, days=30)  # bob joined just now, after the session started
    session = _started(SessionFactory(group=group))
    stranger = UserFactory()
    for presence in ({alice.pk: True, stranger.pk: True}, {alice.pk: True, bob.pk: True}, {}):
        with pytest.raises(GroupError):
            services.session_attendance_record(
                session=session, actor=facilitator, presence=presence
            )
    assert not SessionAttendance.objects.exists()
    assert [m.user for m in attendance_selectors.session_roster(session=session)] == [alice]


def test_attendance_rate_counts_sessions_held_since_joining(group, alice, bob, facilitator):
    _member_since(group, alice, days=30)
    now = timezone.now()
    held = [SessionFactory(group=group, starts_at=now - timedelta(days=d)) for d in (21, 14, 7, 1)]
    # Bob joined after the first two sessions.
    bob_membership = _member_since(group, bob, days=10)
    # A session whose attendance was never taken does not count, nor one to come.
    SessionFactory(group=group, starts_at=now - timedelta(days=3))
    SessionFactory(group=group, starts_at=now + timedelta(days=3))
    for session, (alice_there, bob_there) in zip(
        held, [(True, None), (False, None), (True, True), (True, False)], strict=True
    ):
        presence = {alice.pk: alice_there}
        if bob_there is not None:
            presence[bob.pk] = bob_there
        services.session_attendance_record(session=session, actor=facilitator, presence=presence)

    rates = {
        r.membership.user_id: r for r in attendance_selectors.group_attendance_rates(group=group)
    }
    assert (rates[alice.pk].attended, rates[alice.pk].held, rates[alice.pk].percent) == (3, 4, 75)
    assert (rates[bob.pk].attended, rates[bob.pk].held, rates[bob.pk].percent) == (1, 2, 50)
    assert facilitator.pk not in rates
    assert bob_membership.joined_at > held[1].starts_at


def test_a_member_without_a_held_session_has_no_rate_yet(group, alice):
    (rate,) = attendance_selectors.group_attendance_rates(group=group)
    assert (rate.held, rate.attended, rate.percent) == (0, 0, None)


def test_rates_take_a_constant_number_of_queries(group, facilitator, django_assert_num_queries):
    now = timezone.now()
    members = [GroupMemberFactory(group=group).user for _ in range(2)]
    for user in members:
        _member_since(group, user, days=30)
    for days in (5, 4):
        session = SessionFactory(group=group, starts_at=now - timedelta(days=days))
        services.session_attendance_record(
            session=session, actor=facilitator, presence={u.pk: True for u in members}
        )
    with django_assert_num_queries(3):
        rates = attendance_selectors.group_attendance_rates(group=group)
    assert [r.percent for r in rates] == [100, 100]
    for _ in range(5):
        _member_since(group, GroupMemberFactory(group=group).user, days=30)
    session = SessionFactory(group=group, starts_at=now - timedelta(days=2))
    services.session_attendance_record(
        session=session, actor=facilitator, presence={u.pk: False for u in members}
    )
    with django_assert_num_queries(3):
        rates = attendance_selectors.group_attendance_rates(group=group)
    assert sorted(r.percent for r in rates) == [0, 0, 0, 0, 0, 67, 67]
