"""Two admins refund the same order at the same moment: one refund, one history line, one email.

As in the cap rush, the race is first run with the order lock switched off (both
read the order as paid, both record a refund and email the buyer), then with it on.
"""

import contextlib
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from lottery import services
from lottery.models import Order, OrderEvent
from lottery.services import backoffice
from tests.concurrency import run_at_once
from tests.factories import UserFactory
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import manager_of, open_lottery

pytestmark = pytest.mark.django_db(transaction=True)


def _paid_online_order(localstripe):
    lottery = open_lottery()
    order = reserve_with_intent(lottery=lottery, buyer=UserFactory(), quantity=2)
    localstripe.pay(order.stripe_payment_intent_id)
    assert services.order_confirm_payment(
        order_id=order.pk, payment_intent_id=order.stripe_payment_intent_id
    )
    return lottery, order


def _refund_together(order, admins, monkeypatch):
    """Both admins refund; each waits (briefly) for the other once it has read the order."""
    barrier = threading.Barrier(len(admins))
    require_paid = backoffice._require_paid

    def paid_then_wait(order: Order) -> None:
        require_paid(order)
        # With the lock, the other admin is still waiting for it: go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)

    monkeypatch.setattr(backoffice, "_require_paid", paid_then_wait)
    results = run_at_once(
        admins, lambda admin: services.order_refund(order_id=order.pk, actor=admin), timeout=60
    )
    outcomes = ["refunded" if not isinstance(r, Exception) else r for _admin, r in results]
    return outcomes


def _without_lock(order_id):
    """The order read without a row lock: what the service would do without `order_lock`."""
    order = Order.objects.get(pk=order_id)
    return order.lottery, order


def test_without_the_order_lock_two_admins_both_record_a_refund(
    require_postgres, localstripe, monkeypatch
):
    lottery, order = _paid_online_order(localstripe)
    admins = [manager_of(lottery.association), manager_of(lottery.association)]
    monkeypatch.setattr(backoffice, "order_lock", _without_lock)

    outcomes = _refund_together(order, admins, monkeypatch)

    assert outcomes == ["refunded", "refunded"]  # the race is real
    assert OrderEvent.objects.filter(order=order).count() == 2
    # Stripe was asked once: payments.payment_refund locks the order itself.
    assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1


def test_with_the_order_lock_one_refund_one_event_one_email(
    require_postgres, localstripe, monkeypatch, settings
):
    settings.LOTTERY_LOCK_TIMEOUT_MS = 30_000  # the second admin waits out the first
    lottery, order = _paid_online_order(localstripe)
    admins = [manager_of(lottery.association), manager_of(lottery.association)]
    mail.outbox.clear()

    outcomes = _refund_together(order, admins, monkeypatch)

    assert outcomes.count("refunded") == 1
    [refused] = [o for o in outcomes if o != "refunded"]
    assert isinstance(refused, ValidationError) and refused.code == "not_paid"
    assert OrderEvent.objects.filter(order=order).count() == 1
    assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert len([m for m in mail.outbox if m.to == [order.buyer.email]]) == 1
