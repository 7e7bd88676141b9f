"""Image files for the room-image tests, made with Pillow (no binary fixtures)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825


def exif_with_gps(*, orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: the camera, the orientation and where it was taken."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
    return exif


def jpeg_bytes(size=(600, 400), *, color=(200, 40, 40), exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    # A second colour on the left half, to see which way up the saved image is.
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1]))
    image.save(buffer, "JPEG", quality=90, **({"exif": exif.tobytes()} if exif else {}))
    return buffer.getvalue()


def png_bytes(size=(300, 200), *, mode="RGBA", text: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    Image.new(mode, size).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def webp_bytes(size=(300, 200), *, exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(
        buffer, "WEBP", **({"exif": exif.tobytes()} if exif else {})
    )
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "GIF")
    return buffer.getvalue()


def bomb_bytes() -> bytes:
    """A small PNG (tens of kB) that would decode into 400 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)
