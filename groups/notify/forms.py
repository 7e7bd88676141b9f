from django import forms
from django.utils.translation import gettext_lazy as _


class NotificationChoiceForm(forms.Form):
    digest_email = forms.BooleanField(
        label=_("A digest email of the mentions I have not read"),
        required=False,
        help_text=_("At most one email per period, with a link to stop them."),
    )
    push = forms.BooleanField(
        label=_("Browser notifications"),
        required=False,
        help_text=_("On the devices where you turned them on from a room."),
    )


class PushSubscriptionForm(forms.Form):
    """A browser's PushSubscription, as its toJSON() gives it (flattened by the script)."""

    endpoint = forms.URLField(max_length=1000, assume_scheme="https")
    p256dh = forms.CharField(max_length=200)
    auth = forms.CharField(max_length=100)
