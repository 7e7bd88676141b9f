"""Cancelling a lottery while its payment webhooks arrive: no deadlock, nothing left open.

The reported case: an association cancels a lottery at the moment twelve buyers'
payments succeed. Each webhook is the real event localstripe generated for the
payment, signed with the real secret and posted to the webhook view from its own
thread and database connection, while another thread cancels.

The order services lock the lottery row, then the order (`lottery.locking`); the
cancellation locks the lottery row, then the pending orders. The test first puts
back the order-first locking the services used before, and shows the deadlock it
causes; then it shows the lock order prevents it, six times in a row. Each
webhook holds its locks a moment (`PAUSE`), so that the cancellation reliably
arrives while webhooks are inside their transactions: the cancellation starts as
soon as one webhook holds its locks.
"""

import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from lottery import locking, services
from lottery.models import Lottery, Order, Ticket
from lottery.services import orders as order_services
from tests.factories import UserFactory
from tests.lottery.conftest import CONNECT_WEBHOOK_SECRET, reserve_with_intent, stripe_signature
from tests.lottery.factories import open_lottery

pytestmark = pytest.mark.django_db(transaction=True)

WEBHOOKS = 12
ROUNDS = 3  # each round overlaps (the cancellation waits for a webhook inside)
PAUSE = 0.25
# Set by a webhook once it holds its locks: the cancellation then starts.
_webhook_inside = threading.Event()


@pytest.fixture
def tasks_inline(monkeypatch):
    """Run each task queued after commit at once, in the thread that queued it.

    What django-q's sync mode does, without its second of bookkeeping per task
    (hundreds of tasks here). Returns the tasks that raised.
    """
    failures = []

    def run(func_path, *args):
        try:
            import_string(func_path)(*args)
        except Exception as exc:  # noqa: BLE001 - collected and checked by the test
            failures.append((func_path, args, exc))

    # Tasks after commit go through `assosolos.effects`, which imports django-q2's
    # `async_task` when it queues one.
    monkeypatch.setattr("django_q.tasks.async_task", run)
    return failures


def _order_first_lock(order_id, **_kwargs):
    """The old locking: the order row first, the lottery row after it."""
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        return None
    _webhook_inside.set()
    time.sleep(PAUSE)
    lottery, _orders = locking.money_path_lock(lottery_id=order.lottery_id, lottery_shared=True)
    return lottery, order


def _helper_lock(order_id, **kwargs):
    """The helper's locking (lottery, then order), holding the locks as long."""
    locked = locking.order_lock(order_id, **kwargs)
    _webhook_inside.set()
    time.sleep(PAUSE)
    return locked


def _paid_with_events(lottery, localstripe):
    """WEBHOOKS pending orders paid at localstripe, with the event each payment produced."""
    paid = []
    for _ in range(WEBHOOKS):
        order = reserve_with_intent(lottery=lottery, buyer=UserFactory(), quantity=1)
        intent = localstripe.pay(order.stripe_payment_intent_id)
        assert intent["status"] == "succeeded", intent
        payload = localstripe.event_payload(
            "payment_intent.succeeded", order.stripe_payment_intent_id
        )
        paid.append((order, payload))
    return paid


def _cancel_while_webhooks_arrive(lottery, paid):
    """Post every webhook and cancel the lottery at once; each outcome, in job order."""
    # The payments are on the association's account: Stripe posts them to the Connect endpoint.
    url = reverse("lottery:stripe_connect_webhook")
    jobs = ["cancel", *(payload for _order, payload in paid)]
    outcomes = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))
    _webhook_inside.clear()

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            if job == "cancel":
                assert _webhook_inside.wait(timeout=30), "no webhook ever took its locks"
                services.lottery_cancel(lottery=lottery, actor=None, note="race")
                outcomes[index] = "cancelled"
            else:
                outcomes[index] = Client(raise_request_exception=False).post(
                    url,
                    data=job,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=stripe_signature(job, secret=CONNECT_WEBHOOK_SECRET),
                )
        except Exception as exc:  # noqa: BLE001 - every outcome is checked
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return outcomes[0], outcomes[1:]


def _errors(cancel_outcome, responses) -> list[str]:
    """What went wrong: the cancellation's exception, the webhooks' server errors."""
    errors = [] if cancel_outcome == "cancelled" else [repr(cancel_outcome)]
    for response in responses:
        if isinstance(response, Exception):
            errors.append(repr(response))
        elif response.status_code != 200:
            exc = response.exc_info[1] if response.exc_info else None
            errors.append(f"{response.status_code}: {exc!r}")
    return errors


def test_with_order_first_locking_cancel_and_webhooks_deadlock(
    require_postgres, localstripe, monkeypatch, tasks_inline
):
    monkeypatch.setattr(order_services, "order_lock", _order_first_lock)
    lottery = open_lottery(ticket_cap=50)
    paid = _paid_with_events(lottery, localstripe)

    cancel_outcome, responses = _cancel_while_webhooks_arrive(lottery, paid)

    errors = _errors(cancel_outcome, responses)
    assert any("deadlock detected" in error for error in errors), errors
    lottery.refresh_from_db()
    left_open = lottery.status == Lottery.Status.OPEN
    server_errors = [r for r in responses if getattr(r, "status_code", 500) == 500]
    assert left_open or server_errors


def test_cancel_while_twelve_webhooks_arrive_neither_deadlocks_nor_stays_open(
    require_postgres, localstripe, monkeypatch, tasks_inline
):
    monkeypatch.setattr(order_services, "order_lock", _helper_lock)
    for attempt in range(ROUNDS):
        localstripe.reset()
        lottery = open_lottery(ticket_cap=50)
        paid = _paid_with_events(lottery, localstripe)

        cancel_outcome, responses = _cancel_while_webhooks_arrive(lottery, paid)

        assert _errors(cancel_outcome, responses) == [], attempt
        outcomes = {r.content for r in responses}
        assert outcomes <= {b"paid", b"refunded"}, (attempt, outcomes)
        lottery.refresh_from_db()
        assert lottery.status == Lottery.Status.CANCELLED, attempt
        # Paid before the cancellation or after it, every payment is refunded exactly once.
        for order, _payload in paid:
            order.refresh_from_db()
            assert order.status == Order.Status.REFUNDED, (attempt, order.pk, order.status)
            assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1, attempt
        assert not Ticket.objects.filter(
            lottery=lottery, status__in=(Ticket.Status.RESERVED, Ticket.Status.SOLD)
        ).exists(), attempt
    assert tasks_inline == []
