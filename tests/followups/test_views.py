"""The member's "My follow-ups" pages: forms, privacy, the facilitator's counts, CSV, deletion."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from followups import services
from followups.models import FollowUp, Step
from tests.factories import StaffFactory, UserFactory

from .conftest import NOW, record

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def test_a_member_records_a_follow_up_through_the_form(english, alice, session):
    response = _as(english, alice).post(
        reverse("followups:mine"),
        {
            "name": "Claire Martin",
            "how": "session",
            "reach": "https://linkedin.example/claire",
            "session": session.pk,
            "kind": "meeting",
            "due_on": "2026-12-15",
        },
    )
    followup = FollowUp.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("followups:detail", args=[followup.pk])
    assert (followup.owner, followup.session, followup.steps.get().kind) == (
        alice,
        session,
        "meeting",
    )
    page = english.get(response.url)
    assert "Claire Martin" in page.text
    assert "https://linkedin.example/claire" in page.text


def test_form_errors_are_shown_and_nothing_is_saved(english, alice):
    response = _as(english, alice).post(
        reverse("followups:mine"),
        {"name": "", "how": "session", "kind": "call", "due_on": "1990-01-01"},
    )
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not FollowUp.objects.exists()
    response = english.post(
        reverse("followups:mine"),
        {"name": "Claire", "how": "session", "kind": "call", "due_on": "1990-01-01"},
    )
    assert response.status_code == 400
    assert "Choose a date in 2000 or later." in response.text
    assert not FollowUp.objects.exists()


def test_forms_carry_a_csrf_token(client, alice):
    csrf_client = _as(type(client)(enforce_csrf_checks=True), alice)
    response = csrf_client.get(reverse("followups:mine"))
    assert 'name="csrfmiddlewaretoken"' in response.text
    refused = csrf_client.post(
        reverse("followups:mine"),
        {"name": "Claire", "how": "session", "kind": "call", "due_on": "2026-12-15"},
    )
    assert refused.status_code == 403
    assert not FollowUp.objects.exists()


def test_the_page_shows_next_steps_overdue_first_and_conversations_not_a_count(english, alice):
    record(alice, name="Late Lucie", due_on=dt.date(2000, 1, 3))
    held = record(alice, name="Held Hugo")
    services.step_complete(
        actor=alice,
        followup_id=held.pk,
        step_id=held.steps.get().pk,
        outcome="Introduced me to a recruiter",
        now=NOW,
    )
    text = _as(english, alice).get(reverse("followups:mine")).text
    next_steps = text[text.index("Next steps") : text.index("Conversations held")]
    assert "Late Lucie" in next_steps and "Overdue" in next_steps
    assert "Held Hugo" not in next_steps
    held_part = text[text.index("Conversations held") : text.index("Record a person met")]
    assert "Held Hugo" in held_part and "Introduced me to a recruiter" in held_part


def test_outcome_then_next_step_through_the_forms(english, alice):
    followup = record(alice)
    step = followup.steps.get()
    client = _as(english, alice)
    empty = client.post(
        reverse("followups:step_done", args=[followup.pk, step.pk]), {"outcome": ""}
    )
    assert empty.status_code == 400 and "This field is required." in empty.text
    done = client.post(
        reverse("followups:step_done", args=[followup.pk, step.pk]), {"outcome": "Good call"}
    )
    assert done.status_code == 302
    too_late = client.post(
        reverse("followups:step_new", args=[followup.pk]),
        {"kind": "meeting", "due_on": "2099-01-01"},
    )
    assert too_late.status_code == 400
    assert "Choose a date at most five years ahead." in too_late.text
    client.post(
        reverse("followups:step_new", args=[followup.pk]),
        {"kind": "meeting", "due_on": "2026-12-20"},
    )
    assert [(s.kind, s.outcome) for s in Step.objects.order_by("pk")] == [
        ("call", "Good call"),
        ("meeting", ""),
    ]


def test_someone_in_no_group_is_refused(client):
    assert _as(client, UserFactory()).get(reverse("followups:mine")).status_code == 403


@pytest.mark.parametrize("who", ["bob", "facilitator", "staff"])
def test_nobody_else_sees_or_touches_a_members_follow_up(client, alice, bob, facilitator, who):
    followup = record(alice)
    step = followup.steps.get()
    other = {"bob": bob, "facilitator": facilitator, "staff": StaffFactory()}[who]
    client = _as(client, other)
    for url in (
        reverse("followups:detail", args=[followup.pk]),
        reverse("followups:delete", args=[followup.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    done = reverse("followups:step_done", args=[followup.pk, step.pk])
    assert client.post(done, {"outcome": "x"}).status_code == 404
    if who != "staff":  # staff are in no group: the page itself is refused
        page = client.get(reverse("followups:mine")).text
        assert "Claire Martin" not in page
    export = b"".join(client.get(reverse("followups:export")).streaming_content)
    assert b"Claire" not in export
    assert Step.objects.get().done_at is None
    assert FollowUp.objects.filter(pk=followup.pk).exists()


def test_the_facilitator_sees_counts_on_the_session_page_without_names(
    english, alice, facilitator, session
):
    followup = record(alice, session=session)
    services.step_complete(
        actor=alice, followup_id=followup.pk, step_id=followup.steps.get().pk, outcome="Called"
    )
    record(alice, name="Denis Durand", session=session)
    url = reverse("groups:session", args=[session.group_id, session.pk])
    text = _as(english, facilitator).get(url).text
    assert "Follow-ups after this session" in text
    assert 'data-count="people_met">2<' in text
    assert 'data-count="conversations_held">1<' in text
    assert 'data-count="steps_done">1<' in text
    for private in ("Claire Martin", "claire@example.com", "Denis Durand", "Called"):
        assert private not in text


def test_a_plain_member_sees_no_counts_on_the_session_page(english, alice, bob, session):
    record(alice, session=session)
    url = reverse("groups:session", args=[session.group_id, session.pk])
    text = _as(english, bob).get(url).text
    assert "Follow-ups after this session" not in text
    assert "Claire Martin" not in text


def test_the_csv_export_opens_in_a_french_spreadsheet(client, alice, bob, session):
    followup = record(alice, session=session, reach="=HYPERLINK(evil)")
    services.step_complete(
        actor=alice,
        followup_id=followup.pk,
        step_id=followup.steps.get().pk,
        outcome="Appel; très utile",
        now=dt.datetime(2026, 12, 10, 16, 30, tzinfo=dt.UTC),
    )
    services.step_add(
        actor=alice, followup_id=followup.pk, kind="meeting", due_on=dt.date(2026, 12, 20), now=NOW
    )
    record(bob, name="Not Alices")
    response = _as(client, alice).get(reverse("followups:export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="mes-suivis.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    with translation.override("fr"):  # exports are in the site's language
        how, call, meeting = (
            str(label)
            for label in (FollowUp.How.SESSION.label, Step.Kind.CALL.label, Step.Kind.MEETING.label)
        )
        assert rows[0][0] == gettext("Name")
    assert rows[1:] == [
        [
            "Claire Martin",
            how,
            "'=HYPERLINK(evil)",
            f"Groupe LinkedIn {session.starts_at.astimezone(services.PARIS):%d/%m/%Y}",
            call,
            "10/12/2026",
            "10/12/2026 17:30",
            "Appel; très utile",
        ],
        [
            "Claire Martin",
            how,
            "'=HYPERLINK(evil)",
            f"Groupe LinkedIn {session.starts_at.astimezone(services.PARIS):%d/%m/%Y}",
            meeting,
            "20/12/2026",
            "",
            "",
        ],
    ]


def test_delete_one_asks_to_confirm_then_deletes(english, alice):
    followup = record(alice)
    client = _as(english, alice)
    url = reverse("followups:delete", args=[followup.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "will be deleted for good" in confirm.text
    assert FollowUp.objects.exists()
    assert client.post(url).status_code == 302
    assert not FollowUp.objects.exists() and not Step.objects.exists()


def test_delete_all_asks_to_confirm_then_deletes_only_the_members(english, alice, bob):
    record(alice), record(alice)
    kept = record(bob)
    client = _as(english, alice)
    url = reverse("followups:delete_all")
    confirm = client.get(url)
    assert "Your 2 follow-ups and their steps will be deleted for good." in confirm.text
    assert FollowUp.objects.count() == 3
    assert client.post(url).status_code == 302
    assert list(FollowUp.objects.all()) == [kept]
