"""A service's ValidationError lands on the form's fields, or on the form as a whole."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from assosolos.forms import form_errors_apply


class _Form(forms.Form):
    title = forms.CharField()
    date = forms.DateField(required=False)


def _valid_form() -> _Form:
    form = _Form({"title": "Tombola", "date": "2026-05-01"})
    assert form.is_valid()
    return form


def test_an_error_naming_a_field_goes_on_that_field_with_its_code():
    form = _valid_form()
    form_errors_apply(
        form, ValidationError({"title": ValidationError("Already taken.", code="taken")})
    )
    assert form.errors == {"title": ["Already taken."]}
    assert form.has_error("title", "taken")
    assert "title" not in form.cleaned_data
    assert not form.is_valid()


def test_an_error_without_fields_goes_on_the_form():
    form = _valid_form()
    form_errors_apply(form, ValidationError(["Sales are closed.", "Try later."]))
    assert form.non_field_errors() == ["Sales are closed.", "Try later."]
    assert set(form.errors) == {NON_FIELD_ERRORS}


def test_a_field_the_form_does_not_have_goes_on_the_form():
    form = _valid_form()
    form_errors_apply(
        form,
        ValidationError(
            {
                "slug": "This address is taken.",
                NON_FIELD_ERRORS: "The lottery is open.",
                "title": "Too long.",
            }
        ),
    )
    assert form.errors["title"] == ["Too long."]
    assert form.non_field_errors() == ["This address is taken.", "The lottery is open."]


def test_a_message_with_params_is_shown_filled_in():
    form = _valid_form()
    form_errors_apply(
        form,
        ValidationError({"title": ValidationError("At most %(max)s.", params={"max": "12,50 €"})}),
    )
    assert form.errors["title"] == ["At most 12,50 €."]


def test_service_field_names_can_be_renamed_to_the_form_s():
    form = _valid_form()
    form_errors_apply(
        form,
        ValidationError({"authorisation_date": "Give the date of the authorisation."}),
        fields={"authorisation_date": "date"},
    )
    assert form.errors == {"date": ["Give the date of the authorisation."]}


def test_a_field_with_its_own_error_can_keep_it_alone():
    form = _Form({"title": "", "date": "2026-05-01"})
    assert not form.is_valid()
    own = list(form.errors["title"])
    form_errors_apply(
        form,
        ValidationError({"title": "Give a title.", "date": "Too early."}),
        keep_field_errors=True,
    )
    assert form.errors["title"] == own
    assert form.errors["date"] == ["Too early."]
    form_errors_apply(form, ValidationError({"title": "Give a title."}))
    assert form.errors["title"] == [*own, "Give a title."]
