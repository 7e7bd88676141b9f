"""What a room image becomes before anything is saved: checked, cleaned, re-encoded.

Pure (no ORM, no storage, no settings): bytes in, the re-encoded image and its
thumbnail out, or `ImageRefused`. The file's name and the content type the browser
declared are never looked at: Pillow must recognise the bytes as JPEG, PNG or WebP,
and decode them whole. Its pixel count is checked before decoding, so a small file
that would unpack into a huge bitmap (a decompression bomb) is refused cheaply.

The output is built from the decoded pixels alone into a fresh image, so nothing of
the original file's metadata (EXIF with its GPS position and camera, XMP, text
chunks, ICC profile) can travel with it; the EXIF orientation is applied first, so
the picture stands as the phone showed it.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Pillow's format name → (content type, file extension).
ACCEPTED_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
JPEG_QUALITY = 85
WEBP_QUALITY = 85


class ImageRefused(Exception):
    """An upload that is not stored: `code` for the client, `message` for the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True, slots=True)
class EncodedImage:
    data: bytes
    width: int
    height: int
    content_type: str
    extension: str


@dataclass(frozen=True, slots=True)
class PreparedImage:
    full: EncodedImage
    thumbnail: EncodedImage


def too_big(max_bytes: int) -> ImageRefused:
    megabytes = max_bytes / (1024 * 1024)
    return ImageRefused(
        "too_big",
        _("The image is too large: at most %(size)s MB.") % {"size": f"{megabytes:g}"},
    )


def not_an_image() -> ImageRefused:
    return ImageRefused("not_image", _("This file is not a JPEG, PNG or WebP image."))


def image_prepare(
    *, data: bytes, max_bytes: int, max_side: int, thumb_side: int, max_pixels: int
) -> PreparedImage:
    """The image re-encoded in its own format, its largest side at most `max_side`.

    Refuses (ImageRefused): more than `max_bytes`, bytes that are not a whole JPEG,
    PNG or WebP image, and images of more than `max_pixels` pixels.
    """
    if len(data) > max_bytes:
        raise too_big(max_bytes)
    if not data:
        raise not_an_image()
    image, kind = _decode(data, max_pixels=max_pixels)
    content_type, extension = ACCEPTED_FORMATS[kind]
    image = _clean(image, keep_alpha=kind != "JPEG")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    return PreparedImage(
        full=_encode(image, kind, content_type, extension),
        thumbnail=_encode(thumb, kind, content_type, extension),
    )


def _decode(data: bytes, *, max_pixels: int) -> tuple[Image.Image, str]:
    """The first frame, decoded whole, and its format; refused if anything is off."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; here that refuses too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
            kind = probe.format
            width, height = probe.size
            if width * height > max_pixels:
                raise _too_many_pixels()
            probe.verify()  # the file's structure and checksums (PNG's CRCs)
            # verify() leaves the image unusable: open again to decode the pixels.
            image = Image.open(io.BytesIO(data), formats=[kind])
            image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        # Not one of ours (GIF, SVG, text…), or truncated or damaged halfway.
        raise not_an_image() from exc
    if kind not in ACCEPTED_FORMATS:
        raise not_an_image()
    return image, kind


def _too_many_pixels() -> ImageRefused:
    return ImageRefused("too_many_pixels", _("The image has too many pixels."))


def _clean(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """Upright, in sRGB, RGB or RGBA, in a fresh image that carries no metadata."""
    icc = image.info.get("icc_profile")
    # An unreadable EXIF block gives no orientation to apply; it is dropped below.
    with contextlib.suppress(OSError, ValueError, SyntaxError, TypeError):
        image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if keep_alpha and has_alpha else "RGB"
    try:
        if image.mode in ("I;16", "I;16B", "I;16L", "I"):
            # 16-bit greyscale PNG: Pillow converts it to RGB only by way of 8 bits.
            image = image.point(lambda value: value / 256).convert("L")
        image = image.convert(mode)
    except (OSError, ValueError) as exc:
        raise not_an_image() from exc
    if icc:
        image = _to_srgb(image, icc)
    fresh = Image.new(mode, image.size)
    fresh.paste(image)
    return fresh


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    # Phones tag photos Display P3: drop the profile without converting and colours fade.
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: keep the pixels as they are
    return converted if converted is not None else image


def _encode(image: Image.Image, kind: str, content_type: str, extension: str) -> EncodedImage:
    buffer = io.BytesIO()
    if kind == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind == "PNG":
        image.save(buffer, "PNG", optimize=False, compress_level=6)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return EncodedImage(
        data=buffer.getvalue(),
        width=image.width,
        height=image.height,
        content_type=content_type,
        extension=extension,
    )
