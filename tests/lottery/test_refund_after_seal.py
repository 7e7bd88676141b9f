"""A refund or a dispute after the seal never voids a sealed ticket silently."""

import pytest
from django.core import mail
from django.urls import reverse

from lottery import services
from lottery.models import Order, OrderEvent, Ticket
from tests.factories import StaffFactory, UserFactory, en
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import manager_of, open_lottery
from tests.lottery.test_webhooks import _event, _paid_event

pytestmark = pytest.mark.django_db


def _sealed_paid_order(localstripe, webhook_post, capture):
    lottery = open_lottery(ticket_cap=10, ticket_price_cents=300)
    order = reserve_with_intent(lottery=lottery, buyer=UserFactory(), quantity=2)
    with capture(execute=True):
        assert webhook_post(_paid_event(localstripe, order)).content == b"paid"
    services.lottery_close(lottery_id=lottery.pk)
    services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    assert lottery.ledger_sealed_at is not None
    order.refresh_from_db()
    return lottery, order


def test_a_dashboard_refund_after_the_seal_keeps_the_tickets_and_tells_everyone(
    localstripe, webhook_post, django_capture_on_commit_callbacks, client, settings
):
    settings.EMAIL_LANGUAGE_CODE = "en"
    lottery, order = _sealed_paid_order(
        localstripe, webhook_post, django_capture_on_commit_callbacks
    )
    staff = StaffFactory()
    manager = manager_of(lottery.association)
    refund = localstripe.client.v1.refunds.create(
        params={"payment_intent": order.stripe_payment_intent_id},
        options=localstripe.on(order.stripe_account_id),
    )
    charge = localstripe.payment_intent(order.stripe_payment_intent_id).latest_charge.to_dict()
    charge.update(
        refunded=True,
        amount_refunded=order.amount_cents,
        refunds={"object": "list", "data": [refund.to_dict()]},
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = webhook_post(_event("charge.refunded", charge, "evt_after_seal"))
        again = webhook_post(_event("charge.refunded", charge, "evt_after_seal_again"))

    assert response.status_code == 200 and again.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.refunded_cents == order.amount_cents
    assert order.refunded_after_seal_at is not None
    assert Ticket.objects.filter(order=order, status=Ticket.Status.SOLD).count() == 2
    [event] = OrderEvent.objects.filter(order=order)
    assert "after the seal" in event.note
    [message] = mail.outbox  # once, however often Stripe tells
    assert {staff.email, manager.email, lottery.association.contact_email} <= set(message.to)
    assert "sealed" in message.body
    page = client.get(en(reverse("lottery:draw_result", args=[lottery.slug])))
    assert 'data-test="refunded-after-seal"' in page.content.decode()


def test_a_dispute_after_the_seal_is_recorded_and_the_tickets_stay(
    localstripe, webhook_post, django_capture_on_commit_callbacks, client
):
    lottery, order = _sealed_paid_order(
        localstripe, webhook_post, django_capture_on_commit_callbacks
    )
    dispute = {
        "id": "dp_after_seal",
        "object": "dispute",
        "amount": order.amount_cents,
        "payment_intent": order.stripe_payment_intent_id,
        "charge": "ch_x",
        "status": "needs_response",
    }
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = webhook_post(_event("charge.dispute.created", dispute, "evt_dispute"))

    assert response.content == b"kept sealed"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.refunded_cents == 0
    assert order.refunded_after_seal_at is not None
    assert Ticket.objects.filter(order=order, status=Ticket.Status.SOLD).count() == 2
    assert len(mail.outbox) == 1
    page = client.get(en(reverse("lottery:draw_result", args=[lottery.slug])))
    assert 'data-test="refunded-after-seal"' in page.content.decode()


def test_before_the_seal_a_refund_still_voids_the_tickets(
    localstripe, webhook_post, django_capture_on_commit_callbacks, client
):
    lottery = open_lottery(ticket_cap=10, ticket_price_cents=300)
    order = reserve_with_intent(lottery=lottery, buyer=UserFactory(), quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(_paid_event(localstripe, order))
    charge = localstripe.payment_intent(order.stripe_payment_intent_id).latest_charge.to_dict()
    charge.update(refunded=True, refunds={"object": "list", "data": []})

    webhook_post(_event("charge.refunded", charge, "evt_before_seal"))

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.refunded_after_seal_at is None
    assert Ticket.objects.filter(order=order, status=Ticket.Status.VOID).count() == 2
