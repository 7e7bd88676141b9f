"""Database-level guarantees of the lottery models."""

import pytest
from django.db import IntegrityError, transaction

from lottery.models import Bundle, Order, Prize, Ticket
from tests.lottery.factories import BundleFactory, LotteryFactory, open_lottery

pytestmark = pytest.mark.django_db


def test_a_number_exists_once_per_lottery():
    lottery = open_lottery(ticket_cap=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(lottery=lottery, number=2)
    # The same number in another lottery is fine.
    other = open_lottery(ticket_cap=3)
    assert other.tickets.filter(number=2).exists()


def test_one_bundle_per_size():
    lottery = LotteryFactory()
    BundleFactory(lottery=lottery, quantity=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bundle.objects.create(lottery=lottery, quantity=5, price_cents=900)


def test_a_payment_intent_belongs_to_one_order():
    lottery = open_lottery()
    Order.objects.create(
        lottery=lottery, quantity=1, amount_cents=200, stripe_payment_intent_id="pi_1"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            lottery=lottery, quantity=1, amount_cents=200, stripe_payment_intent_id="pi_1"
        )
    # Orders without a PaymentIntent (cash, or not yet created) do not clash.
    Order.objects.create(lottery=lottery, quantity=1, amount_cents=200)
    Order.objects.create(lottery=lottery, quantity=1, amount_cents=200)


def test_prizes_come_in_rank_order():
    lottery = LotteryFactory()
    Prize.objects.create(lottery=lottery, rank=2, name="Deuxième")
    Prize.objects.create(lottery=lottery, rank=1, name="Premier")
    assert [p.name for p in lottery.prizes.all()] == ["Premier", "Deuxième"]


def test_opening_twice_creates_no_duplicate_tickets():
    from lottery.services import lifecycle

    lottery = open_lottery(ticket_cap=10)
    with transaction.atomic():
        lifecycle._open(lottery, note="again")  # ignore_conflicts keeps it idempotent
    assert lottery.tickets.count() == 10
