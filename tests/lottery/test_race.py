"""No lottery ever sells more tickets than its cap, whatever the concurrency.

Like pretix's concurrency tests, the rush is first run with the protection
switched off, to prove the race is real, then with it on, to prove it holds.
PostgreSQL runs the service-level rush (max_connections is 100, so 100 buyers
share at most 40 threads, each closing its connection); any database runs the
same rush through the HTTP buy view.
"""

import pytest
from django.test import Client
from django.urls import reverse
from post_office.models import Email

from lottery import services
from lottery.models import Order, Ticket
from lottery.services import reservations
from tests.concurrency import run_at_once
from tests.factories import UserFactory
from tests.lottery.factories import open_lottery

BUYERS = 100
THREADS = 40
CAP = 50
LEFT = 10

pytestmark = pytest.mark.django_db(transaction=True)


def _lottery_with_last_tickets(**kwargs):
    """A lottery whose tickets are all sold but the last LEFT."""
    lottery = open_lottery(ticket_cap=CAP, **kwargs)
    services.order_record_offline(
        lottery=lottery,
        actor=None,
        channel=Order.Channel.CASH,
        quantity=CAP - LEFT,
        receipt_number="R-0001",
    )
    return lottery


def _run_in_threads(jobs, work):
    """Run `work(job)` for every job over THREADS threads started together."""
    return run_at_once(jobs, work, threads=THREADS)


def _reserve_rush(lottery, buyers):
    return _run_in_threads(
        buyers, lambda buyer: services.order_reserve(lottery=lottery, buyer=buyer, quantity=1)
    )


def _claimed(lottery) -> int:
    """Tickets that orders believe they hold: more than exist is an oversell."""
    return sum(
        Order.objects.filter(
            lottery=lottery, status__in=(Order.Status.PENDING, Order.Status.PAID)
        ).values_list("quantity", flat=True)
    )


# Both executors on PostgreSQL: the switch turns off the locks only, not the executor.
EXECUTORS = pytest.mark.parametrize("executor", ["statement", "orm"])


@EXECUTORS
def test_without_locking_the_rush_oversells(require_postgres, monkeypatch, executor):
    monkeypatch.setattr(reservations, "RESERVATION_EXECUTOR", executor)
    monkeypatch.setattr(reservations, "RESERVATION_LOCKING", False)
    lottery = _lottery_with_last_tickets()
    buyers = [UserFactory() for _ in range(BUYERS)]

    outcomes = _reserve_rush(lottery, buyers)

    winners = [r for _b, r in outcomes if isinstance(r, Order)]
    assert len(winners) > LEFT, "no oversell without the lock: the race is not shown"
    assert _claimed(lottery) > CAP


@EXECUTORS
def test_with_locking_exactly_the_last_tickets_are_reserved(
    require_postgres, monkeypatch, executor
):
    monkeypatch.setattr(reservations, "RESERVATION_EXECUTOR", executor)
    assert reservations.RESERVATION_LOCKING is True
    lottery = _lottery_with_last_tickets()
    buyers = [UserFactory() for _ in range(BUYERS)]

    outcomes = _reserve_rush(lottery, buyers)

    winners = [r for _b, r in outcomes if isinstance(r, Order)]
    others = [r for _b, r in outcomes if not isinstance(r, Order)]
    assert len(winners) == LEFT
    assert all(isinstance(r, services.SoldOut) for r in others), {type(r) for r in others}
    assert len(others) == BUYERS - LEFT
    assert _claimed(lottery) == CAP
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.AVAILABLE).count() == 0
    held = Ticket.objects.filter(lottery=lottery, status=Ticket.Status.RESERVED)
    assert sorted(held.values_list("number", flat=True)) == list(range(CAP - LEFT + 1, CAP + 1))
    assert set(held.values_list("order_id", flat=True)) == {o.pk for o in winners}


def test_one_buyer_in_many_tabs_holds_one_order_within_the_per_person_cap(require_postgres):
    """30 tabs of one buyer asking for 1 to 5 tickets: one pending order is left, within the cap."""
    lottery = open_lottery(ticket_cap=CAP, per_person_cap=3)
    buyer = UserFactory()

    outcomes = _run_in_threads(
        [1 + n % 5 for n in range(30)],
        lambda quantity: services.order_reserve(lottery=lottery, buyer=buyer, quantity=quantity),
    )

    refused = [(q, r) for q, r in outcomes if not isinstance(r, Order)]
    assert sorted({q for q, _r in refused}) == [4, 5]
    assert all(isinstance(r, services.PerPersonCapReached) for _q, r in refused)
    pending = Order.objects.get(lottery=lottery, buyer=buyer, status=Order.Status.PENDING)
    assert pending.quantity <= 3
    held = Ticket.objects.filter(lottery=lottery, status=Ticket.Status.RESERVED)
    assert set(held.values_list("order_id", flat=True)) == {pending.pk}
    assert held.count() == pending.quantity


def test_http_rush_never_oversells_nor_fails():
    lottery = _lottery_with_last_tickets()
    buy_url = reverse("lottery:buy", args=[lottery.slug])
    clients = []
    for _ in range(BUYERS):
        client = Client(raise_request_exception=False)
        client.force_login(UserFactory())
        clients.append(client)

    outcomes = _run_in_threads(clients, lambda c: c.post(buy_url, {"quantity": "1"}))

    statuses = [getattr(r, "status_code", r) for _c, r in outcomes]
    assert all(s == 302 for s in statuses), statuses
    to_checkout = [r for _c, r in outcomes if "/paiement/" in r["Location"]]
    assert len(to_checkout) == LEFT
    assert _claimed(lottery) == CAP
    assert Order.objects.filter(lottery=lottery, status=Order.Status.PENDING).count() == LEFT


def test_concurrent_duplicate_confirms_sell_once_and_email_once(require_postgres):
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=3)
    # The hold has expired and been released: every confirm races to re-reserve.
    services.order_release(order_id=order.pk, status=Order.Status.EXPIRED)

    outcomes = _run_in_threads(
        list(range(20)),
        lambda _n: services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_dup"),
    )

    assert [r for _n, r in outcomes] == [True] * 20
    assert list(Email.objects.values_list("to", flat=True)) == [[order.buyer.email]]
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.SOLD).count() == 3
    assert Ticket.objects.filter(lottery=lottery).exclude(status="available").count() == 3
