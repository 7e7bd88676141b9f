"""A service's refusal shown on the form that asked for the change.

Services raise `ValidationError`, keyed by field when they can name one. A view or a
form puts it on the form with `form_errors_apply`, the one place that knows how:
each message goes to the form's field of that name, and to the form as a whole when
the form has no such field (or the error names none). Messages keep their codes,
so `form.has_error(field, code)` still tells them apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def form_errors_apply(
    form: forms.BaseForm,
    error: ValidationError,
    *,
    fields: Mapping[str, str] | None = None,
    keep_field_errors: bool = False,
) -> None:
    """Put the messages of `error` on `form`.

    `fields` renames the service's field names to the form's (a form with a `date`
    field for the model's `authorisation_date`). With `keep_field_errors`, a field that
    already has an error of its own keeps only that one (a form's `clean()` calling a
    service that checks the same field again).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = (fields or {}).get(name, name)
        if target == NON_FIELD_ERRORS or target not in form.fields:
            form.add_error(None, errors)
        elif not (keep_field_errors and target in form.errors):
            form.add_error(target, errors)
