"""Room images over HTTP: the upload's answers, and who is sent the files."""

import io
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from groups.attachment_models import RoomAttachment
from groups.attachments.services import room_attachment_post
from groups.models import Message
from groups.services import room_message_hide
from tests.factories import UserFactory, english_client

from .factories import GroupFactory, GroupMemberFactory
from .images import exif_with_gps, jpeg_bytes, png_bytes, upload
from .room_client import frame_of_type, room_join


@pytest.fixture(autouse=True)
def _image_settings(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES = 200_000
    settings.GROUPS_ROOM_ATTACHMENT_MAX_SIDE = 256
    settings.GROUPS_ROOM_ATTACHMENT_THUMB_SIDE = 64


def stored_files() -> list[Path]:
    root = Path(django_settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload_url(group) -> str:
    return reverse("groups:room_attachment_upload", args=[group.pk])


def post_image(client, group, data: bytes, name="photo.jpg", caption=""):
    return client.post(
        upload_url(group),
        {"image": upload(data, name), "caption": caption},
        HTTP_ACCEPT="application/json",
    )


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Upload -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_uploads_an_image_and_gets_the_message_frame(client, group, alice):
    client.force_login(alice)
    response = post_image(client, group, jpeg_bytes(exif=exif_with_gps()), caption="Ma bannière")
    assert response.status_code == 201, response.content
    answer = response.json()
    message = Message.objects.get(group=group)
    assert answer["seq"] == message.seq == 1
    assert answer["message"]["body"] == "Ma bannière"
    image = answer["message"]["attachment"]
    assert image["url"] == reverse("groups:room_attachment", args=[group.pk, message.attachment.pk])
    assert (image["width"], image["height"]) == (256, 171)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"pas une image\n" * 50, "photo.png", 400, "not_image"),
        (jpeg_bytes((1200, 1200)), "big.jpg", 413, "too_big"),
    ],
    ids=["text-named-png", "too-big"],
)
def test_a_refused_upload_answers_json_with_a_message_and_saves_nothing(
    client, group, alice, settings, data, name, status, code
):
    settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES = 20_000
    assert code != "too_big" or 20_000 < len(data) < 20_000 + 64 * 1024  # read, then refused
    client = english_client(client)
    client.force_login(alice)
    response = post_image(client, group, data, name)
    assert response.status_code == status
    answer = response.json()
    assert answer["code"] == code
    assert answer["error"]  # a sentence for the person, shown by the page
    assert not Message.objects.exists() and not RoomAttachment.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db
def test_a_body_declared_far_over_the_limit_is_refused_before_it_is_read(
    client, group, alice, settings
):
    settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES = 1_000
    client.force_login(alice)
    response = post_image(client, group, jpeg_bytes((1500, 1500)))
    assert response.status_code == 413
    assert response.json()["code"] == "too_big"
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_no_file_is_a_clear_error(client, group, alice):
    client.force_login(alice)
    response = client.post(upload_url(group), {"caption": "rien"})
    assert response.status_code == 400
    assert response.json()["code"] == "no_file"


@pytest.mark.django_db
def test_a_non_member_cannot_upload(client, group, alice):
    client.force_login(UserFactory())
    response = post_image(client, group, jpeg_bytes())
    assert response.status_code == 403
    assert response.json()["code"] == "4403"
    assert not Message.objects.exists() and stored_files() == []


@pytest.mark.django_db
def test_anonymous_uploads_are_sent_to_sign_in(client, group):
    response = post_image(client, group, jpeg_bytes())
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_an_upload_without_the_csrf_token_is_refused(group, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = post_image(client, group, jpeg_bytes())
    assert response.status_code == 403
    assert not Message.objects.exists() and stored_files() == []
    # With the page's token it goes through.
    page = client.get(reverse("groups:room", args=[group.pk]))
    token = page.context["csrf_token"]
    response = client.post(
        upload_url(group), {"image": upload(jpeg_bytes()), "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_uploading_is_only_by_post(client, group, alice):
    client.force_login(alice)
    assert client.get(upload_url(group)).status_code == 405


@pytest.mark.django_db
def test_the_room_page_has_the_image_form_and_its_script(client, group, alice):
    client.force_login(alice)
    response = client.get(reverse("groups:room", args=[group.pk]))
    html = response.content.decode()
    assert f'action="{upload_url(group)}"' in html
    assert 'name="image"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
    assert 'data-max-bytes="200000"' in html
    assert "js/room_attachments.js" in html


# --- Serving ------------------------------------------------------------------------------


@pytest.fixture
def shared(group, alice):
    return room_attachment_post(
        group_id=group.pk, actor=alice, upload=upload(png_bytes(), "b.png"), caption="ma bannière"
    ).attachment


def image_urls(group, attachment) -> list[str]:
    return [
        reverse(name, args=[group.pk, attachment.pk])
        for name in ("groups:room_attachment", "groups:room_attachment_thumbnail")
    ]


@pytest.mark.django_db
def test_a_member_is_sent_the_image_privately_with_its_type(client, group, bob, shared):
    client.force_login(bob)
    full_url, thumb_url = image_urls(group, shared)
    response = client.get(full_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    with shared.image.open("rb") as handle:
        assert body_of(response) == handle.read()
    thumb = client.get(thumb_url)
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(body_of(thumb))).size == (64, 43)


@pytest.mark.django_db
def test_the_facilitator_an_association_admin_and_staff_see_it(client, group, facilitator, shared):
    from tests.associations.factories import AdminFactory
    from tests.factories import StaffFactory

    for viewer in (facilitator, AdminFactory(association=group.association).user, StaffFactory()):
        client.force_login(viewer)
        assert client.get(image_urls(group, shared)[0]).status_code == 200


@pytest.mark.django_db
def test_a_non_member_is_not_sent_the_image(client, group, shared):
    client.force_login(UserFactory())
    for url in image_urls(group, shared):
        response = client.get(url)
        assert response.status_code == 404
        assert not hasattr(response, "streaming_content")


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, group, shared):
    for url in image_urls(group, shared):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_a_member_of_another_group_cannot_reach_it_through_their_own_room(client, group, shared):
    other = GroupFactory()
    outsider = GroupMemberFactory(group=other).user
    client.force_login(outsider)
    # Their own room's path with this image's number: not found there.
    url = reverse("groups:room_attachment", args=[other.pk, shared.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_hidden_message_s_image_is_not_sent_to_members(client, group, bob, facilitator, shared):
    room_message_hide(group_id=group.pk, seq=shared.message.seq, actor=facilitator)
    client.force_login(bob)
    for url in image_urls(group, shared):
        assert client.get(url).status_code == 404
    # The moderators, who may have to judge it, still can.
    client.force_login(facilitator)
    assert client.get(image_urls(group, shared)[0]).status_code == 200


@pytest.mark.django_db
def test_a_removed_member_is_no_longer_sent_the_image(client, group, bob, shared):
    client.force_login(bob)
    url = image_urls(group, shared)[0]
    assert client.get(url).status_code == 200
    group.memberships.filter(user=bob).delete()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_files_are_not_under_the_public_media_url(client, group, bob, shared):
    client.force_login(bob)
    assert not shared.image.name.startswith(str(django_settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        shared.image.url  # noqa: B018 - private storage has no public URL
    assert client.get(django_settings.MEDIA_URL + shared.image.name).status_code == 404


# --- Live ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_an_uploaded_image_reaches_every_connected_member_live(group, alice, bob):
    a, _ = await room_join(group.pk, alice)
    b, _ = await room_join(group.pk, bob)

    def upload_as_alice():
        client = Client()
        client.force_login(alice)
        return post_image(client, group, jpeg_bytes(), caption="Nouvelle bannière")

    response = await sync_to_async(upload_as_alice)()
    assert response.status_code == 201
    for socket in (a, b):
        frame = await frame_of_type(socket, "message")
        assert frame["seq"] == 1
        assert frame["body"] == "Nouvelle bannière"
        assert frame["author"]["id"] == alice.pk
        assert frame["attachment"] == response.json()["message"]["attachment"]
        assert frame["attachment"]["thumb_url"].endswith("/miniature/")
    # A member who comes later finds it in the history, with its image.
    await b.send_json_to({"type": "history"})
    [message] = (await frame_of_type(b, "history"))["messages"]
    assert message["attachment"]["id"] == response.json()["message"]["attachment"]["id"]
    # Hidden: the room is told, and the image is gone from the history.
    facilitator = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(GroupMemberFactory)(
        group=group, user=facilitator, role="facilitator"
    )
    await database_sync_to_async(room_message_hide)(group_id=group.pk, seq=1, actor=facilitator)
    assert (await frame_of_type(b, "hidden"))["seq"] == 1
    await b.send_json_to({"type": "history"})
    [message] = (await frame_of_type(b, "history"))["messages"]
    assert message["hidden"] is True and message["attachment"] is None
    await a.disconnect()
    await b.disconnect()


@pytest.mark.django_db
def test_a_muted_member_upload_is_refused_with_403(client, group, alice):
    group.memberships.filter(user=alice).update(
        muted_until=timezone.now() + timezone.timedelta(hours=1)
    )
    client.force_login(alice)
    response = post_image(client, group, jpeg_bytes())
    assert response.status_code == 403
    assert response.json()["code"] == "muted"


@pytest.mark.django_db
def test_a_flood_of_uploads_is_rate_limited(client, group, alice, settings):
    settings.GROUPS_ROOM_RATE_LIMIT = 1
    client.force_login(alice)
    assert post_image(client, group, jpeg_bytes()).status_code == 201
    response = post_image(client, group, jpeg_bytes())
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert Message.objects.count() == 1
