"""Reconciliation with Stripe (lost webhooks) and the refunds of a cancelled lottery."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assosolos.emails import emails_send_queued
from lottery import payments, services, tasks
from lottery.models import Lottery, Order, StripeEvent, Ticket
from tests.factories import UserFactory
from tests.lottery.conftest import CARD_DECLINED, reserve_with_intent
from tests.lottery.factories import open_lottery

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery():
    return open_lottery(ticket_cap=10, ticket_price_cents=250)


@pytest.fixture
def buyer():
    return UserFactory()


def _age(order, minutes: int = 2) -> None:
    """Make the order as old as the reconciliation waits for."""
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def _sold(order) -> list[int]:
    return list(
        Ticket.objects.filter(order=order, status=Ticket.Status.SOLD)
        .order_by("number")
        .values_list("number", flat=True)
    )


# --- Lost webhooks -------------------------------------------------------------------


def test_a_lost_webhook_is_recovered_by_reconciliation(
    localstripe, lottery, buyer, django_capture_on_commit_callbacks
):
    """The payment really succeeded on Stripe, no webhook ever came: the task sells the tickets."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=3)
    assert localstripe.pay(order.stripe_payment_intent_id)["status"] == "succeeded"
    _age(order)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = tasks.payments_reconcile()

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert _sold(order) == [1, 2, 3]
    assert outcome["paid"] >= 1
    [message] = mail.outbox
    assert "1–3" in message.body


def test_reconciliation_twice_changes_nothing_more(
    localstripe, lottery, buyer, django_capture_on_commit_callbacks
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    localstripe.pay(order.stripe_payment_intent_id)
    _age(order)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.payments_reconcile()
        tasks.payments_reconcile()

    assert _sold(order) == [1, 2]
    assert len(mail.outbox) == 1
    assert localstripe.refunds(order.stripe_payment_intent_id) == []


def test_a_buyer_still_paying_is_left_alone(localstripe, lottery, buyer):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    _age(order)

    assert payments.payment_reconcile(order=order) == "waiting"

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).count() == 2


def test_only_orders_older_than_a_minute_are_asked_about(localstripe, lottery, buyer):
    """A buyer who has just reached the checkout page is not reconciled yet."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    localstripe.cancel(order.stripe_payment_intent_id)

    tasks.payments_reconcile()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING

    _age(order)
    tasks.payments_reconcile()
    order.refresh_from_db()
    assert order.status == Order.Status.FAILED


def test_a_canceled_payment_releases_the_reservation_a_declined_one_keeps_it(
    localstripe, lottery, buyer
):
    canceled = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    declined = reserve_with_intent(lottery=lottery, buyer=UserFactory(), quantity=2)
    localstripe.cancel(canceled.stripe_payment_intent_id)
    localstripe.pay(declined.stripe_payment_intent_id, card=CARD_DECLINED)
    _age(canceled)
    _age(declined)

    outcome = tasks.payments_reconcile()

    assert outcome["released"] == 1
    canceled.refresh_from_db()
    assert canceled.status == Order.Status.FAILED
    # The buyer may still pay with another card until the hold expires.
    declined.refresh_from_db()
    assert declined.status == Order.Status.PENDING
    assert Ticket.objects.filter(order=declined, status=Ticket.Status.RESERVED).count() == 2
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.AVAILABLE).count() == 8


def test_a_payment_after_expiry_with_a_lost_webhook_is_served(localstripe, lottery, buyer):
    """The hold expired, then the payment succeeded and its webhook was lost."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    services.reservations_expire(now=timezone.now() + timedelta(hours=1))
    localstripe.pay(order.stripe_payment_intent_id)

    tasks.payments_reconcile()

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(_sold(order)) == 2
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").count() == 1


def test_a_payment_after_expiry_when_sold_out_is_refunded(
    localstripe, buyer, django_capture_on_commit_callbacks
):
    lottery = open_lottery(ticket_cap=2, ticket_price_cents=250)
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    services.reservations_expire(now=timezone.now() + timedelta(hours=1))
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    localstripe.pay(order.stripe_payment_intent_id)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.payments_reconcile()
        tasks.payments_reconcile()

    order.refresh_from_db()
    [refund] = localstripe.refunds(order.stripe_payment_intent_id)
    assert refund.amount == 500
    assert order.status == Order.Status.REFUNDED
    assert _sold(order) == []
    assert [m.to for m in mail.outbox] == [[buyer.email]]


def test_reconciliation_survives_stripe_being_down(stripe_down, lottery, buyer):
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=1)
    Order.objects.filter(pk=order.pk).update(stripe_payment_intent_id="pi_unreachable")
    _age(order)

    outcome = tasks.payments_reconcile()

    assert outcome["unreachable"] >= 1
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


# --- Cancellation refunds ------------------------------------------------------------


def _paid_online(localstripe, lottery, buyer, quantity=1) -> Order:
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=quantity)
    localstripe.pay(order.stripe_payment_intent_id)
    assert services.order_confirm_payment(
        order_id=order.pk, payment_intent_id=order.stripe_payment_intent_id
    )
    return order


def test_cancellation_refunds_each_order_once_even_when_run_twice(
    localstripe, lottery, django_capture_on_commit_callbacks
):
    alice, bob = UserFactory(), UserFactory()
    online = [_paid_online(localstripe, lottery, alice, 2), _paid_online(localstripe, lottery, bob)]
    cash = services.order_record_offline(
        lottery=lottery,
        actor=None,
        channel=Order.Channel.CASH,
        quantity=1,
        receipt_number="R-12",
        buyer_name="Céline",
        buyer_email="celine@example.org",
    )
    pending = reserve_with_intent(lottery=lottery, buyer=UserFactory())
    emails_send_queued()  # the tickets emails
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.lottery_cancel(lottery=lottery, actor=None)  # queues the first run
        tasks.lottery_refunds_run(lottery.pk)  # a retry of the same task
        tasks.payments_reconcile()

    for order in online:
        order.refresh_from_db()
        [refund] = localstripe.refunds(order.stripe_payment_intent_id)
        assert refund.amount == order.amount_cents
        assert order.status == Order.Status.REFUNDED
        assert order.stripe_refund_id == refund.id
    cash.refresh_from_db()
    assert cash.status == Order.Status.REFUNDED and not cash.stripe_refund_id
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.SOLD).count() == 0
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.VOID).count() == 4
    pending.refresh_from_db()
    assert pending.status == Order.Status.EXPIRED  # released, never paid: nothing to refund
    emails = Counter(address for message in mail.outbox for address in message.to)
    assert emails == {alice.email: 1, bob.email: 1, "celine@example.org": 1}
    [cash_email] = [m for m in mail.outbox if m.to == ["celine@example.org"]]
    assert lottery.association.contact_email in cash_email.body  # reimbursed by hand


def test_cancellation_refunds_left_by_an_outage_are_retried(
    localstripe, lottery, buyer, settings, django_capture_on_commit_callbacks
):
    order = _paid_online(localstripe, lottery, buyer)
    emails_send_queued()  # the tickets email
    mail.outbox.clear()
    live_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    with django_capture_on_commit_callbacks(execute=True):
        services.lottery_cancel(lottery=lottery, actor=None)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Lottery.objects.get(pk=lottery.pk).status == Lottery.Status.CANCELLED

    settings.STRIPE_API_BASE = live_base
    with django_capture_on_commit_callbacks(execute=True):
        tasks.payments_reconcile()

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1
    assert [m.to for m in mail.outbox] == [[buyer.email]]


def test_refunds_run_does_nothing_for_a_lottery_that_is_not_cancelled(localstripe, lottery, buyer):
    order = _paid_online(localstripe, lottery, buyer)

    assert tasks.lottery_refunds_run(lottery.pk) == {
        "refunded": 0,
        "by_hand": 0,
        "failed": 0,
        "blocked": 0,
    }

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert localstripe.refunds(order.stripe_payment_intent_id) == []


def test_reconciliation_runs_every_minute():
    from django_q.models import Schedule

    tasks.schedules_ensure()

    schedule = Schedule.objects.get(func="lottery.tasks.payments_reconcile")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_reconciliation_without_stripe_configured_does_nothing_quietly(settings, caplog):
    settings.STRIPE_SECRET_KEY = ""
    assert tasks.payments_reconcile() == {"not_configured": 1}
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
