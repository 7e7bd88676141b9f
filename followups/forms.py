from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FollowUp, Step

__all__ = ["FollowUpForm", "OutcomeForm", "StepForm"]

DATE_WIDGET = {"type": "date"}


def _date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Next step"), choices=Step.Kind.choices)
    due_on = _date_field()


class FollowUpForm(StepForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    how = forms.ChoiceField(label=_("How we met"), choices=FollowUp.How.choices)
    reach = forms.CharField(
        label=_("Where to reach them"),
        max_length=500,
        required=False,
        help_text=_("Email, phone, profile link… Only you can see it."),
    )
    session = forms.ModelChoiceField(
        label=_("Group session"), queryset=None, required=False, empty_label=_("None")
    )
    field_order = ["name", "how", "reach", "session", "kind", "due_on"]

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.order_fields(self.field_order)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
