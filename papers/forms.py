"""Forms of the papers page: they only parse; the rules are in `services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lottery.forms import EuroField

from .models import CostLine, LotteryRequest


class RequestForm(forms.ModelForm):
    class Meta:
        model = LotteryRequest
        fields = [
            "cause",
            "funds_use",
            "sales_places",
            "draw_place",
            "public_utility_decree",
            "public_utility_date",
            "subsidies",
        ]
        widgets = {
            "funds_use": forms.Textarea(attrs={"rows": 3}),
            "sales_places": forms.Textarea(attrs={"rows": 2}),
            "subsidies": forms.Textarea(attrs={"rows": 2}),
            "public_utility_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class CostLineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CostLine.Kind.choices)
    label = forms.CharField(label=_("Label"), max_length=150)
    amount_cents = EuroField(label=_("Amount (€)"))


class AuthorisationForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the arrêté"), max_length=100, required=False)
    date = forms.DateField(
        label=_("Date of the arrêté"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    commune = forms.CharField(label=_("Authorising commune"), max_length=120, required=False)
    scan = forms.FileField(
        label=_("Scan of the signed arrêté"),
        required=False,
        help_text=_(
            "PDF, PNG or JPEG, 5 MB at most; private to the association's managers "
            "and the platform's staff."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class FundUseForm(forms.Form):
    amount_cents = EuroField(label=_("Amount (€)"))
    used_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    beneficiary = forms.CharField(label=_("Beneficiary"), max_length=200)
    description = forms.CharField(label=_("What it paid for"), max_length=255, required=False)
    proof = forms.FileField(
        label=_("Proof (invoice, receipt)"),
        required=False,
        help_text=_("PDF, PNG or JPEG, 5 MB at most; private to the association and the staff."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
