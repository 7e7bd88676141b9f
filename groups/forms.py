from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Commitment, Group, Session


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = [
            "title",
            "topic",
            "topic_other",
            "description",
            "title_en",
            "description_en",
            "capacity",
            "admission",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "title_en": _("Optional: shown on the English site."),
            "description_en": _("Optional: shown on the English site."),
        }


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
        fields = ["starts_at", "duration_minutes", "place", "video_url", "agenda", "capacity"]
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


class SeatPrizeForm(forms.Form):
    """Pick a prize to carry a seat; the service checks it (a stale page or a forged value)."""

    prize = forms.IntegerField(
        label=_("Prize"), widget=forms.Select, min_value=1, max_value=2**63 - 1
    )

    def __init__(self, *args, prizes=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prize"].widget.choices = [
            ("", "—"),
            *(
                (
                    prize.pk,
                    _("%(lottery)s — prize %(rank)s: %(name)s (×%(quantity)s)")
                    % {
                        "lottery": prize.lottery.title,
                        "rank": prize.rank,
                        "name": prize.name,
                        "quantity": prize.quantity,
                    },
                )
                for prize in prizes
            ),
        ]

    @property
    def has_choices(self) -> bool:
        return len(self.fields["prize"].widget.choices) > 1
