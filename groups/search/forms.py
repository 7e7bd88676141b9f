from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import QUERY_MAX_LENGTH


class RoomSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the room"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
