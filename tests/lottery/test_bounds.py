"""Amounts stay within what Stripe accepts and the columns hold; prize images are bounded.

Before these bounds a 9,999,999.99 EUR ticket price was accepted, and a 3-ticket
order of it failed with a 500 "integer out of range" on PostgreSQL.
"""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from assosolos.money import money_text
from lottery import services
from lottery.forms import EuroField, PrizeForm
from lottery.models import Bundle, Lottery, Order, Ticket
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, open_lottery

pytestmark = pytest.mark.django_db


def test_a_ticket_price_above_what_stripe_accepts_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.lottery_validate(lottery=LotteryFactory.build(ticket_price_cents=999_999_999))
    assert "999" in refused.value.message_dict["ticket_price_cents"][0]
    services.lottery_validate(lottery=LotteryFactory.build(ticket_price_cents=99_999_999))


def test_the_euro_field_says_the_limit_instead_of_overflowing():
    field = EuroField(max_cents=services.MAX_AMOUNT_CENTS)
    assert field.clean("999999,99") == 99_999_999
    with pytest.raises(ValidationError) as refused:
        field.clean("9999999,99")
    assert money_text(services.MAX_AMOUNT_CENTS) in refused.value.messages[0]
    # Without a tighter limit, still no more than the column holds.
    assert EuroField().clean("9999999,99") == 999_999_999


@pytest.mark.parametrize("price_cents", [40_000_000, 999_999_999])
def test_an_order_total_above_the_limit_is_refused_with_a_message(client, price_cents):
    """The second price predates the bounds (set straight in the database)."""
    lottery = open_lottery(ticket_cap=10)
    Lottery.objects.filter(pk=lottery.pk).update(ticket_price_cents=price_cents)
    buyer = UserFactory()

    with pytest.raises(services.AmountTooLarge):
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=3)

    client.force_login(buyer)
    response = client.post(
        reverse("lottery:buy", args=[lottery.slug]), {"quantity": "3"}, follow=True
    )
    assert response.status_code == 200
    assert any("999" in str(m) for m in response.context["messages"])
    assert not Order.objects.exists()
    assert not Ticket.objects.exclude(status=Ticket.Status.AVAILABLE).exists()


def test_a_bundle_or_a_cash_sale_above_the_limit_is_refused():
    lottery = open_lottery()
    with pytest.raises(ValidationError) as refused:
        services.bundle_validate(
            bundle=Bundle(lottery=lottery, quantity=5, price_cents=100_000_000)
        )
    assert "price_cents" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.order_record_offline(
            lottery=lottery,
            actor=None,
            channel=Order.Channel.CASH,
            quantity=1,
            receipt_number="R-1",
            amount_cents=100_000_000,
        )
    assert "amount_cents" in refused.value.message_dict
    assert not Order.objects.exists()


def _png(width: int, height: int, *, noise: bool = False) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), "white")
    if noise:
        # Random pixels do not compress: the file is as heavy as the bitmap.
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("prize.png", buffer.getvalue(), content_type="image/png")


def _prize_form(image) -> PrizeForm:
    return PrizeForm(
        data={"rank": "1", "name": "Atelier", "value_cents": "10", "quantity": "1"},
        files={"image": image},
    )


def test_prize_images_are_limited_in_pixels_and_bytes():
    assert _prize_form(_png(800, 600)).is_valid()

    # A few kilobytes that decode to a 7,000-pixel-wide bitmap.
    wide = _prize_form(_png(7000, 10))
    assert not wide.is_valid()
    assert "7000" in wide.errors["image"][0]

    heavy = _png(1200, 1200, noise=True)
    assert heavy.size > 2 * 1024 * 1024
    too_heavy = _prize_form(heavy)
    assert not too_heavy.is_valid()
    assert "2 M" in too_heavy.errors["image"][0]
