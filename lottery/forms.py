"""Forms for association admins and buyers. The rules they show come from `services`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from associations.validators import MAX_LOGO_SIZE
from assosolos.forms import form_errors_apply
from assosolos.money import money_plain, money_text

from . import services
from .models import Bundle, Lottery, Order, Prize

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
AMOUNT = re.compile(r"^\d{1,7}([.,]\d{1,2})?$")
# What an amount column holds (a positive 32-bit integer of cents).
COLUMN_MAX_CENTS = 2_147_483_647
# Prize images, like association logos: bytes, and pixels (a small file may
# decode to a huge bitmap).
MAX_PRIZE_IMAGE_BYTES = MAX_LOGO_SIZE
MAX_PRIZE_IMAGE_SIDE = 6000
MAX_PRIZE_IMAGE_PIXELS = 24_000_000


class EuroField(forms.Field):
    """An amount typed in euros ("2", "2,50", "2.5"), cleaned to integer cents; never a float."""

    def __init__(self, *args, max_cents: int = COLUMN_MAX_CENTS, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 10}),
        )
        self.max_cents = max_cents
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return money_plain(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):  # already cents (a disabled field's initial value)
            return value
        text = str(value).replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
        if not AMOUNT.match(text):
            raise ValidationError(
                _("Enter an amount in euros, such as 2 or 2,50."), code="invalid_amount"
            )
        try:
            cents = Decimal(text.replace(",", ".")) * 100
        except InvalidOperation as exc:  # pragma: no cover - the pattern rules it out
            raise ValidationError(_("Enter an amount in euros."), code="invalid_amount") from exc
        if cents > self.max_cents:
            raise ValidationError(
                _("The amount may be at most %(max)s."),
                code="amount_too_large",
                params={"max": money_text(self.max_cents)},
            )
        return int(cents)


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class LotteryForm(forms.ModelForm):
    ticket_price_cents = EuroField(label=_("Ticket price (€)"), max_cents=services.MAX_AMOUNT_CENTS)

    class Meta:
        model = Lottery
        fields = [
            "title",
            "description",
            "title_en",
            "description_en",
            "rules",
            "authorisation_reference",
            "authorisation_date",
            "authorisation_commune",
            "ticket_price_cents",
            "ticket_cap",
            "per_person_cap",
            "sales_open_at",
            "sales_close_at",
            "draw_at",
            "one_prize_per_person",
            "claim_deadline",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "rules": forms.Textarea(attrs={"rows": 8}),
            "authorisation_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sales_open_at": _datetime_widget(),
            "sales_close_at": _datetime_widget(),
            "draw_at": _datetime_widget(),
            "claim_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rules"].help_text = _(
            "The rules of the lottery, as filed with the mayor. Say what happens if no ticket "
            "is sold: on this platform the draw then takes place at its time with no winner, "
            "and the prizes stay with the association (the lottery page says so too)."
        )
        for name in ("title_en", "description_en"):
            self.fields[name].help_text = _(
                "Optional: shown on the English site; without it, English visitors read the "
                "French, marked as such."
            )
        for name in ("sales_open_at", "sales_close_at", "draw_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        if self.instance.pk and self.instance.status == Lottery.Status.OPEN:
            for name, field in self.fields.items():
                if name not in services.EDITABLE_WHILE_OPEN:
                    field.disabled = True
                    field.help_text = _("Fixed once sales are open.")

    def clean(self):
        cleaned = super().clean()
        candidate = Lottery(
            **{name: cleaned.get(name, getattr(self.instance, name)) for name in self._meta.fields}
        )
        try:
            services.lottery_validate(lottery=candidate)
        except ValidationError as exc:
            form_errors_apply(self, exc, keep_field_errors=True)
        return cleaned

    def _post_clean(self):
        # Model validation would complain about the association and slug, set by the service.
        pass

    def changed_values(self) -> dict:
        """The values the admin may set; fields fixed once sales are open are left out."""
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if not self.fields[name].disabled
        }


class PrizeForm(forms.ModelForm):
    value_cents = EuroField(label=_("Value (€)"), required=False)

    class Meta:
        model = Prize
        fields = [
            "rank",
            "name",
            "description",
            "name_en",
            "description_en",
            "image",
            "value_cents",
            "quantity",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "description_en": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"name_en": _("Optional: shown on the English site.")}

    def clean_value_cents(self):
        return self.cleaned_data.get("value_cents") or 0

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and getattr(image, "size", 0) > MAX_PRIZE_IMAGE_BYTES:
            raise ValidationError(
                _("The image is too large; the limit is %(mb)s MB.")
                % {"mb": MAX_PRIZE_IMAGE_BYTES // (1024 * 1024)},
                code="image_too_large",
            )
        # A new upload carries its decoded header (Pillow), read by ImageField.
        decoded = getattr(image, "image", None)
        if decoded is not None:
            width, height = decoded.size
            if max(width, height) > MAX_PRIZE_IMAGE_SIDE or width * height > MAX_PRIZE_IMAGE_PIXELS:
                raise ValidationError(
                    _(
                        "The image is too large (%(w)s × %(h)s pixels); "
                        "the limit is %(side)s pixels a side."
                    )
                    % {"w": width, "h": height, "side": MAX_PRIZE_IMAGE_SIDE},
                    code="image_too_many_pixels",
                )
        return image


class BundleForm(forms.ModelForm):
    price_cents = EuroField(label=_("Price (€)"), max_cents=services.MAX_AMOUNT_CENTS)

    class Meta:
        model = Bundle
        fields = ["quantity", "price_cents"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("quantity") is not None and "price_cents" in cleaned:
            lottery = self.instance.lottery if self.instance.lottery_id else None
            try:
                services.bundle_validate(
                    bundle=Bundle(quantity=cleaned["quantity"], price_cents=cleaned["price_cents"]),
                    ticket_price_cents=lottery.ticket_price_cents if lottery else None,
                )
            except ValidationError as exc:
                form_errors_apply(self, exc)
        return cleaned


class _LotteryFormSet(BaseModelFormSet):
    def __init__(self, *args, lottery: Lottery, **kwargs):
        self.lottery = lottery
        kwargs.setdefault("queryset", self.model.objects.filter(lottery=lottery))
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.lottery = self.lottery
        return form


class BundleFormSetBase(_LotteryFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            quantity = form.cleaned_data.get("quantity")
            if quantity in seen:
                form.add_error("quantity", _("There is already a bundle of this many tickets."))
            seen.add(quantity)


class PrizeFormSetBase(_LotteryFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            rank = form.cleaned_data.get("rank")
            if rank is not None and rank in seen:
                form.add_error("rank", _("Another prize already has this rank."))
            seen.add(rank)


# Empty rows offered at each save: several prizes or bundles go in at once.
NEW_ROWS = 3
PrizeFormSet = modelformset_factory(
    Prize, form=PrizeForm, formset=PrizeFormSetBase, extra=NEW_ROWS, can_delete=True
)
BundleFormSet = modelformset_factory(
    Bundle, form=BundleForm, formset=BundleFormSetBase, extra=NEW_ROWS, can_delete=True
)


class OfflineSaleForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Paid by"),
        choices=[(Order.Channel.CASH, _("Cash")), (Order.Channel.CHEQUE, _("Cheque"))],
        widget=forms.RadioSelect,
        initial=Order.Channel.CASH,
    )
    quantity = forms.IntegerField(label=_("Number of tickets"), min_value=1)
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=50,
        help_text=_("The number on the receipt handed to the buyer."),
    )
    buyer_name = forms.CharField(label=_("Buyer's name"), max_length=150, required=False)
    buyer_email = forms.EmailField(
        label=_("Buyer's email"),
        required=False,
        help_text=_("Optional: to tell the buyer if the lottery is cancelled."),
    )
    amount_cents = EuroField(
        max_cents=services.MAX_AMOUNT_CENTS,
        label=_("Amount received (€)"),
        required=False,
        help_text=_("Leave empty for the usual price (bundles included)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].max_value = getattr(settings, "LOTTERY_MAX_TICKETS_PER_ORDER", 100)
        self.fields["quantity"].widget.attrs["max"] = self.fields["quantity"].max_value


class BuyForm(forms.Form):
    quantity = forms.IntegerField(label=_("Number of tickets"), min_value=1)

    def __init__(self, *args, lottery: Lottery, **kwargs):
        super().__init__(*args, **kwargs)
        limit = getattr(settings, "LOTTERY_MAX_TICKETS_PER_ORDER", 100)
        if lottery.per_person_cap:
            limit = min(limit, lottery.per_person_cap)
        self.fields["quantity"] = forms.IntegerField(
            label=_("Number of tickets"),
            min_value=1,
            max_value=limit,
            error_messages={
                "max_value": _("You can buy at most %(limit_value)s tickets at once."),
                "min_value": _("Choose at least one ticket."),
            },
        )


class GuestBuyForm(BuyForm):
    """Buying without an account: the number of tickets and an email address.

    `website` is a trap for robots: hidden from people (and from screen readers),
    left empty by them, filled in by form-filling scripts.
    """

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("Your tickets and your receipt are sent there. No account needed."),
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, lottery: Lottery, **kwargs):
        super().__init__(*args, lottery=lottery, **kwargs)
        self.fields["email"].widget.attrs.update(autocomplete="email", inputmode="email")
        self.fields["website"].widget.attrs.update(
            autocomplete="off", tabindex="-1", **{"aria-hidden": "true"}
        )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This form could not be sent. Please try again."))
        return ""
