from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.networks import NETWORK_CHOICES

from .models import ShowcaseSchedule


class PitchForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=NETWORK_CHOICES)
    text = forms.CharField(
        label=_("Your pitch"),
        widget=forms.Textarea(
            attrs={"rows": 7, "data-pitch-text": "", "aria-describedby": "pitch-counter"}
        ),
        # The network's own limit is checked by the service; this only stops abuse.
        max_length=10_000,
    )
    audience = forms.CharField(
        label=_("Written for"),
        max_length=200,
        required=False,
        help_text=_("Who should read it: recruiters in a field, clients of a trade…"),
    )
    contact = forms.CharField(
        label=_("Contact link"),
        max_length=300,
        required=False,
        help_text=_("A web address (portfolio, profile) or an email where people can reach you."),
    )

    def __init__(self, *args, network_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["data-network-select"] = "id_network"
        if network_locked:
            self.fields["network"].disabled = True


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=ShowcaseSchedule.Weekday.choices, coerce=int
    )
    time = forms.TimeField(
        label=_("Time (Paris)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean_time(self) -> dt.time:
        value = self.cleaned_data["time"]
        if dt.time(2, 0) <= value < dt.time(3, 0):
            # Skipped or doubled once a year when the clocks change.
            raise forms.ValidationError(_("Choose a time outside 02:00–03:00."))
        return value
