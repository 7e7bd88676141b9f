"""A suspended association's lotteries stop selling, online and cash; lifting it resumes sales.

It also leaves the listings, and its lotteries cannot be edited meanwhile.
"""

import pytest

from associations.models import Association
from lottery import services
from lottery.models import Order, Ticket
from tests.factories import UserFactory
from tests.lottery.factories import open_lottery

pytestmark = pytest.mark.django_db


def _suspend(lottery, status=Association.Status.SUSPENDED):
    Association.objects.filter(pk=lottery.association_id).update(status=status)


def test_a_suspended_association_sells_nothing_online_nor_in_cash_until_lifted():
    lottery = open_lottery(ticket_cap=10)
    buyer = UserFactory()
    pending = services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    _suspend(lottery)

    with pytest.raises(services.SalesNotOpen) as refused:
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    assert "suspend" in refused.value.messages[0].lower()
    # Not even by resuming a pending order.
    with pytest.raises(services.SalesNotOpen):
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    with pytest.raises(services.SalesNotOpen):
        services.order_record_offline(
            lottery=lottery, by=None, channel=Order.Channel.CASH, quantity=1, receipt_number="R1"
        )
    assert list(Order.objects.filter(lottery=lottery)) == [pending]
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.RESERVED).count() == 2

    _suspend(lottery, Association.Status.VERIFIED)
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    services.order_record_offline(
        lottery=lottery, by=None, channel=Order.Channel.CASH, quantity=1, receipt_number="R1"
    )


def test_a_suspended_associations_lottery_leaves_the_listings_and_cannot_be_edited():
    from associations.services import AssociationNotActive
    from lottery import selectors

    lottery = open_lottery(ticket_cap=10)
    assert lottery in selectors.lotteries_open()
    _suspend(lottery)
    assert lottery not in selectors.lotteries_open()
    lottery.refresh_from_db()
    with pytest.raises(AssociationNotActive):
        services.lottery_update(lottery=lottery, by=None, title="Changée pendant la suspension")
    lottery.refresh_from_db()
    assert lottery.title != "Changée pendant la suspension"
    _suspend(lottery, Association.Status.VERIFIED)
    assert lottery in selectors.lotteries_open()
    services.lottery_update(lottery=lottery, by=None, title="Changée après")
