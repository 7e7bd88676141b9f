"""One pending order per buyer and lottery, a cap on unpaid tickets, cancelling an order.

An order given up (replaced, cancelled by its buyer, expired) has its PaymentIntent
cancelled at localstripe after commit, so a page left open can no longer charge
the card. These run on SQLite and, with DATABASE_URL set, on PostgreSQL, where the
reservation is one statement.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lottery import payments, services
from lottery.models import Order, Ticket
from tests.factories import UserFactory
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import open_lottery

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery():
    return open_lottery(ticket_cap=30, ticket_price_cents=200)


@pytest.fixture
def buyer():
    return UserFactory()


def _numbers(order) -> list[int]:
    return sorted(
        Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED).values_list(
            "number", flat=True
        )
    )


def _pending(lottery, buyer):
    return Order.objects.filter(lottery=lottery, buyer=buyer, status=Order.Status.PENDING)


# --- One pending order per buyer and lottery -----------------------------------------


def test_buying_the_same_quantity_again_resumes_the_pending_order(lottery, buyer):
    first = services.order_reserve(lottery=lottery, buyer=buyer, quantity=3)

    again = services.order_reserve(lottery=lottery, buyer=buyer, quantity=3)

    assert again.pk == first.pk
    assert again.expires_at == first.expires_at
    assert _numbers(again) == [1, 2, 3]
    assert _pending(lottery, buyer).count() == 1
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.RESERVED).count() == 3


def test_buying_another_quantity_replaces_the_pending_order_without_renewing_the_hold(
    lottery, buyer
):
    first = services.order_reserve(lottery=lottery, buyer=buyer, quantity=3)
    # Ten minutes later the buyer goes back and asks for five.
    deadline = timezone.now() + timedelta(minutes=5)
    Order.objects.filter(pk=first.pk).update(expires_at=deadline)

    second = services.order_reserve(lottery=lottery, buyer=buyer, quantity=5)

    first.refresh_from_db()
    assert first.status == Order.Status.CANCELLED
    assert _numbers(first) == []
    assert list(_pending(lottery, buyer)) == [second]
    assert second.quantity == 5 and second.amount_cents == 1000
    assert len(_numbers(second)) == 5
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.RESERVED).count() == 5
    # Replacing a hold keeps its deadline: holds cannot be renewed this way.
    second.refresh_from_db()
    assert second.expires_at == deadline


def test_three_abandoned_checkouts_hold_only_the_last_one(lottery, buyer):
    for quantity in (5, 4, 5):
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=quantity)

    assert _pending(lottery, buyer).count() == 1
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.RESERVED).count() == 5


def test_a_replaced_order_does_not_count_against_the_per_person_cap(buyer):
    lottery = open_lottery(ticket_cap=30, per_person_cap=5)
    services.order_reserve(lottery=lottery, buyer=buyer, quantity=4)

    replacement = services.order_reserve(lottery=lottery, buyer=buyer, quantity=5)

    assert replacement.quantity == 5
    with pytest.raises(services.PerPersonCapReached):
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=6)
    assert list(_pending(lottery, buyer)) == [replacement]


def test_a_refused_replacement_keeps_the_pending_order(buyer):
    lottery = open_lottery(ticket_cap=6)
    first = services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=3)

    with pytest.raises(services.SoldOut):
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=4)

    first.refresh_from_db()
    assert first.status == Order.Status.PENDING
    assert _numbers(first) == [1, 2]


# --- The unpaid tickets one account holds are capped --------------------------------


def test_one_account_cannot_hold_a_lottery_whole_stock(settings, lottery, buyer):
    settings.LOTTERY_MAX_HELD_TICKETS = 10

    with pytest.raises(services.HeldTicketsCapReached) as refused:
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=11)

    assert "10" in refused.value.messages[0]
    services.order_reserve(lottery=lottery, buyer=buyer, quantity=10)
    # Asking again, for any number, never holds more than the cap.
    for quantity in (9, 10, 8):
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=quantity)
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.RESERVED).count() == 8


def test_the_cap_counts_unpaid_tickets_in_every_lottery(settings, lottery, buyer):
    settings.LOTTERY_MAX_HELD_TICKETS = 6
    other = open_lottery(ticket_cap=30)
    services.order_reserve(lottery=other, buyer=buyer, quantity=4)

    with pytest.raises(services.HeldTicketsCapReached) as refused:
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=3)

    assert "4" in refused.value.messages[0]
    assert not _pending(lottery, buyer).exists()
    services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    # Paid tickets are not held: once paid for, the buyer may hold more.
    held = _pending(other, buyer).get()
    services.order_confirm_payment(order_id=held.pk, payment_intent_id="pi_paid")
    services.order_reserve(lottery=lottery, buyer=buyer, quantity=6)


def test_the_buy_form_shows_the_cap_refusal(client, settings, lottery, buyer):
    settings.LOTTERY_MAX_HELD_TICKETS = 4
    client.force_login(buyer)

    response = client.post(
        reverse("lottery:buy", args=[lottery.slug]), {"quantity": "5"}, follow=True
    )

    assert response.status_code == 200
    assert not Order.objects.filter(buyer=buyer).exists()
    assert any("4" in str(m) for m in response.context["messages"])


def test_accounts_reserving_from_one_address_cannot_hold_the_whole_stock(client, settings, lottery):
    """Fifteen accounts behind one address: together they hold at most the address cap."""
    settings.LOTTERY_MAX_HELD_TICKETS_PER_ADDRESS = 6
    buy = reverse("lottery:buy", args=[lottery.slug])
    accounts = [UserFactory() for _ in range(15)]

    for account in accounts:
        client.force_login(account)
        response = client.post(buy, {"quantity": "2"}, follow=True, REMOTE_ADDR="198.51.100.9")
        assert response.status_code == 200

    held = Order.objects.filter(lottery=lottery, status=Order.Status.PENDING)
    assert sum(held.values_list("quantity", flat=True)) == 6
    assert set(held.values_list("client_address", flat=True)) == {"198.51.100.9"}
    # The refusal says why, with the cap.
    assert any("6" in str(m) for m in response.context["messages"])
    # Another address is not held back by this one.
    client.force_login(UserFactory())
    client.post(buy, {"quantity": "2"}, REMOTE_ADDR="203.0.113.20")
    assert held.count() == 4


# --- The buyer cancels a pending order -----------------------------------------------


def test_the_buyer_cancels_a_pending_order_and_its_payment_intent_is_cancelled(
    client, localstripe, lottery, buyer, django_capture_on_commit_callbacks
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=3)
    client.force_login(buyer)
    page = client.get(reverse("lottery:checkout", args=[order.pk]))
    assert reverse("lottery:order_cancel", args=[order.pk]) in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lottery:order_cancel", args=[order.pk]))

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.AVAILABLE).count() == 30
    assert localstripe.payment_intent(order.stripe_payment_intent_id).status == "canceled"
    # The page left open can no longer charge the card.
    attempt = localstripe.pay(order.stripe_payment_intent_id, refused=True)
    assert "error" in attempt
    status = client.get(reverse("lottery:order_status", args=[order.pk])).json()
    assert status["state"] == "cancelled" and status["settled"] is True


def test_nobody_else_can_cancel_an_order(client, lottery, buyer):
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    client.force_login(UserFactory())

    response = client.post(reverse("lottery:order_cancel", args=[order.pk]))

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_cancelling_a_paid_order_changes_nothing(client, lottery, buyer):
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_paid")
    client.force_login(buyer)

    response = client.post(reverse("lottery:order_cancel", args=[order.pk]))

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Ticket.objects.filter(order=order, status=Ticket.Status.SOLD).count() == 2


def test_a_payment_for_a_cancelled_order_is_refunded(
    localstripe, lottery, buyer, django_capture_on_commit_callbacks
):
    """Paid at the very moment it was cancelled: the buyer gave it up, so no tickets."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    localstripe.pay(order.stripe_payment_intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(order_id=order.pk, actor=buyer)
    # Stripe does not cancel a PaymentIntent already paid.
    assert localstripe.payment_intent(order.stripe_payment_intent_id).status == "succeeded"

    intent = localstripe.payment_intent(order.stripe_payment_intent_id).to_dict()
    assert payments.payment_success_apply(intent=intent) == "refunded"

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1
    assert not Ticket.objects.filter(lottery=lottery).exclude(status="available").exists()


# --- PaymentIntents of orders given up are cancelled at Stripe -----------------------


def test_a_replaced_order_has_its_payment_intent_cancelled(
    localstripe, lottery, buyer, django_capture_on_commit_callbacks
):
    old = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=4)

    assert localstripe.payment_intent(old.stripe_payment_intent_id).status == "canceled"
    assert "error" in localstripe.pay(old.stripe_payment_intent_id, refused=True)


def test_an_expired_order_has_its_payment_intent_cancelled(
    localstripe, lottery, buyer, django_capture_on_commit_callbacks
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reservations_expire() == 1

    assert localstripe.payment_intent(order.stripe_payment_intent_id).status == "canceled"
    assert "error" in localstripe.pay(order.stripe_payment_intent_id, refused=True)
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED


def test_cancelling_the_payment_intent_is_idempotent_and_spares_pending_orders(
    localstripe, lottery, buyer
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    assert payments.payment_intent_cancel(order_id=order.pk) == "kept"
    assert localstripe.payment_intent(order.stripe_payment_intent_id).status != "canceled"

    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)

    assert payments.payment_intent_cancel(order_id=order.pk) == "canceled"
    assert payments.payment_intent_cancel(order_id=order.pk) == "canceled"
