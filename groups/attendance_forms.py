"""Forms of answers to sessions, their places and attendance (plain HTML, no script)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GroupMembership, SessionAnswer


class SessionAnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=SessionAnswer.Answer.choices)
    # Where the member answered from, to go back there; a name, never a URL.
    back = forms.ChoiceField(choices=[("group", "group"), ("session", "session")], required=False)


class SessionCapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        max_value=32767,
        help_text=_("Leave empty for no limit."),
    )


PRESENT, ABSENT = "present", "absent"


class AttendanceForm(forms.Form):
    """One present/absent choice per member of the session's roster."""

    def __init__(
        self,
        *args,
        roster: Iterable[GroupMembership] = (),
        marks: Mapping[int, bool] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        marks = marks or {}
        for membership in roster:
            mark = marks.get(membership.user_id)
            self.fields[self.field_name(membership.user_id)] = forms.ChoiceField(
                label=membership.user.public_name,
                choices=[(PRESENT, _("Present")), (ABSENT, _("Absent"))],
                widget=forms.RadioSelect,
                initial=None if mark is None else (PRESENT if mark else ABSENT),
            )

    @staticmethod
    def field_name(user_id: int) -> str:
        return f"member_{user_id}"

    def presence(self) -> dict[int, bool]:
        """User id → present, from the cleaned form."""
        return {
            int(name.removeprefix("member_")): value == PRESENT
            for name, value in self.cleaned_data.items()
        }
