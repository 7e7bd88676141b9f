"""Money as text: one function, French and English, used by pages, forms and services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from assosolos.money import money_plain, money_text
from lottery import services
from lottery.forms import EuroField
from tests.lottery.factories import LotteryFactory

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("cents", "french", "english"),
    [
        (1250, f"12,50{NBSP}€", "€12.50"),
        (500, f"5{NBSP}€", "€5"),
        (5, f"0,05{NBSP}€", "€0.05"),
        (0, f"0{NBSP}€", "€0"),
        (123_456_789, f"1{NNBSP}234{NNBSP}567,89{NBSP}€", "€1,234,567.89"),
        (-150, f"-1,50{NBSP}€", "-€1.50"),
    ],
)
def test_french_and_english(cents, french, english):
    assert money_text(cents, language="fr") == french
    assert money_text(cents, language="en") == english
    with translation.override("en"):
        assert money_text(cents) == english
        assert money_text(cents, language="fr") == french
    with translation.override("fr"):
        assert money_text(cents) == french


def test_nothing_is_written_for_no_amount():
    assert money_text(None) == "" and money_text("") == ""
    assert money_plain(None) == ""


def test_the_template_filter_writes_the_same():
    template = Template("{% load lottery_tags %}{{ amount|euros }}")
    for language in ("fr", "en"):
        with translation.override(language):
            assert template.render(Context({"amount": 250_050})) == money_text(250_050)
    with translation.override("en"):
        assert template.render(Context({"amount": 250_050})) == "€2,500.50"


@pytest.mark.parametrize(
    ("cents", "plain"), [(250, "2,50"), (100_000_001, "1000000,01"), (-150, "-1,50"), (0, "0,00")]
)
def test_the_bare_number_of_a_form_field_or_a_spreadsheet(cents, plain):
    assert money_plain(cents) == plain
    assert EuroField().prepare_value(cents) == plain
    if cents >= 0:  # a form takes no negative amount
        assert EuroField().clean(plain) == cents


@pytest.mark.parametrize(
    ("language", "limit"), [("fr", f"999{NNBSP}999,99{NBSP}€"), ("en", "€999,999.99")]
)
def test_the_at_most_messages_name_the_limit_in_the_person_s_language(language, limit):
    with translation.override(language):
        field = EuroField(max_cents=services.MAX_AMOUNT_CENTS)
        with pytest.raises(ValidationError) as typed:
            field.clean("1000000")
        assert limit in typed.value.messages[0]

        with pytest.raises(ValidationError) as priced:
            services.lottery_validate(
                lottery=LotteryFactory.build(ticket_price_cents=services.MAX_AMOUNT_CENTS + 1)
            )
        assert limit in priced.value.message_dict["ticket_price_cents"][0]

        assert limit in services.AmountTooLarge().messages[0]
        assert "EUR" not in services.AmountTooLarge().messages[0]
