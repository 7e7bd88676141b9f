"""Moderation from the room: who may mute, remove and handle reports, and what they see."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from groups import selectors, services
from groups.models import GroupMembership, Message, MessageReport
from tests.associations.factories import AdminFactory
from tests.factories import UserFactory

from .factories import GroupMemberFactory
from .room_client import frame_of_type, room_join

pytestmark = pytest.mark.django_db


def _message(group, author, body: str = "un message déplacé") -> Message:
    return services.room_message_post(group_id=group.pk, actor=author, body=body)


def _membership(group, user) -> GroupMembership:
    return GroupMembership.objects.select_related("group__association").get(group=group, user=user)


# --- Mute and remove: the facilitator, not only the association's admins -----------------


def test_the_facilitator_mutes_and_removes_without_being_an_association_admin(
    group, facilitator, alice, bob
):
    assert not selectors.group_can_manage(user=facilitator, group=group)
    muted = services.group_member_mute(
        membership=_membership(group, alice), actor=facilitator, minutes=15
    )
    assert muted.is_muted()
    services.group_member_remove(membership=_membership(group, bob), actor=facilitator)
    assert not GroupMembership.objects.filter(group=group, user=bob).exists()


def test_a_member_neither_mutes_nor_removes_another(group, alice, bob):
    with pytest.raises(PermissionDenied):
        services.group_member_mute(membership=_membership(group, bob), actor=alice, minutes=60)
    with pytest.raises(PermissionDenied):
        services.group_member_remove(membership=_membership(group, bob), actor=alice)
    assert not _membership(group, bob).is_muted()


def test_association_admins_keep_their_right_to_mute_and_remove(group, alice, bob):
    admin = AdminFactory(association=group.association).user
    assert services.group_member_mute(
        membership=_membership(group, alice), actor=admin, minutes=60
    ).is_muted()
    services.group_member_remove(membership=_membership(group, bob), actor=admin)
    assert not GroupMembership.objects.filter(group=group, user=bob).exists()


# --- The room page: panels for moderators only ----------------------------------------------


def test_moderators_see_open_reports_by_message_and_the_members_panel(
    client, group, facilitator, alice, bob
):
    carol = GroupMemberFactory(group=group, user=UserFactory(display_name="Carol")).user
    rude = _message(group, alice, "texte insultant")
    _message(group, alice, "message correct")
    services.room_message_report(group_id=group.pk, seq=rude.seq, actor=bob, reason="insulte")
    services.room_message_report(group_id=group.pk, seq=rude.seq, actor=carol)

    client.force_login(facilitator)
    response = client.get(reverse("groups:room", args=[group.pk]))
    assert response.status_code == 200
    [entry] = response.context["reported"]
    assert entry.message == rude
    assert [r.reporter for r in entry.reports] == [bob, carol]
    text = response.text
    assert 'id="room-reports"' in text
    assert "texte insultant" in text and "insulte" in text
    assert reverse("groups:room_reports_dismiss", args=[group.pk, rude.seq]) in text
    # Everyone but the moderator looking, each with the mute choices and a remove button.
    assert [m.user for m in response.context["room_members"]] == [alice, bob, carol]
    assert text.count('data-action="mute"') == 3
    assert text.count('data-action="remove"') == 3
    assert '<option value="15">' in text and '<option value="1440">' in text


def test_members_see_neither_reports_nor_moderation_tools(client, group, alice, bob):
    rude = _message(group, alice)
    services.room_message_report(group_id=group.pk, seq=rude.seq, actor=bob, reason="insulte")
    client.force_login(alice)
    response = client.get(reverse("groups:room", args=[group.pk]))
    assert response.status_code == 200
    assert "reported" not in response.context
    assert 'id="room-reports"' not in response.text
    assert 'data-action="remove"' not in response.text
    assert "insulte" not in response.text


def test_an_association_admin_outside_the_group_sees_the_reports(client, group, alice, bob):
    admin = AdminFactory(association=group.association).user
    rude = _message(group, alice)
    services.room_message_report(group_id=group.pk, seq=rude.seq, actor=bob)
    client.force_login(admin)
    response = client.get(reverse("groups:room", args=[group.pk]))
    assert [e.message for e in response.context["reported"]] == [rude]


def test_hidden_or_dismissed_messages_leave_the_report_list(group, facilitator, alice, bob):
    first, second = _message(group, alice, "un"), _message(group, alice, "deux")
    for message in (first, second):
        services.room_message_report(group_id=group.pk, seq=message.seq, actor=bob)
    services.room_message_hide(group_id=group.pk, seq=first.seq, actor=facilitator)
    assert [e.message for e in selectors.room_open_reports(group=group)] == [second]
    services.room_reports_dismiss(group_id=group.pk, seq=second.seq, actor=facilitator)
    assert selectors.room_open_reports(group=group) == []


@pytest.mark.parametrize("reports", [1, 8])
def test_the_moderators_room_page_costs_the_same_queries_with_more_reports(
    client, group, facilitator, alice, reports, django_assert_max_num_queries
):
    for i in range(reports):
        message = _message(group, alice, f"message {i}")
        reporter = GroupMemberFactory(group=group).user
        services.room_message_report(group_id=group.pk, seq=message.seq, actor=reporter)
    client.force_login(facilitator)
    # Nine, and the members' names for the "@" autocomplete.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("groups:room", args=[group.pk]))
    assert len(response.context["reported"]) == reports


# --- Dismissing reports -----------------------------------------------------------------


def test_the_facilitator_dismisses_reports_and_the_message_stays(client, group, facilitator, alice):
    message = _message(group, alice)
    bob = GroupMemberFactory(group=group).user
    services.room_message_report(group_id=group.pk, seq=message.seq, actor=bob)
    client.force_login(facilitator)
    url = reverse("groups:room_reports_dismiss", args=[group.pk, message.seq])
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("groups:room", args=[group.pk]), 302)]
    assert "Les signalements du message n° 1 sont classés." in response.text
    assert not MessageReport.objects.filter(resolved_at__isnull=True).exists()
    message.refresh_from_db()
    assert message.hidden_at is None
    # Twice: nothing left to close, said plainly.
    again = client.post(url, follow=True)
    assert "Ces signalements ont déjà été traités." in again.text


def test_members_and_strangers_cannot_dismiss_reports(client, group, alice, bob):
    message = _message(group, alice)
    services.room_message_report(group_id=group.pk, seq=message.seq, actor=bob)
    url = reverse("groups:room_reports_dismiss", args=[group.pk, message.seq])
    for person in (bob, UserFactory()):
        client.force_login(person)
        assert client.post(url).status_code == 403
    with pytest.raises(services.RoomError):
        services.room_reports_dismiss(group_id=group.pk, seq=message.seq, actor=bob)
    assert MessageReport.objects.filter(resolved_at__isnull=True).count() == 1


def test_dismissing_needs_a_post_with_its_csrf_token_and_a_real_message(group, facilitator, alice):
    message = _message(group, alice)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(facilitator)
    url = reverse("groups:room_reports_dismiss", args=[group.pk, message.seq])
    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403  # no CSRF token
    missing = reverse("groups:room_reports_dismiss", args=[group.pk, 99])
    client = Client()
    client.force_login(facilitator)
    response = client.post(missing, follow=True)
    assert response.status_code == 200
    assert "Ce message n&#x27;existe pas." in response.text


# --- Live: a new report reaches the moderators' pages, and only theirs ---------------------


def test_the_room_moderators_are_the_facilitator_and_the_association_managers(group, facilitator):
    admin = AdminFactory(association=group.association).user
    GroupMemberFactory(group=group)
    assert selectors.room_moderator_ids(group=group) == {facilitator.pk, admin.pk}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_new_report_reaches_the_moderators_socket_and_no_member(
    group, facilitator, alice, bob
):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)
    mod, _ = await room_join(group.pk, facilitator)
    await a.send_json_to({"type": "post", "body": "texte insultant", "client_id": "c1"})
    await frame_of_type(a, "ack")
    await b.send_json_to({"type": "report", "seq": 1, "reason": "insulte"})
    await frame_of_type(b, "reported")
    frame = await frame_of_type(mod, "report")
    assert frame["report"]["seq"] == 1
    assert frame["report"]["excerpt"] == "texte insultant"
    assert frame["report"]["reporter"] == "Bob"
    assert frame["report"]["reason"] == "insulte"
    # Reporting again changes nothing and tells no one again.
    await b.send_json_to({"type": "report", "seq": 1})
    await frame_of_type(b, "reported")
    for communicator in (a, b, mod):
        await communicator.send_json_to({"type": "heartbeat"})
        while (frame := await communicator.receive_json_from(timeout=2))["type"] != "presence" or (
            "present" not in frame
        ):
            assert frame["type"] != "report", frame
    for communicator in (a, b, mod):
        await communicator.disconnect()
