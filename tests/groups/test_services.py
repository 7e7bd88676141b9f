"""Group rules: who creates and manages groups, seats, admissions, winners, sessions."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from associations.services import AssociationNotActive
from groups import calendar, services, tasks
from groups.models import (
    Commitment,
    Group,
    GroupApplication,
    GroupInvitation,
    GroupMembership,
    GroupSeatPrize,
    WaitingListEntry,
)
from lottery.draw.selectors import WinnerForEnrolment
from lottery.signals import draw_committed
from tests.associations.factories import AdminFactory, AssociationFactory, MembershipFactory
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, PrizeFactory

from .factories import GroupFactory, GroupMemberFactory, SessionFactory

pytestmark = pytest.mark.django_db

JoinedVia = GroupMembership.JoinedVia


def _fill(group, n):
    return [GroupMemberFactory(group=group).user for _ in range(n)]


# --- Creation -----------------------------------------------------------------------


def test_admin_of_a_verified_association_creates_a_group_with_its_facilitator():
    admin = AdminFactory()
    facilitator = UserFactory()
    group = services.group_create(
        association=admin.association,
        actor=admin.user,
        facilitator=facilitator,
        title="Pitch X",
        topic=Group.Topic.X_PITCH,
        capacity=8,
        admission=Group.Admission.INVITATION,
    )
    membership = GroupMembership.objects.get(group=group)
    assert (membership.user, membership.role) == (facilitator, GroupMembership.Role.FACILITATOR)
    assert group.capacity == 8


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_only_a_verified_association_may_create_a_group(status):
    admin = AdminFactory(association=AssociationFactory(status=status))
    with pytest.raises(AssociationNotActive):
        services.group_create(
            association=admin.association, actor=admin.user, title="G", topic="linkedin"
        )
    assert not Group.objects.exists()


def test_a_plain_member_of_the_association_cannot_create_a_group():
    member = MembershipFactory()
    with pytest.raises(PermissionDenied):
        services.group_create(
            association=member.association, actor=member.user, title="G", topic="linkedin"
        )


def test_other_topic_needs_its_free_text():
    admin = AdminFactory()
    with pytest.raises(services.GroupError) as exc:
        services.group_create(
            association=admin.association, actor=admin.user, title="G", topic="other"
        )
    assert "topic_other" in exc.value.error_dict
    group = services.group_create(
        association=admin.association,
        actor=admin.user,
        title="G",
        topic="other",
        topic_other="TikTok",
    )
    assert group.topic_label == "TikTok"


def test_capacity_cannot_drop_below_the_members():
    admin = AdminFactory()
    group = GroupFactory(association=admin.association, capacity=3)
    _fill(group, 3)
    with pytest.raises(services.GroupError):
        services.group_update(group=group, actor=admin.user, capacity=2)


# --- Admissions --------------------------------------------------------------------


def test_application_accepted_gives_a_seat_and_emails(django_capture_on_commit_callbacks):
    admin = AdminFactory()
    group = GroupFactory(association=admin.association)
    applicant = UserFactory()
    application = services.group_apply(group=group, actor=applicant, message="Je débute.")
    with pytest.raises(services.GroupError):
        services.group_apply(group=group, actor=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.group_application_decide(
            application=application, actor=admin.user, accept=True
        )
    assert outcome == "member"
    assert GroupMembership.objects.get(user=applicant).joined_via == JoinedVia.APPLICATION
    assert mail.outbox[-1].to == [applicant.email]
    with pytest.raises(services.GroupError):
        services.group_application_decide(application=application, actor=admin.user, accept=False)


def test_invitation_only_group_refuses_applications():
    group = GroupFactory(admission=Group.Admission.INVITATION)
    with pytest.raises(services.GroupError):
        services.group_apply(group=group, actor=UserFactory())
    assert not GroupApplication.objects.exists()


def test_invitation_is_answered_by_the_invited_address_only():
    admin = AdminFactory()
    group = GroupFactory(association=admin.association)
    guest = UserFactory(email="invitee@example.org")
    invitation = services.group_invite(group=group, actor=admin.user, email="Invitee@Example.org")
    with pytest.raises(PermissionDenied):
        services.group_invitation_respond(invitation=invitation, actor=UserFactory(), accept=True)
    assert services.group_invitation_respond(invitation=invitation, actor=guest, accept=True) == (
        "member"
    )
    assert GroupMembership.objects.get(user=guest).joined_via == JoinedVia.INVITATION
    invitation.refresh_from_db()
    assert invitation.status == GroupInvitation.Status.ACCEPTED


def test_full_group_puts_newcomers_on_the_waiting_list_and_a_freed_seat_goes_to_its_head(
    django_capture_on_commit_callbacks,
):
    admin = AdminFactory()
    group = GroupFactory(association=admin.association, capacity=2)
    first, second = _fill(group, 2)
    late = UserFactory()
    application = services.group_apply(group=group, actor=late)
    assert (
        services.group_application_decide(application=application, actor=admin.user, accept=True)
        == "waiting"
    )
    assert list(group.waiting_list.values_list("user", flat=True)) == [late.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.group_leave(group=group, actor=first)
    assert GroupMembership.objects.filter(group=group, user=late).exists()
    assert not WaitingListEntry.objects.exists()
    assert mail.outbox[-1].to == [late.email]


def test_facilitator_does_not_take_a_seat():
    group = GroupFactory(capacity=1)
    GroupMemberFactory(group=group, role=GroupMembership.Role.FACILITATOR)
    invitation = GroupInvitation.objects.create(group=group, email="x@example.org")
    user = UserFactory(email="x@example.org")
    assert services.group_invitation_respond(invitation=invitation, actor=user, accept=True) == (
        "member"
    )


# --- Winners of a seat-carrying prize ----------------------------------------------


def _draw(lottery, *winners):
    """Announce a draw whose winners are `(prize, user or None)` pairs, as the draw does."""
    rows = [
        WinnerForEnrolment(
            winner_id=n, prize_id=prize.pk, ticket_number=n, user_id=user.pk if user else None
        )
        for n, (prize, user) in enumerate(winners, start=1)
    ]
    with mock.patch("lottery.draw.selectors.draw_winners_for_enrolment", return_value=rows):
        draw_committed.send(sender=type(lottery), lottery_id=lottery.pk, result_id=0)


def test_draw_commit_enrols_winners_of_seat_prizes_and_emails_them(
    django_capture_on_commit_callbacks,
):
    group = GroupFactory()
    lottery = LotteryFactory(association=group.association)
    seat_prize, plain_prize = PrizeFactory(lottery=lottery), PrizeFactory(lottery=lottery)
    GroupSeatPrize.objects.create(prize=seat_prize, group=group)
    winner, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _draw(lottery, (seat_prize, winner), (plain_prize, other), (seat_prize, None))
    membership = GroupMembership.objects.get(group=group)
    assert (membership.user, membership.joined_via) == (winner, JoinedVia.PRIZE_SEAT)
    assert [m.to for m in mail.outbox] == [[winner.email]]
    # Sent twice (a retried announcement): nothing changes.
    _draw(lottery, (seat_prize, winner))
    assert GroupMembership.objects.filter(group=group).count() == 1


def test_winner_of_a_full_group_heads_its_waiting_list_and_admins_are_told(
    django_capture_on_commit_callbacks,
):
    admin = AdminFactory()
    group = GroupFactory(association=admin.association, capacity=1)
    _fill(group, 1)
    applicant = UserFactory()
    WaitingListEntry.objects.create(
        group=group, user=applicant, position=1, joined_via=JoinedVia.APPLICATION
    )
    lottery = LotteryFactory(association=group.association)
    prize = PrizeFactory(lottery=lottery)
    GroupSeatPrize.objects.create(prize=prize, group=group)
    winner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _draw(lottery, (prize, winner))
    assert list(group.waiting_list.values_list("user", flat=True)) == [winner.pk, applicant.pk]
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == sorted([(winner.email,), (admin.user.email,)])


def test_winner_can_decline_the_seat():
    group = GroupFactory()
    winner = UserFactory()
    assert services.group_seat_award(group_id=group.pk, user_id=winner.pk, prize_id=0) == "member"
    services.group_leave(group=group, actor=winner)
    assert not GroupMembership.objects.filter(group=group).exists()


# --- Sessions, commitments, calendars, reminders -----------------------------------


def test_session_needs_a_place_or_a_link_and_a_future_date(facilitator, group):
    later = timezone.now() + timedelta(days=2)
    with pytest.raises(services.GroupError):
        services.session_create(group=group, actor=facilitator, starts_at=later)
    with pytest.raises(services.GroupError):
        services.session_create(
            group=group, actor=facilitator, starts_at=timezone.now(), place="Lyon"
        )
    session = services.session_create(
        group=group, actor=facilitator, starts_at=later, video_url="https://visio.example.org/x"
    )
    assert session.group == group


def test_a_member_cannot_plan_sessions(group, alice):
    with pytest.raises(PermissionDenied):
        services.session_create(
            group=group, actor=alice, starts_at=timezone.now() + timedelta(days=1), place="Lyon"
        )


def test_commitment_is_set_then_reported_once_by_its_author(group, alice, bob):
    session = SessionFactory(group=group)
    commitment = services.commitment_set(
        session=session, actor=alice, goal="Contacter trois personnes"
    )
    with pytest.raises(PermissionDenied):
        services.commitment_report(commitment=commitment, actor=bob, done=True)
    services.commitment_report(commitment=commitment, actor=alice, done=True)
    commitment.refresh_from_db()
    assert commitment.outcome == Commitment.Outcome.DONE
    with pytest.raises(services.GroupError):
        services.commitment_report(commitment=commitment, actor=alice, done=False)
    with pytest.raises(PermissionDenied):
        services.commitment_set(session=session, actor=UserFactory(), goal="x")


def test_calendar_lists_the_sessions_as_events(group):
    session = SessionFactory(
        group=group, agenda="Relire les titres", video_url="https://v.example.org"
    )
    body = calendar.sessions_calendar(name=group.title, sessions=[session])
    events = Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == 1
    assert events[0]["summary"] == group.title
    assert events[0].decoded("dtstart") == session.starts_at.replace(microsecond=0)
    assert events[0].decoded("dtend") - events[0].decoded("dtstart") == timedelta(minutes=90)
    assert str(events[0]["description"]) == "Relire les titres"


def test_member_feed_token_cannot_be_forged(alice):
    token = calendar.member_feed_token(user_id=alice.pk)
    assert calendar.member_feed_user_id(token=token) == alice.pk
    assert calendar.member_feed_user_id(token=token[:-2] + "xx") is None


def test_reminder_goes_to_members_the_day_before_and_only_once(
    group, alice, bob, django_capture_on_commit_callbacks
):
    tomorrow = SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.session_reminders_send() == 1
    assert sorted(mail.outbox[0].to) == sorted([alice.email, bob.email])
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.session_reminders_send() == 0
    assert len(mail.outbox) == 1


def test_a_reminder_is_queued_with_its_mark_in_one_transaction(
    group, alice, django_capture_on_commit_callbacks
):
    """The email is a queue row of the transaction that marks the session reminded:
    it exists before any after-commit effect runs, and goes if the mark is undone."""
    from post_office.models import Email

    session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    with pytest.raises(RuntimeError), transaction.atomic():
        assert tasks.session_reminders_send() == 1
        raise RuntimeError("the run fails after queueing")
    session.refresh_from_db()
    assert session.reminder_sent_at is None
    assert not Email.objects.exists()

    with django_capture_on_commit_callbacks(execute=False):
        assert tasks.session_reminders_send() == 1
        assert list(Email.objects.values_list("to", flat=True)) == [[alice.email]]


def test_reminder_task_is_scheduled():
    from django_q.models import Schedule

    tasks.schedules_ensure()
    schedule = Schedule.objects.get(name="groups: session reminders")
    assert schedule.func == "groups.tasks.session_reminders_send"
