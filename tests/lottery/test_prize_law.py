"""Prizes in kind only: money, or what stands for it, blocks the opening (CSI L322-3)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lottery import selectors, services
from lottery.models import Lottery

from .factories import LotteryFactory, PrizeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "50 €",
        "100 euros",
        "Espèces",
        "Chèque cadeau de 30 €",
        "Chèques-vacances",
        "Carte cadeau Fnac",
        "Bon d'achat chez le boulanger",
        "Cash prize",
        "Gift card",
        "Une cagnotte pour le gagnant",
    ],
)
def test_money_or_what_stands_for_it_blocks_the_opening(name):
    lottery = LotteryFactory()
    PrizeFactory(lottery=lottery, rank=1, name="Panier garni")
    PrizeFactory(lottery=lottery, rank=2, name=name)
    with pytest.raises(ValidationError) as refused:
        services.lottery_request_open(lottery=lottery, actor=None)
    message = " ".join(refused.value.messages)
    assert name in message and "L322-3" in message
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT
    assert lottery.open_requested_at is None
    assert not lottery.tickets.exists()


@pytest.mark.parametrize(
    "name", ["Panier garni d'une valeur de 50 €", "Vélo de ville", "Bracelet en argent"]
)
def test_goods_open_and_a_mentioned_amount_is_only_a_warning(name):
    lottery = LotteryFactory()
    PrizeFactory(lottery=lottery, name=name)
    assert services.lottery_request_open(lottery=lottery, actor=None)
    warnings = selectors.lottery_warnings(lottery=lottery)
    if "€" in name:
        assert len(warnings) == 1 and name in warnings[0] and "L322-3" in warnings[0]
    else:
        assert warnings == []


def test_a_scheduled_opening_with_a_cash_prize_added_later_does_not_open(settings):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    lottery = LotteryFactory(
        sales_open_at=now + timedelta(hours=1),
        sales_close_at=now + timedelta(days=10),
        draw_at=now + timedelta(days=11),
    )
    PrizeFactory(lottery=lottery, name="Panier garni")
    assert services.lottery_request_open(lottery=lottery, actor=None, now=now) is False
    PrizeFactory(lottery=lottery, rank=2, name="Bon d'achat de 20 €")
    assert services.lottery_open(lottery_id=lottery.pk, now=now + timedelta(hours=2)) is False
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT
