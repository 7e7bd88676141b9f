"""Group pages: management by the association, the room page, calendars, account panel."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups import calendar
from groups.models import Group, GroupMembership, Session
from tests.associations.factories import AdminFactory, AssociationFactory
from tests.factories import UserFactory

from .factories import GroupFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_association_admin_creates_a_group_from_the_dashboard(client):
    admin = AdminFactory()
    client.force_login(admin.user)
    dashboard = client.get(admin.association.get_dashboard_url())
    manage_url = reverse("groups:manage_list", args=[admin.association.slug])
    assert manage_url in dashboard.text
    response = client.post(
        manage_url,
        {
            "title": "LinkedIn débutants",
            "topic": "linkedin",
            "capacity": 8,
            "admission": "applications",
        },
    )
    group = Group.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("groups:manage", args=[group.pk])
    assert client.get(response.url).status_code == 200


def test_unverified_association_sees_why_it_cannot_create(client):
    admin = AdminFactory(association=AssociationFactory(status="pending"))
    client.force_login(admin.user)
    url = reverse("groups:manage_list", args=[admin.association.slug])
    assert client.get(url).context["can_create"] is False
    response = client.post(
        url, {"title": "G", "topic": "linkedin", "capacity": 8, "admission": "applications"}
    )
    assert response.status_code == 200
    assert not Group.objects.exists()


def test_strangers_cannot_manage(client):
    group = GroupFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("groups:manage", args=[group.pk])).status_code == 403
    assert (
        client.get(reverse("groups:manage_list", args=[group.association.slug])).status_code == 403
    )


def test_room_page_is_for_members_and_loads_its_script(client, group, alice, bob):
    url = reverse("groups:room", args=[group.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert 'src="/static/js/room.js"' in response.text
    assert f'data-ws-path="/ws/groupes/{group.pk}/"' in response.text
    assert "<script>" not in response.text  # no inline script
    # The "@" autocomplete offers the other members by name, never oneself.
    names = response.context["member_names"]
    assert "Bob" in names and "Alice" not in names
    assert names == sorted(names, key=str.lower)
    assert 'id="room-member-names" type="application/json"' in response.text


def test_account_page_lists_my_groups_and_invitations(client, group, alice):
    other = GroupFactory(title="Instagram pour tous")
    other.invitations.create(email=alice.email)
    client.force_login(alice)
    response = client.get(reverse("accounts:dashboard"))
    assert group.title in response.text
    assert "Instagram pour tous" in response.text
    invitation = other.invitations.get()
    client.post(reverse("groups:invitation_respond", args=[invitation.pk]), {"answer": "accept"})
    assert GroupMembership.objects.filter(group=other, user=alice).exists()


def test_group_calendar_for_members_and_member_feed_by_token(client, group, alice):
    SessionFactory(group=group)
    url = reverse("groups:calendar", args=[group.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(alice)
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content
    client.logout()
    token = calendar.member_feed_token(user_id=alice.pk)
    feed = client.get(reverse("groups:member_calendar", args=[token]))
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content
    assert client.get(reverse("groups:member_calendar", args=["forged"])).status_code == 404


def test_sessions_are_planned_with_a_form_error_for_bad_input(client, group, facilitator):
    admin = AdminFactory(association=group.association)
    client.force_login(admin.user)
    url = reverse("groups:manage_session", args=[group.pk])
    starts = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"starts_at": starts, "duration_minutes": 60, "place": "", "video_url": "", "agenda": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "place" in response.context["session_form"].errors
    client.force_login(facilitator)
    response = client.post(url, {**data, "video_url": "https://visio.example.org/g"})
    assert response.status_code == 302
    assert Session.objects.get().video_url == "https://visio.example.org/g"


def test_member_sets_a_goal_and_the_group_sees_the_record(client, group, alice):
    session = SessionFactory(group=group)
    client.force_login(alice)
    url = reverse("groups:session", args=[group.pk, session.pk])
    client.post(url, {"goal": "Réécrire mon titre"})
    detail = client.get(reverse("groups:detail", args=[group.pk]))
    assert "Réécrire mon titre" in detail.text
    assert Session.objects.count() == 1


def test_applying_from_the_group_page(client):
    group = GroupFactory()
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("groups:apply", args=[group.pk]), {"message": "Bonjour"})
    assert group.applications.filter(user=user).exists()
