"""A participant buys a bundle in Chromium and pays through localstripe's Stripe.js.

Nothing is short-cut: the buy form reserves the numbers, the checkout page pays with
the card typed in the (fake) Stripe Element, localstripe signs a real webhook and
sends it to the live server, and the confirmation page shows the numbers once that
webhook has sold the tickets.
"""

import re
import time

import pytest
from django.urls import reverse

from cms.demo import demo_site_create
from cms.models import HomePage
from lottery import services
from lottery.models import LotteryIndexPage, Order, StripeEvent, Ticket
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.lottery.conftest import CARD_DECLINED, CARD_OK
from tests.lottery.factories import BundleFactory, LotteryFactory, PrizeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lottery_on_the_site():
    demo_site_create(log=lambda message: None)
    home = HomePage.objects.get(locale__language_code="fr")  # not its English translation
    index = home.add_child(instance=LotteryIndexPage(title="Loteries", slug="nos-loteries"))
    lottery = LotteryFactory(title="Tombola des ateliers", ticket_price_cents=200, ticket_cap=50)
    PrizeFactory(lottery=lottery, name="Six mois d'ateliers LinkedIn")
    BundleFactory(lottery=lottery, quantity=5, price_cents=800)
    services.lottery_request_open(lottery=lottery, actor=None)
    return index, lottery


def _type_card(page, number: str, *, year: str = "34") -> None:
    """Type a card into localstripe's stand-in for the Stripe card Element."""
    card = page.locator("#card-element")
    card.locator("input[name=number]").fill(number)
    card.locator("input[name=exp_month]").fill("12")
    card.locator("input[name=exp_year]").fill(year)
    card.locator("input[name=cvc]").fill("123")
    card.locator("input[name=postal_code]").fill("69001")


def test_participant_buys_a_bundle_and_sees_the_ticket_numbers(
    browser_page, live_server, localstripe, artifacts_dir
):
    localstripe.webhooks_to(live_server.url + reverse("lottery:stripe_webhook"))
    index, lottery = _lottery_on_the_site()
    buyer = UserFactory(email="camille@example.org", display_name="Camille")
    page = browser_page

    page.goto("/accounts/login/")
    page.fill("input[name=login]", buyer.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))

    page.goto(index.url + lottery.slug + "/")
    assert page.get_by_role("heading", name=lottery.title).first.is_visible()
    page.locator("form:has(input[name=quantity][value='5']) button[type=submit]").click()

    page.wait_for_url(re.compile(r"/loteries/commande/\d+/paiement/$"))
    order = Order.objects.get(buyer=buyer)
    assert order.quantity == 5 and order.amount_cents == 800
    assert "8\u00a0€" in page.locator("#main").inner_text()
    _type_card(page, CARD_OK)
    page.screenshot(path=str(artifacts_dir / "lottery-checkout.png"), full_page=True)
    page.locator("#pay-button").click()

    page.wait_for_url(re.compile(rf"/loteries/commande/{order.pk}/confirmation/$"))
    # The page polls until localstripe's signed webhook has sold the tickets.
    numbers = page.locator("li.ticket-number")
    numbers.first.wait_for(timeout=30_000)
    assert numbers.all_inner_texts() == ["1", "2", "3", "4", "5"]
    page.screenshot(path=str(artifacts_dir / "lottery-confirmation.png"), full_page=True)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Ticket.objects.filter(order=order, status=Ticket.Status.SOLD).count() == 5
    # Sold by the signed webhook localstripe sent for this payment (the shared fake
    # server may also deliver late events of earlier tests; they match no order).
    delivered = StripeEvent.objects.filter(type="payment_intent.succeeded")
    paid_by = [event.payload["data"]["object"]["id"] for event in delivered]
    assert order.stripe_payment_intent_id in paid_by


def test_a_declined_card_can_be_replaced_by_another(
    browser_page, live_server, localstripe, artifacts_dir
):
    """Declined, then paid with another card on the same page: the same numbers, no refund.

    The decline's signed webhook arrives while the buyer types the second card; it
    must not release the numbers, and the page must never say nothing was charged.
    """
    localstripe.webhooks_to(live_server.url + reverse("lottery:stripe_webhook"))
    _index, lottery = _lottery_on_the_site()
    buyer = UserFactory()
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("input[name=login]", buyer.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))

    page.goto(reverse("lottery:checkout", args=[order.pk]))
    _type_card(page, CARD_DECLINED)
    page.locator("#pay-button").click()
    errors = page.locator("#card-errors")
    errors.filter(has_text=re.compile(r"\S")).wait_for()
    # In the page's words, not the fake server's English.
    declined = page.locator("#checkout-form").get_attribute("data-message-declined")
    assert errors.inner_text() == declined
    page.screenshot(path=str(artifacts_dir / "lottery-checkout-declined.png"), full_page=True)
    assert page.locator("#pay-button").is_enabled()

    # The decline's webhook has come and gone: the numbers are still the buyer's.
    deadline = time.monotonic() + 20
    while not StripeEvent.objects.filter(
        type="payment_intent.payment_failed",
        payload__data__object__id=_intent_id(order),
    ).exists():
        assert time.monotonic() < deadline, "the payment_failed webhook never arrived"
        time.sleep(0.2)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    held = Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED)
    assert sorted(held.values_list("number", flat=True)) == [1, 2]
    # The page keeps following the order and still offers to pay.
    page.wait_for_timeout(2500)
    assert re.search(r"/paiement/$", page.url)
    assert "Aucun montant n'a été débité" not in page.locator("#main").inner_text()

    _type_card(page, CARD_OK)
    page.locator("#pay-button").click()
    page.wait_for_url(re.compile(rf"/loteries/commande/{order.pk}/confirmation/$"))
    page.locator("li.ticket-number").first.wait_for(timeout=30_000)
    assert page.locator("li.ticket-number").all_inner_texts() == ["1", "2"]
    assert "Aucun montant n'a été débité" not in page.locator("#main").inner_text()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert localstripe.refunds(order.stripe_payment_intent_id) == []


def _intent_id(order) -> str:
    order.refresh_from_db()
    return order.stripe_payment_intent_id
