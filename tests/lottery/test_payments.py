"""PaymentIntents, refunds, and the checkout and confirmation pages, against localstripe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from post_office.models import Email

from lottery import payments, services
from lottery.models import Order, Ticket
from tests.factories import UserFactory
from tests.lottery.conftest import PUBLISHABLE_KEY, reserve_with_intent
from tests.lottery.factories import BundleFactory, LotteryFactory, PrizeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery():
    lottery = LotteryFactory(ticket_price_cents=200, ticket_cap=20)
    PrizeFactory(lottery=lottery)
    BundleFactory(lottery=lottery, quantity=5, price_cents=850)
    services.lottery_request_open(lottery=lottery, actor=None)
    lottery.refresh_from_db()
    return lottery


@pytest.fixture
def buyer():
    return UserFactory(display_name="Camille")


@pytest.fixture
def order(lottery, buyer):
    return services.order_reserve(lottery=lottery, buyer=buyer, quantity=5)


# --- PaymentIntents ------------------------------------------------------------------


def test_payment_intent_is_created_in_cents_with_the_order_in_its_metadata(localstripe, order):
    created = payments.payment_intent_create(order=order)

    order.refresh_from_db()
    intent = localstripe.payment_intent(order.stripe_payment_intent_id)
    assert intent.amount == 850  # the bundle of 5, not 5 × 2 €
    assert intent.currency == "eur"
    assert intent.metadata["order_id"] == str(order.pk)
    assert intent.metadata["lottery_id"] == str(order.lottery_id)
    assert created.client_secret == intent.client_secret
    assert created.status == "requires_payment_method" and not created.paid


def test_opening_the_checkout_again_reuses_the_payment_intent(localstripe, order):
    first = payments.payment_intent_create(order=order)
    order.refresh_from_db()
    second = payments.payment_intent_create(order=order)

    assert first.client_secret == second.client_secret
    assert len(localstripe.payment_intents()) == 1


def test_stripe_unreachable_raises_a_clear_error_and_keeps_the_order(stripe_down, order):
    with pytest.raises(payments.PaymentError, match="Aucun montant n.a été débité"):
        payments.payment_intent_create(order=order)

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert order.stripe_payment_intent_id is None
    assert order.tickets.filter(status=Ticket.Status.RESERVED).count() == 5


# --- Refunds -------------------------------------------------------------------------


def test_refund_is_made_once_however_often_it_is_asked(localstripe, lottery, buyer):
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    localstripe.pay(order.stripe_payment_intent_id)

    first = payments.payment_refund(order_id=order.pk)
    second = payments.payment_refund(order_id=order.pk)

    refunds = localstripe.refunds(order.stripe_payment_intent_id)
    assert [r.id for r in refunds] == [first.refund_id]
    assert refunds[0].amount == order.amount_cents
    assert first.created and not second.created
    assert second.refund_id == first.refund_id
    order.refresh_from_db()
    assert order.stripe_refund_id == first.refund_id


def test_refund_found_at_stripe_is_not_made_again(localstripe, lottery, buyer):
    """A crash after Stripe refunded but before we recorded it must not refund twice."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    localstripe.pay(order.stripe_payment_intent_id)
    earlier = localstripe.client.v1.refunds.create(
        params={"payment_intent": order.stripe_payment_intent_id},
        options=localstripe.on(order.stripe_account_id),
    )

    result = payments.payment_refund(order_id=order.pk)

    assert result.refund_id == earlier.id and not result.created
    assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1


# --- Checkout page -------------------------------------------------------------------


def test_checkout_shows_the_order_and_loads_stripe_js(client, localstripe, order, buyer):
    client.force_login(buyer)

    response = client.get(reverse("lottery:checkout", args=[order.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    order.refresh_from_db()
    assert "1, 2, 3, 4, 5" in html
    assert "8,50\u00a0€" in html
    assert f'<script src="{localstripe.js_url}"></script>' in html
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in html
    intent = localstripe.payment_intent(order.stripe_payment_intent_id)
    assert f'data-client-secret="{intent.client_secret}"' in html
    assert reverse("lottery:confirmation", args=[order.pk]) in html
    assert 'id="checkout-countdown"' in html


def test_checkout_of_someone_elses_order_is_not_found(client, localstripe, order):
    client.force_login(UserFactory())

    for name in ("checkout", "confirmation", "order_status"):
        assert client.get(reverse(f"lottery:{name}", args=[order.pk])).status_code == 404
    order.refresh_from_db()
    assert order.stripe_payment_intent_id is None


def test_checkout_asks_a_visitor_to_log_in(client, order):
    response = client.get(reverse("lottery:checkout", args=[order.pk]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_checkout_when_stripe_is_down_explains_and_offers_to_retry(
    client, stripe_down, order, buyer
):
    client.force_login(buyer)

    response = client.get(reverse("lottery:checkout", args=[order.pk]))

    assert response.status_code == 200
    assert response.context["payment_error"]
    html = response.content.decode()
    assert escape(response.context["payment_error"]) in html
    assert f'href="{reverse("lottery:checkout", args=[order.pk])}">' in html  # try again
    assert "js.stripe.com" not in html
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_checkout_without_stripe_keys_explains_instead_of_failing(client, settings, order, buyer):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(buyer)

    response = client.get(reverse("lottery:checkout", args=[order.pk]))

    assert response.status_code == 200
    assert response.context["payment_error"]
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_checkout_of_an_expired_hold_goes_to_the_confirmation_page(
    client, localstripe, order, buyer
):
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(buyer)

    response = client.get(reverse("lottery:checkout", args=[order.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("lottery:confirmation", args=[order.pk])
    assert localstripe.payment_intents() == []
    page = client.get(response["Location"])
    assert page.context["state"] == "expired"


def test_checkout_of_a_paid_order_goes_to_the_confirmation_page(
    client, localstripe, lottery, buyer
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    services.order_confirm_payment(
        order_id=order.pk, payment_intent_id=order.stripe_payment_intent_id
    )
    client.force_login(buyer)

    response = client.get(reverse("lottery:checkout", args=[order.pk]))

    assert response["Location"] == reverse("lottery:confirmation", args=[order.pk])


def test_checkout_after_paying_never_offers_to_pay_again(client, localstripe, lottery, buyer):
    """Paid at Stripe, webhook not there yet: reloading the checkout shows the confirmation."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    localstripe.pay(order.stripe_payment_intent_id)
    client.force_login(buyer)

    response = client.get(reverse("lottery:checkout", args=[order.pk]))

    assert response["Location"] == reverse("lottery:confirmation", args=[order.pk])
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING  # only the webhook sells the tickets


# --- Confirmation page and status ----------------------------------------------------


def test_confirmation_waits_for_the_webhook_then_lists_the_numbers(
    client, localstripe, lottery, buyer
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    client.force_login(buyer)
    url = reverse("lottery:confirmation", args=[order.pk])
    status_url = reverse("lottery:order_status", args=[order.pk])

    waiting = client.get(url)
    assert waiting.context["state"] == "confirming"
    html = waiting.content.decode()
    assert f'data-status-url="{status_url}"' in html
    assert f'href="{url}"' in html  # the refresh link, for browsers without JavaScript
    assert client.get(status_url).json() == {
        "state": "confirming",
        "status": "pending",
        "settled": False,
        "payable": True,
        "tickets": [],
    }

    services.order_confirm_payment(
        order_id=order.pk, payment_intent_id=order.stripe_payment_intent_id
    )

    assert client.get(status_url).json() == {
        "state": "paid",
        "status": "paid",
        "settled": True,
        "payable": False,
        "tickets": [1, 2],
    }
    paid = client.get(url)
    assert paid.context["state"] == "paid"
    html = paid.content.decode()
    assert '<li class="ticket-number">1</li>' in html
    assert '<li class="ticket-number">2</li>' in html
    assert "data-status-url" not in html


def test_confirmation_of_a_failed_payment_says_so(client, localstripe, order, buyer):
    services.order_release(order_id=order.pk, status=Order.Status.FAILED)
    client.force_login(buyer)

    response = client.get(reverse("lottery:confirmation", args=[order.pk]))

    assert response.context["state"] == "failed"
    assert '<li class="ticket-number">' not in response.content.decode()


# --- Emails --------------------------------------------------------------------------


def test_paid_email_lists_numbers_lottery_and_draw_date_in_french(
    localstripe, lottery, buyer, django_capture_on_commit_callbacks
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=5)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm_payment(
            order_id=order.pk, payment_intent_id=order.stripe_payment_intent_id
        )

    [message] = mail.outbox
    assert message.to == [buyer.email]
    assert lottery.title in message.subject
    assert "1\u20135" in message.body  # a range, not a list
    assert "8,50\u00a0€" in message.body  # French format, whatever the request was
    assert str(lottery.draw_at.astimezone(timezone.get_default_timezone()).year) in message.body


def test_paid_email_is_not_sent_for_an_unpaid_order(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.order_release(order_id=order.pk, status=Order.Status.FAILED)
    assert mail.outbox == []
    assert not Email.objects.exists()
