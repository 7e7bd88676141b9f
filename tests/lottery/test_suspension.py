"""A suspended association's lotteries stop selling, online and cash; lifting it resumes sales.

It also leaves the listings, and its lotteries cannot be edited meanwhile.
"""

import pytest

from associations.models import Association
from lottery import services
from lottery.models import Order, Ticket
from tests.factories import UserFactory
from tests.lottery.conftest import reserve_with_intent
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
            lottery=lottery, actor=None, channel=Order.Channel.CASH, quantity=1, receipt_number="R1"
        )
    assert list(Order.objects.filter(lottery=lottery)) == [pending]
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.RESERVED).count() == 2

    _suspend(lottery, Association.Status.VERIFIED)
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    services.order_record_offline(
        lottery=lottery, actor=None, channel=Order.Channel.CASH, quantity=1, receipt_number="R1"
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
        services.lottery_update(lottery=lottery, actor=None, title="Changée pendant la suspension")
    lottery.refresh_from_db()
    assert lottery.title != "Changée pendant la suspension"
    _suspend(lottery, Association.Status.VERIFIED)
    assert lottery in selectors.lotteries_open()
    services.lottery_update(lottery=lottery, actor=None, title="Changée après")


# --- Orders in flight when the association is suspended (localstripe) ----------------


def _suspend_by_staff(lottery, capture):
    from associations.services import association_suspend
    from tests.factories import StaffFactory

    with capture(execute=True):
        association_suspend(association=lottery.association, actor=StaffFactory(), reason="Fraude.")


def test_suspension_cancels_pending_payment_intents_and_the_card_cannot_be_charged(
    localstripe, django_capture_on_commit_callbacks
):
    lottery = open_lottery(ticket_cap=10)
    order = reserve_with_intent(lottery=lottery, buyer=UserFactory(), quantity=2)
    paid_elsewhere = reserve_with_intent(lottery=open_lottery(), buyer=UserFactory())

    _suspend_by_staff(lottery, django_capture_on_commit_callbacks)

    order.refresh_from_db()
    assert order.status == Order.Status.FAILED
    assert not Ticket.objects.filter(order=order).exists()
    assert localstripe.payment_intent(order.stripe_payment_intent_id).status == "canceled"
    localstripe.pay(order.stripe_payment_intent_id, refused=True)
    # Another association's order is left alone.
    paid_elsewhere.refresh_from_db()
    assert paid_elsewhere.status == Order.Status.PENDING
    assert localstripe.payment_intent(paid_elsewhere.stripe_payment_intent_id).status != "canceled"


def test_a_payment_made_anyway_after_the_suspension_is_refunded_and_the_buyer_told(
    localstripe, webhook_post, django_capture_on_commit_callbacks, settings
):
    """The card was charged before Stripe heard of the cancellation: refund, never sell."""
    from django.core import mail

    settings.EMAIL_LANGUAGE_CODE = "en"
    lottery = open_lottery(ticket_cap=10)
    buyer = UserFactory()
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    localstripe.pay(order.stripe_payment_intent_id)
    payload = localstripe.event_payload("payment_intent.succeeded", order.stripe_payment_intent_id)
    _suspend_by_staff(lottery, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = webhook_post(payload)

    assert response.status_code == 200 and response.content == b"refunded"
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert not Ticket.objects.filter(order=order, status=Ticket.Status.SOLD).exists()
    [refund] = localstripe.refunds(order.stripe_payment_intent_id)
    assert refund.amount == order.amount_cents
    assert order.events.get().note.startswith("Paid after its association was suspended")
    [message] = [m for m in mail.outbox if m.to == [buyer.email]]
    assert "suspended by the platform" in message.body


def test_a_pending_order_still_pending_at_payment_is_refused_when_suspended(
    localstripe, webhook_post, django_capture_on_commit_callbacks
):
    """Suspended without the service (no release): the confirmation itself refuses it."""
    lottery = open_lottery(ticket_cap=10)
    order = reserve_with_intent(lottery=lottery, buyer=UserFactory())
    localstripe.pay(order.stripe_payment_intent_id)
    payload = localstripe.event_payload("payment_intent.succeeded", order.stripe_payment_intent_id)
    _suspend(lottery)

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(payload).content == b"refunded"

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1
