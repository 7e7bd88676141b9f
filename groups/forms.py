from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Commitment, Group, Session


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["title", "topic", "topic_other", "description", "capacity", "admission"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ApplicationForm(forms.Form):
    message = forms.CharField(
        label=_("Why do you want to join?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))


class MuteForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=60 * 24 * 30)


class SessionForm(forms.ModelForm):
    video_url = forms.URLField(label=_("video link"), required=False, assume_scheme="https")

    class Meta:
        model = Session
        fields = ["starts_at", "duration_minutes", "place", "video_url", "agenda"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "agenda": forms.Textarea(attrs={"rows": 3}),
        }


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["goal"]
        widgets = {
            "goal": forms.TextInput(
                attrs={"placeholder": _("Contact three people and follow each email with a call")}
            )
        }


def apply_errors(form: forms.Form, exc) -> None:
    """Put a service's ValidationError on the form: on its field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
