"""Forms of the back office: one order refunded, voided or corrected."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.backoffice import NOTE_MAX_LENGTH


class OrderRefundForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=_("Kept in the order's history and sent to the buyer."),
    )


class OrderVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this sale voided?"),
        max_length=NOTE_MAX_LENGTH,
        help_text=_("For example: recorded twice. Kept in the order's history."),
        error_messages={"required": _("Say why this sale is voided.")},
    )


class OrderCorrectForm(forms.Form):
    buyer_name = forms.CharField(label=_("Buyer's name"), max_length=150, required=False)
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=50,
        error_messages={"required": _("Give the number of the receipt handed to the buyer.")},
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=NOTE_MAX_LENGTH, required=False)
