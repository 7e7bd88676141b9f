import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from associations.validators import (
    MAX_DOCUMENT_SIZE,
    luhn_is_valid,
    normalise_identifier,
    validate_document_file,
    validate_postcode,
    validate_rna,
    validate_siren,
)
from tests.associations.factories import PDF_BYTES, PNG_BYTES


@pytest.mark.parametrize("value", ["W751234567", "w751234567", " W 751 234 567 "])
def test_rna_accepts_w_and_nine_digits_in_any_spacing_or_case(value):
    validate_rna(value)


@pytest.mark.parametrize(
    "value", ["751234567", "W75123456", "W7512345678", "X751234567", "W75123456A", ""]
)
def test_rna_refuses_anything_else(value):
    with pytest.raises(ValidationError) as exc:
        validate_rna(value)
    assert exc.value.code == "invalid_rna"


@pytest.mark.parametrize("value", ["732829320", "552 100 554", "443.061.841"])
def test_siren_with_a_valid_luhn_check_digit_is_accepted(value):
    validate_siren(value)


@pytest.mark.parametrize("value", ["732829321", "123456789", "552100555"])
def test_siren_with_a_wrong_check_digit_is_refused(value):
    with pytest.raises(ValidationError, match="check digit"):
        validate_siren(value)


@pytest.mark.parametrize("value", ["73282932", "7328293200", "73282932A", "W73282932"])
def test_siren_must_have_nine_digits(value):
    with pytest.raises(ValidationError, match="9 digits"):
        validate_siren(value)


def test_luhn_on_known_values():
    assert luhn_is_valid("79927398713")
    assert not luhn_is_valid("79927398710")


def test_normalise_identifier_removes_spaces_dots_dashes_and_uppercases():
    assert normalise_identifier(" w-751.234 567 ") == "W751234567"
    assert normalise_identifier(None) == ""


@pytest.mark.parametrize("value", ["75001", "20000", "97400", "01000"])
def test_french_postcodes_including_corsica_and_overseas(value):
    validate_postcode(value)


@pytest.mark.parametrize("value", ["2A000", "7500", "750011", "ABCDE", ""])
def test_postcode_must_be_five_digits(value):
    with pytest.raises(ValidationError):
        validate_postcode(value)


def test_document_type_is_read_from_the_content():
    assert validate_document_file(SimpleUploadedFile("a.pdf", PDF_BYTES)) == "application/pdf"
    assert validate_document_file(SimpleUploadedFile("a.PNG", PNG_BYTES)) == "image/png"
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 32
    assert validate_document_file(SimpleUploadedFile("a.jpeg", jpeg)) == "image/jpeg"


def test_document_with_a_pdf_name_but_other_content_is_refused():
    fake = SimpleUploadedFile("statuts.pdf", b"MZ\x90\x00 this is an executable")
    with pytest.raises(ValidationError) as exc:
        validate_document_file(fake)
    assert exc.value.code == "file_type"


def test_document_whose_name_does_not_match_its_content_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_document_file(SimpleUploadedFile("statuts.pdf", PNG_BYTES))
    assert exc.value.code == "file_type"


def test_document_over_five_megabytes_is_refused():
    big = SimpleUploadedFile("statuts.pdf", PDF_BYTES + b"0" * MAX_DOCUMENT_SIZE)
    with pytest.raises(ValidationError) as exc:
        validate_document_file(big)
    assert exc.value.code == "file_too_large"


def test_document_of_exactly_five_megabytes_is_accepted():
    exact = SimpleUploadedFile("statuts.pdf", PDF_BYTES.ljust(MAX_DOCUMENT_SIZE, b"0"))
    assert validate_document_file(exact) == "application/pdf"


def test_empty_document_is_refused():
    with pytest.raises(ValidationError):
        validate_document_file(SimpleUploadedFile("statuts.pdf", b""))


# Full-width and Arabic-Indic digits look like digits to Python's \d and int().
@pytest.mark.parametrize("value", ["W６９１０１２３４５", "W٦٩١٠١٢٣٤٥", "Ｗ691012345"])
def test_rna_refuses_digits_that_are_not_ascii(value):
    with pytest.raises(ValidationError) as exc:
        validate_rna(value)
    assert exc.value.code == "invalid_rna"


@pytest.mark.parametrize("value", ["７３２８２９３２０", "٧٣٢٨٢٩٣٢٠"])
def test_siren_refuses_digits_that_are_not_ascii(value):
    with pytest.raises(ValidationError) as exc:
        validate_siren(value)
    assert exc.value.code == "invalid_siren"


@pytest.mark.parametrize("value", ["６９００１", "٦٩٠٠١", "69００1"])
def test_postcode_refuses_digits_that_are_not_ascii(value):
    with pytest.raises(ValidationError) as exc:
        validate_postcode(value)
    assert exc.value.code == "invalid_postcode"
