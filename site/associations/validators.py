"""Validators for French association identifiers.

The `normalise_*` helpers upper-case and strip spaces so that "w 751 000 001"
and "W751000001" are the same number, for validation and for duplicates.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ASCII digits only: Python's \d also matches full-width and other scripts' digits,
# which would let "W６９１０１２３４５" pass and sit beside "W691012345" as a duplicate.
_RNA_RE = re.compile(r"^W[0-9]{9}$")
_SIREN_RE = re.compile(r"^[0-9]{9}$")
_POSTCODE_RE = re.compile(r"^[0-9]{5}$")


def normalise_identifier(value: str | None) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def validate_rna(value: str) -> None:
    if not _RNA_RE.fullmatch(normalise_identifier(value)):
        raise ValidationError(
            _("An RNA number is the letter W followed by 9 digits, for example W751234567."),
            code="invalid_rna",
        )


def validate_siren(value: str) -> None:
    siren = normalise_identifier(value)
    if not _SIREN_RE.fullmatch(siren):
        raise ValidationError(_("A SIREN number has exactly 9 digits."), code="invalid_siren")
    if not luhn_is_valid(siren):
        raise ValidationError(
            _("This SIREN number is not valid (its check digit does not match)."),
            code="invalid_siren",
        )


def validate_postcode(value: str) -> None:
    # Corsica's departments are 2A/2B, but its postcodes are digits (20000–20999).
    if not _POSTCODE_RE.fullmatch((value or "").strip()):
        raise ValidationError(_("A French postcode has exactly 5 digits."), code="invalid_postcode")


# --- Documents ----------------------------------------------------------------------

MAX_DOCUMENT_SIZE = 5 * 1024 * 1024
MAX_LOGO_SIZE = 2 * 1024 * 1024

# Content type → (file signature, extensions allowed for it).
_DOCUMENT_TYPES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}


def validate_document_file(file) -> str:
    """Check a document's size and real type; return its content type.

    The type is read from the file's first bytes, so a renamed executable is
    refused even with a .pdf name.
    """
    if file.size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            _("This file is too large (%(size)s MB); the limit is 5 MB."),
            code="file_too_large",
            params={"size": f"{file.size / 1024 / 1024:.1f}"},
        )
    if file.size == 0:
        raise ValidationError(_("This file is empty."), code="file_empty")
    name = (getattr(file, "name", "") or "").lower()
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for content_type, (signature, extensions) in _DOCUMENT_TYPES.items():
        if head.startswith(signature):
            if not name.endswith(extensions):
                break
            return content_type
    raise ValidationError(
        _("Only PDF, PNG and JPEG files are accepted, and the name must match the content."),
        code="file_type",
    )


def validate_logo_size(file) -> None:
    if file and getattr(file, "size", 0) > MAX_LOGO_SIZE:
        raise ValidationError(_("The logo is too large; the limit is 2 MB."), code="logo_too_large")
