"""Answer forms on the group and session pages, the facilitator's sheet and rates, the feeds."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groups import calendar, services
from groups.models import GroupMembership, Session, SessionAnswer, SessionAttendance
from tests.associations.factories import AdminFactory
from tests.factories import StaffFactory, UserFactory, en, english_client

from .factories import GroupFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _answer_url(session):
    return reverse("groups:session_answer", args=[session.group_id, session.pk])


def _sheet_url(session):
    return reverse("groups:session_sheet", args=[session.group_id, session.pk])


def _answer(session, user):
    row = SessionAnswer.objects.filter(session=session, membership__user=user).first()
    return row and row.answer


def _errors(response):
    return [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def _started(session):
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    session.refresh_from_db()
    return session


def _joined_long_ago(group, *users):
    GroupMembership.objects.filter(group=group, user__in=users).update(
        joined_at=timezone.now() - timedelta(days=60)
    )


# --- Members answer -----------------------------------------------------------------


def test_a_member_answers_from_the_group_page_with_its_csrf_form(group, alice):
    session = SessionFactory(group=group)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(reverse("groups:detail", args=[group.pk]))
    assert _answer_url(session) in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    assert client.post(_answer_url(session), {"answer": "coming"}).status_code == 403
    response = client.post(
        _answer_url(session), {"answer": "coming", "back": "group", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("groups:detail", args=[group.pk]))
    assert _answer(session, alice) == "coming"
    page = client.get(reverse("groups:detail", args=[group.pk]))
    assert re.search(r'value="coming"[^>]*aria-pressed="true"', page.text)
    assert re.search(r'value="maybe"[^>]*aria-pressed="false"', page.text)


def test_a_member_changes_their_answer_from_the_session_page(client, group, alice):
    session = SessionFactory(group=group)
    client.force_login(alice)
    session_url = reverse("groups:session", args=[group.pk, session.pk])
    assert _answer_url(session) in client.get(session_url).text
    client.post(_answer_url(session), {"answer": "coming", "back": "session"})
    response = client.post(_answer_url(session), {"answer": "not_coming", "back": "session"})
    assert response.url == session_url
    assert _answer(session, alice) == "not_coming"


def test_a_full_session_refuses_coming_with_a_message_and_keeps_the_answer(
    client, group, alice, bob
):
    session = SessionFactory(group=group, capacity=1)
    services.session_answer_set(session=session, actor=alice, answer="coming")
    client = english_client(client)
    client.force_login(bob)
    client.post(_answer_url(session), {"answer": "maybe"})
    response = client.post(_answer_url(session), {"answer": "coming"})
    assert response.status_code == 302
    (error,) = _errors(response)
    assert "full" in str(error) and "maybe" in str(error)
    assert _answer(session, bob) == "maybe"
    page = client.get(reverse("groups:detail", args=[group.pk]))
    assert "Every place is taken" in page.text


def test_answers_are_closed_after_the_start_with_a_message(client, group, alice):
    session = SessionFactory(group=group)
    services.session_answer_set(session=session, actor=alice, answer="coming")
    _started(session)
    client = english_client(client)
    client.force_login(alice)
    response = client.post(_answer_url(session), {"answer": "not_coming", "back": "session"})
    (error,) = _errors(response)
    assert "answers are closed" in str(error)
    assert _answer(session, alice) == "coming"
    page = client.get(reverse("groups:session", args=[group.pk, session.pk]))
    assert "answers are closed" in page.text
    assert en(_answer_url(session)) not in page.text


def test_a_forged_answer_changes_nothing(client, group, alice):
    session = SessionFactory(group=group)
    client.force_login(alice)
    response = client.post(_answer_url(session), {"answer": "<b>yes</b>"})
    assert response.status_code == 302 and len(_errors(response)) == 1
    assert not SessionAnswer.objects.exists()


def test_outsiders_may_not_answer(client, group, alice, facilitator):
    session = SessionFactory(group=group)
    assert client.post(_answer_url(session), {"answer": "coming"}).status_code == 302  # sign in
    for user in (UserFactory(), facilitator):
        client.force_login(user)
        assert client.post(_answer_url(session), {"answer": "coming"}).status_code == 403
    other = SessionFactory(group=GroupFactory())
    client.force_login(alice)
    wrong_group = reverse("groups:session_answer", args=[group.pk, other.pk])
    assert client.post(wrong_group, {"answer": "coming"}).status_code == 404
    assert not SessionAnswer.objects.exists()


def test_the_group_page_answers_in_constant_queries(client, group, alice):
    def queries_for(count):
        Session.objects.all().delete()
        for n in range(count):
            session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=n + 1))
            services.session_answer_set(session=session, actor=alice, answer="maybe")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("groups:detail", args=[group.pk]))
        assert response.text.count('aria-pressed="true"') == count
        return len(captured)

    client.force_login(alice)
    client.get(reverse("groups:detail", args=[group.pk]))  # warm the session and caches
    assert queries_for(1) == queries_for(6)


# --- The facilitator's sheet ----------------------------------------------------------


def test_the_facilitator_sees_answers_with_names(client, group, alice, bob, facilitator):
    session = SessionFactory(group=group, capacity=4)
    services.session_answer_set(session=session, actor=alice, answer="coming")
    services.session_answer_set(session=session, actor=bob, answer="not_coming")
    client.force_login(facilitator)
    response = client.get(_sheet_url(session))
    assert response.status_code == 200
    sheet = {e.answer: [m.user.public_name for m in e.members] for e in response.context["sheet"]}
    assert sheet["coming"] == ["Alice"] and sheet["not_coming"] == ["Bob"]
    assert "Alice" in response.text and "Bob" in response.text
    assert response.context["counts"].places_left == 3
    detail = client.get(reverse("groups:detail", args=[group.pk]))
    assert _sheet_url(session) in detail.text
    assert reverse("groups:attendance", args=[group.pk]) in detail.text


def test_who_sees_the_sheet_and_the_rates(client, group, alice, facilitator):
    session = SessionFactory(group=group)
    urls = [_sheet_url(session), reverse("groups:attendance", args=[group.pk])]
    for user, status in (
        (alice, 403),
        (UserFactory(), 403),
        (facilitator, 200),
        (AdminFactory(association=group.association).user, 200),
        (StaffFactory(), 200),
    ):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [status, status], user
    client.force_login(alice)
    assert _sheet_url(session) not in client.get(reverse("groups:detail", args=[group.pk])).text
    other = SessionFactory(group=GroupFactory())
    client.force_login(facilitator)
    assert client.get(reverse("groups:session_sheet", args=[group.pk, other.pk])).status_code == 404


def test_the_facilitator_takes_attendance_and_sees_the_rate(client, group, alice, bob, facilitator):
    _joined_long_ago(group, alice, bob)
    first = _started(SessionFactory(group=group))
    Session.objects.filter(pk=first.pk).update(starts_at=timezone.now() - timedelta(days=7))
    second = _started(SessionFactory(group=group))
    client.force_login(facilitator)
    for session, bob_there in ((first, "present"), (second, "absent")):
        response = client.post(
            _sheet_url(session),
            {f"member_{alice.pk}": "present", f"member_{bob.pk}": bob_there},
        )
        assert response.status_code == 302
    marks = dict(SessionAttendance.objects.filter(user=bob).values_list("session_id", "present"))
    assert marks == {first.pk: True, second.pk: False}
    page = client.get(reverse("groups:attendance", args=[group.pk]))
    rates = {r.membership.user_id: (r.attended, r.held, r.percent) for r in page.context["rates"]}
    assert rates == {alice.pk: (2, 2, 100), bob.pk: (1, 2, 50)}
    assert "50 %" in page.text and "1 / 2" in page.text
    # The form shows what was recorded.
    sheet = client.get(_sheet_url(second))
    assert re.search(rf'name="member_{bob.pk}" value="absent"[^>]*checked', sheet.text)


def test_attendance_with_a_missing_mark_is_a_form_error(client, group, alice, bob, facilitator):
    _joined_long_ago(group, alice, bob)
    session = _started(SessionFactory(group=group))
    client.force_login(facilitator)
    response = client.post(_sheet_url(session), {f"member_{alice.pk}": "present"})
    assert response.status_code == 400
    assert f"member_{bob.pk}" in response.context["attendance_form"].errors
    assert not SessionAttendance.objects.exists()
    response = client.post(
        _sheet_url(session), {f"member_{alice.pk}": "here", f"member_{bob.pk}": "absent"}
    )
    assert response.status_code == 400
    assert not SessionAttendance.objects.exists()


def test_attendance_before_the_start_is_refused(client, group, alice, facilitator):
    _joined_long_ago(group, alice)
    session = SessionFactory(group=group)
    client.force_login(facilitator)
    assert "attendance_form" in client.get(_sheet_url(session)).context
    response = client.post(_sheet_url(session), {f"member_{alice.pk}": "present"})
    assert response.status_code == 400
    assert response.context["attendance_form"].non_field_errors()
    assert not SessionAttendance.objects.exists()


def test_members_may_not_take_attendance(client, group, alice, facilitator):
    _joined_long_ago(group, alice)
    session = _started(SessionFactory(group=group))
    client.force_login(alice)
    assert client.post(_sheet_url(session), {f"member_{alice.pk}": "present"}).status_code == 403
    assert not SessionAttendance.objects.exists()


def test_the_facilitator_sets_the_places(client, group, alice, facilitator):
    session = SessionFactory(group=group)
    url = reverse("groups:session_capacity", args=[group.pk, session.pk])
    client.force_login(alice)
    assert client.post(url, {"capacity": "3"}).status_code == 403
    client.force_login(facilitator)
    assert client.post(url, {"capacity": "0"}).status_code == 400
    assert client.post(url, {"capacity": "many"}).status_code == 400
    assert Session.objects.get(pk=session.pk).capacity is None
    assert client.post(url, {"capacity": "3"}).status_code == 302
    assert Session.objects.get(pk=session.pk).capacity == 3
    services.session_answer_set(session=session, actor=alice, answer="coming")
    response = client.post(url, {"capacity": ""})
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).capacity is None


# --- Calendar feeds ----------------------------------------------------------------


def _attendees(body: bytes) -> dict[str, tuple[str, str, str]]:
    """UID → (address, CN, PARTSTAT) of each event's ATTENDEE."""
    found = {}
    for event in Calendar.from_ical(body).walk("VEVENT"):
        attendee = event.get("attendee")
        if attendee is not None:
            found[str(event["uid"])] = (
                str(attendee),
                attendee.params["CN"],
                attendee.params["PARTSTAT"],
            )
    return found


def test_the_member_feed_carries_each_answer_as_partstat(client, group, alice, facilitator):
    sessions = [
        SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=d))
        for d in (1, 2, 3, 4)
    ]
    for session, answer in zip(sessions, ["coming", "not_coming", "maybe"], strict=False):
        services.session_answer_set(session=session, actor=alice, answer=answer)
    token = calendar.member_feed_token(user_id=alice.pk)
    feed = client.get(reverse("groups:member_calendar", args=[token]))
    assert feed.status_code == 200
    attendees = _attendees(feed.content)
    host = settings.SITE_URL.split("//")[-1].split("/")[0]
    statuses = [attendees[f"session-{s.pk}@{host}"] for s in sessions]
    assert [s[2] for s in statuses] == ["ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION"]
    assert {s[0] for s in statuses} == {f"mailto:{alice.email}"}
    assert {s[1] for s in statuses} == {"Alice"}
    # The group's file, fetched signed in, carries the same answers.
    client.force_login(alice)
    group_file = client.get(reverse("groups:calendar", args=[group.pk]))
    assert _attendees(group_file.content) == attendees
    # The facilitator takes no place: their files name no attendee.
    client.force_login(facilitator)
    assert _attendees(client.get(reverse("groups:calendar", args=[group.pk])).content) == {}
    token = calendar.member_feed_token(user_id=facilitator.pk)
    assert _attendees(client.get(reverse("groups:member_calendar", args=[token])).content) == {}


def test_a_changed_answer_shows_in_the_feed(client, group, alice):
    session = SessionFactory(group=group)
    services.session_answer_set(session=session, actor=alice, answer="coming")
    url = reverse("groups:member_calendar", args=[calendar.member_feed_token(user_id=alice.pk)])
    assert b"PARTSTAT=ACCEPTED" in client.get(url).content
    services.session_answer_set(session=session, actor=alice, answer="not_coming")
    body = client.get(url).content
    assert b"PARTSTAT=DECLINED" in body and b"ACCEPTED" not in body


def test_a_feed_of_someone_gone_is_not_found(client, group, alice):
    token = calendar.member_feed_token(user_id=alice.pk)
    alice.delete()
    assert client.get(reverse("groups:member_calendar", args=[token])).status_code == 404
