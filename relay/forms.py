from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MastodonForm(forms.Form):
    server = forms.URLField(
        assume_scheme="https",
        label=_("Mastodon server"),
        max_length=300,
        help_text=_("Such as https://mastodon.social"),
    )
    secret = forms.CharField(
        label=_("Access token"),
        max_length=500,
        widget=forms.PasswordInput,
        help_text=_("Preferences › Development › New application, with the write:statuses scope."),
    )


class BlueskyForm(forms.Form):
    handle = forms.CharField(
        label=_("Handle"), max_length=300, help_text=_("Such as asso.bsky.social")
    )
    secret = forms.CharField(
        label=_("App password"),
        max_length=200,
        widget=forms.PasswordInput,
        help_text=_("Settings › Privacy and security › App passwords."),
    )
    server = forms.URLField(
        assume_scheme="https",
        label=_("Server"),
        max_length=300,
        required=False,
        initial="https://bsky.social",
    )

    def clean_handle(self) -> str:
        return self.cleaned_data["handle"].strip().removeprefix("@")
