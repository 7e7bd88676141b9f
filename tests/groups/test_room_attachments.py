"""Room images, the service: what is refused (and then nothing is saved), what is kept."""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from PIL import Image

from groups.attachment_models import RoomAttachment
from groups.attachments.images import ImageRefused
from groups.attachments.services import room_attachment_post
from groups.models import GroupMembership, Message
from groups.services import RoomError, room_catch_up, room_history, room_message_post
from tests.factories import UserFactory

from .images import (
    GPS_IFD,
    MAKE,
    bomb_bytes,
    exif_with_gps,
    gif_bytes,
    jpeg_bytes,
    png_bytes,
    upload,
    webp_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _image_settings(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES = 200_000
    settings.GROUPS_ROOM_ATTACHMENT_MAX_SIDE = 256
    settings.GROUPS_ROOM_ATTACHMENT_THUMB_SIDE = 64


def stored_files() -> list[Path]:
    root = Path(django_settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def saved_image(attachment: RoomAttachment, *, thumbnail: bool = False) -> Image.Image:
    field = attachment.thumbnail if thumbnail else attachment.image
    with field.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def assert_nothing_saved(group):
    assert not Message.objects.filter(group=group).exists()
    assert not RoomAttachment.objects.exists()
    assert stored_files() == []
    group.refresh_from_db()
    assert group.last_seq == 0


# --- Kept, cleaned -----------------------------------------------------------------------


def test_a_photo_is_saved_upright_bounded_and_without_its_exif_or_position(group, alice):
    # 600×400 on the sensor, "rotate 90° clockwise to view" (orientation 6): 400×600 upright.
    data = jpeg_bytes((600, 400), exif=exif_with_gps(orientation=6))
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the source has a position

    posted = room_attachment_post(
        group_id=group.pk, actor=alice, upload=upload(data), caption="  Ma bannière  "
    )

    message = Message.objects.get(group=group)
    assert (message.seq, message.body, message.author) == (1, "Ma bannière", alice)
    attachment = message.attachment
    assert attachment == posted.attachment
    full = saved_image(attachment)
    assert full.format == "JPEG"
    assert attachment.content_type == "image/jpeg"
    # Upright (portrait) and bounded: the largest side is the setting's 256.
    assert (full.width, full.height) == (attachment.width, attachment.height) == (171, 256)
    # The left half (blue) of the sensor image is now at the top.
    top, bottom = full.getpixel((85, 20)), full.getpixel((85, 236))
    assert top[2] > 150 > top[0] and bottom[0] > 150 > bottom[2]
    # No EXIF at all: no camera, no orientation, no GPS block.
    assert dict(full.getexif()) == {}
    assert "exif" not in full.info
    assert full.getexif().get_ifd(GPS_IFD) == {}
    assert MAKE not in full.getexif()
    thumb = saved_image(attachment, thumbnail=True)
    assert max(thumb.size) == 64
    assert thumb.size == (attachment.thumb_width, attachment.thumb_height)
    assert dict(thumb.getexif()) == {}
    assert len(stored_files()) == 2
    # Stored privately, never under the public media folder.
    assert all(
        Path(django_settings.PRIVATE_MEDIA_ROOT).resolve() in p.resolve().parents
        for p in stored_files()
    )
    assert not any(Path(django_settings.MEDIA_ROOT).rglob("*.jpg"))


def test_a_small_image_keeps_its_size(group, alice):
    posted = room_attachment_post(
        group_id=group.pk, actor=alice, upload=upload(jpeg_bytes((120, 80)))
    )
    assert (posted.attachment.width, posted.attachment.height) == (120, 80)
    assert max(posted.attachment.thumb_width, posted.attachment.thumb_height) == 64


def test_a_png_named_jpg_is_accepted_as_the_png_it_is(group, alice):
    data = png_bytes(text={"Author": "Alice Martin", "Comment": "chez moi, 12 rue X"})
    posted = room_attachment_post(
        group_id=group.pk, actor=alice, upload=upload(data, "banner.jpg", "image/jpeg")
    )
    attachment = posted.attachment
    assert attachment.content_type == "image/png"
    assert attachment.image.name.endswith(".png")
    saved = saved_image(attachment)
    assert saved.format == "PNG"
    assert saved.mode == "RGBA"  # transparency kept
    # The PNG's text chunks are metadata too.
    assert "Author" not in saved.info and "Comment" not in saved.info


def test_a_webp_is_kept_as_webp_without_its_exif(group, alice):
    data = webp_bytes(exif=exif_with_gps())
    assert Image.open(io.BytesIO(data)).info.get("exif")
    posted = room_attachment_post(group_id=group.pk, actor=alice, upload=upload(data, "x.webp"))
    saved = saved_image(posted.attachment)
    assert saved.format == "WEBP"
    assert not saved.info.get("exif")
    assert dict(saved.getexif()) == {}


def test_the_message_frame_carries_the_image_and_history_and_sync_too(group, alice, bob):
    room_message_post(group_id=group.pk, actor=bob, body="avant")
    posted = room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()))
    image = posted.frame["attachment"]
    pk = posted.attachment.pk
    assert image["url"] == f"/groupes/{group.pk}/salon/images/{pk}/"
    assert image["thumb_url"] == f"/groupes/{group.pk}/salon/images/{pk}/miniature/"
    assert (image["width"], image["height"]) == (256, 171)
    assert (image["thumb_width"], image["thumb_height"]) == (64, 43)
    assert posted.frame["seq"] == 2 and posted.frame["body"] == ""
    history = room_history(group_id=group.pk, before=None)
    assert [m["attachment"] for m in history] == [None, image]
    assert [m["attachment"] for m in room_catch_up(group_id=group.pk, after=1)] == [image]


def test_a_hidden_message_s_image_leaves_the_frames(group, alice, facilitator):
    posted = room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()))
    Message.objects.filter(pk=posted.message.pk).update(
        hidden_at=timezone.now(), hidden_by=facilitator
    )
    [frame] = room_history(group_id=group.pk, before=None)
    assert frame["hidden"] is True and frame["attachment"] is None


# --- Refused: nothing saved ---------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(group, alice, settings):
    settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES = 5_000
    data = jpeg_bytes((800, 800))
    assert len(data) > 5_000
    with pytest.raises(ImageRefused) as refused:
        room_attachment_post(group_id=group.pk, actor=alice, upload=upload(data))
    assert refused.value.code == "too_big"
    assert_nothing_saved(group)


def test_a_file_that_claims_a_smaller_size_is_still_refused(group, alice, settings):
    settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES = 5_000
    file = upload(jpeg_bytes((800, 800)))
    file.size = 100  # what a client could claim; the bytes are counted all the same
    with pytest.raises(ImageRefused) as refused:
        room_attachment_post(group_id=group.pk, actor=alice, upload=file)
    assert refused.value.code == "too_big"
    assert_nothing_saved(group)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"Bonjour, ceci est un texte.\n" * 20, "photo.png", "image/png"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "a.png",
            "image/png",
        ),
        (gif_bytes(), "anim.jpg", "image/jpeg"),
        (jpeg_bytes((400, 300))[:1500], "cut.jpg", "image/jpeg"),  # truncated halfway
        (b"", "empty.jpg", "image/jpeg"),
    ],
    ids=["text-named-png", "svg", "gif", "truncated-jpeg", "empty"],
)
def test_a_file_that_is_not_a_whole_jpeg_png_or_webp_is_refused(
    group, alice, data, name, content_type
):
    with pytest.raises(ImageRefused) as refused:
        room_attachment_post(
            group_id=group.pk, actor=alice, upload=upload(data, name, content_type)
        )
    assert refused.value.code == "not_image"
    assert_nothing_saved(group)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(group, alice, settings):
    settings.GROUPS_ROOM_ATTACHMENT_MAX_PIXELS = 40_000_000
    data = bomb_bytes()
    assert len(data) < 200_000
    with pytest.raises(ImageRefused) as refused:
        room_attachment_post(group_id=group.pk, actor=alice, upload=upload(data, "b.png"))
    assert refused.value.code == "too_many_pixels"
    assert_nothing_saved(group)


def test_the_pixel_limit_is_a_setting(group, alice, settings):
    settings.GROUPS_ROOM_ATTACHMENT_MAX_PIXELS = 100 * 100
    with pytest.raises(ImageRefused):
        room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes((101, 100))))
    room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes((100, 100))))


def test_a_caption_over_the_message_length_is_refused(group, alice):
    with pytest.raises(RoomError) as refused:
        room_attachment_post(
            group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()), caption="x" * 4001
        )
    assert refused.value.code == "too_long"
    assert_nothing_saved(group)


def test_only_members_and_moderators_post_images(group, alice, facilitator):
    stranger = UserFactory()
    with pytest.raises(RoomError) as refused:
        room_attachment_post(group_id=group.pk, actor=stranger, upload=upload(jpeg_bytes()))
    assert refused.value.code == "4403"
    assert_nothing_saved(group)
    posted = room_attachment_post(group_id=group.pk, actor=facilitator, upload=upload(jpeg_bytes()))
    assert posted.message.seq == 1


def test_a_muted_member_cannot_post_an_image(group, alice):
    GroupMembership.objects.filter(group=group, user=alice).update(
        muted_until=timezone.now() + timezone.timedelta(minutes=10)
    )
    with pytest.raises(RoomError) as refused:
        room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()))
    assert refused.value.code == "muted"
    assert_nothing_saved(group)


def test_images_count_in_the_same_rate_limit_as_messages(group, alice, settings):
    settings.GROUPS_ROOM_RATE_LIMIT = 2
    room_message_post(group_id=group.pk, actor=alice, body="un")
    room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()))
    with pytest.raises(RoomError) as refused:
        room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()))
    assert refused.value.code == "rate_limited"
    assert Message.objects.filter(group=group).count() == 2
    assert RoomAttachment.objects.count() == 1
    assert len(stored_files()) == 2


def test_a_failure_while_saving_leaves_no_message_and_no_file(group, alice, monkeypatch):
    def broken_create(**kwargs):
        assert len(stored_files()) == 2  # both files were written before the row
        raise RuntimeError("the database went away")

    monkeypatch.setattr(RoomAttachment.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()))
    assert_nothing_saved(group)


def test_deleting_the_message_deletes_its_files(group, alice, django_capture_on_commit_callbacks):
    posted = room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()))
    assert len(stored_files()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        posted.message.delete()
    assert stored_files() == []


def test_the_author_deleting_the_message_takes_the_image_back(
    group, alice, django_capture_on_commit_callbacks
):
    from groups.services.room_edit import room_message_delete

    posted = room_attachment_post(group_id=group.pk, actor=alice, upload=upload(jpeg_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        room_message_delete(group_id=group.pk, seq=posted.message.seq, actor=alice)
    assert not RoomAttachment.objects.exists()
    assert stored_files() == []
    posted.message.refresh_from_db()
    assert posted.message.deleted_at is not None


def test_a_colour_profile_is_applied_then_dropped(group, alice):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (100, 80), (30, 160, 90)).save(buffer, "JPEG", icc_profile=profile)
    assert Image.open(io.BytesIO(buffer.getvalue())).info.get("icc_profile")
    posted = room_attachment_post(group_id=group.pk, actor=alice, upload=upload(buffer.getvalue()))
    saved = saved_image(posted.attachment)
    assert not saved.info.get("icc_profile")
    red, green, blue = saved.getpixel((50, 40))
    assert abs(red - 30) < 8 and abs(green - 160) < 8 and abs(blue - 90) < 8
