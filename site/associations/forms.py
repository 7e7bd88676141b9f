from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from assosolos.forms import form_errors_apply

from .models import Association, AssociationDocument, Membership
from .services import association_identifiers_clean
from .validators import (
    normalise_identifier,
    validate_document_file,
    validate_logo_size,
    validate_rna,
    validate_siren,
)

_DOCUMENT_HELP = _("PDF, PNG or JPEG, 5 MB at most. Only the platform's staff and you can read it.")
_DOCUMENT_ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


class DocumentField(forms.FileField):
    """A private document: size and real type are checked by reading the file."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _DOCUMENT_HELP)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": _DOCUMENT_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file:
            validate_document_file(file)
        return file


def _formfield(field, **kwargs):
    # People type "exemple.fr"; assume https, as Django 6 will.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class _AssociationDetailsForm(forms.ModelForm):
    """Fields shared by registration and later edits."""

    class Meta:
        model = Association
        formfield_callback = _formfield
        fields = [
            "name",
            "legal_form",
            "rna_number",
            "siren",
            "address",
            "postcode",
            "commune",
            "purpose",
            "contact_email",
            "website",
            "linkedin_url",
            "facebook_url",
            "instagram_url",
            "x_url",
            "logo",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 5}),
            "postcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 5}
            ),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "purpose": _("What the association does, in a few sentences. Shown on its page."),
            "commune": _("The commune of the registered address: its mayor authorises lotteries."),
            "logo": _("Optional. PNG, JPEG or WebP, 2 MB at most."),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        validate_logo_size(logo)
        return logo

    def clean_postcode(self):
        return (self.cleaned_data.get("postcode") or "").strip()


class AssociationRegistrationForm(_AssociationDetailsForm):
    # Wider than the stored value: people type spaces ("W75 1234 567").
    rna_number = forms.CharField(
        label=_("RNA number"),
        max_length=20,
        required=False,
        help_text=_("W followed by 9 digits, as on the prefecture's receipt."),
    )
    siren = forms.CharField(
        label=_("SIREN number"),
        max_length=20,
        required=False,
        help_text=_("9 digits. Only for associations registered before the RNA existed."),
    )
    statutes = DocumentField(label=_("Statutes"), required=False)
    prefecture_receipt = DocumentField(label=_("Prefecture's receipt"), required=False)

    field_order = [
        "name",
        "legal_form",
        "rna_number",
        "siren",
        "address",
        "postcode",
        "commune",
        "contact_email",
        "purpose",
        "website",
        "linkedin_url",
        "facebook_url",
        "instagram_url",
        "x_url",
        "logo",
        "statutes",
        "prefecture_receipt",
    ]

    def clean_rna_number(self):
        value = normalise_identifier(self.cleaned_data.get("rna_number"))
        if value:
            validate_rna(value)
        return value

    def clean_siren(self):
        value = normalise_identifier(self.cleaned_data.get("siren"))
        if value:
            validate_siren(value)
        return value

    def _get_validation_exclusions(self):
        # Checked in clean(), with messages naming the field, not by the model.
        exclude = super()._get_validation_exclusions()
        exclude.update({"rna_number", "siren"})
        return exclude

    def clean(self):
        cleaned = super().clean()
        # Uniqueness is checked below with messages naming the field, not by the model.
        self._validate_unique = False
        if "rna_number" in cleaned and "siren" in cleaned:
            try:
                association_identifiers_clean(
                    rna_number=cleaned["rna_number"], siren=cleaned["siren"]
                )
            except ValidationError as exc:
                form_errors_apply(self, exc)
        return cleaned

    def documents(self) -> list[tuple[str, object]]:
        pairs = [
            (AssociationDocument.Kind.STATUTES, self.cleaned_data.get("statutes")),
            (
                AssociationDocument.Kind.PREFECTURE_RECEIPT,
                self.cleaned_data.get("prefecture_receipt"),
            ),
        ]
        return [(kind, file) for kind, file in pairs if file]


class AssociationEditForm(_AssociationDetailsForm):
    class Meta(_AssociationDetailsForm.Meta):
        fields = [
            name
            for name in _AssociationDetailsForm.Meta.fields
            if name not in {"legal_form", "rna_number", "siren"}
        ]


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=AssociationDocument.Kind.choices)
    file = DocumentField(label=_("File"))


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )

    def __init__(self, *args, can_invite_owner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_invite_owner:
            self.fields["role"].choices = [
                (value, label)
                for value, label in Membership.Role.choices
                if value != Membership.Role.OWNER
            ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class DecisionForm(forms.Form):
    """A staff decision in the CMS admin; the reason is required except to verify."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the association's owners by email and shown on their dashboard."),
    )

    def __init__(self, *args, reason_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
