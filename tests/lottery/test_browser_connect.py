"""An association connects its Stripe account, opens a lottery, a buyer pays, the money shows.

In Chromium, end to end: the admin's click goes to Stripe's consent page (the fake
Connect of the tests' localstripe), which redirects back with the code; the lottery
opens; a buyer pays with the test card on the association's account; the signed
webhook of that account sells the tickets; the association's dashboard shows the
payment, Stripe's fee and the net, read from what Stripe reported.
"""

import re

import pytest
from django.urls import reverse

from cms.demo import demo_site_create
from cms.models import HomePage
from connect.models import PaymentAccount
from lottery.models import Lottery, LotteryIndexPage, Order
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.lottery.conftest import CARD_OK
from tests.lottery.factories import LotteryFactory, PrizeFactory, manager_of
from tests.lottery.test_browser_purchase import _type_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))


def test_an_association_connects_opens_sells_and_sees_its_net(
    browser_page, live_server, localstripe, settings, artifacts_dir
):
    settings.SITE_URL = live_server.url
    localstripe.platform_register(site_url=live_server.url)
    localstripe.connect_webhooks_to(live_server.url + reverse("lottery:stripe_connect_webhook"))
    demo_site_create(log=lambda message: None)
    home = HomePage.objects.get(locale__language_code="fr")
    home.add_child(instance=LotteryIndexPage(title="Loteries", slug="nos-loteries"))
    lottery = LotteryFactory(
        title="Tombola du local", ticket_price_cents=300, ticket_cap=40, payment_account=False
    )
    PrizeFactory(lottery=lottery, name="Un atelier photo")
    association = lottery.association
    assert not PaymentAccount.objects.filter(association=association).exists()
    admin = manager_of(association)
    page = browser_page

    # The admin connects the association's account from its dashboard.
    _sign_in(page, admin)
    page.goto(association.get_dashboard_url())
    page.get_by_role("button", name="Connecter un compte Stripe").click()
    page.wait_for_url(re.compile(r"/oauth/authorize\?"))
    page.fill("input[name=business_name]", association.name)
    page.get_by_role("button", name="Connect my Stripe account").click()
    page.wait_for_url(re.compile(re.escape(association.get_dashboard_url()) + "$"))
    assert "la vente en ligne peut ouvrir" in page.locator("body").inner_text()
    account = PaymentAccount.objects.get(association=association, disconnected_at__isnull=True)
    assert account.charges_enabled and account.connected_by == admin

    # The lottery opens for online sales.
    page.goto(reverse("lottery:manage", args=[association.slug, lottery.slug]))
    page.get_by_role("button", name=re.compile("Ouvrir les ventes")).click()
    page.wait_for_load_state()
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.OPEN

    # A buyer, in another browser, pays with the test card.
    buyer_context = page.context.browser.new_context(base_url=live_server.url, locale="fr-FR")
    buyer_context.set_default_timeout(15_000)
    buyer_page = buyer_context.new_page()
    buyer = UserFactory(email="sacha@example.org")
    try:
        _sign_in(buyer_page, buyer)
        buyer_page.goto(lottery.get_absolute_url())
        buyer_page.fill("input[name=quantity]", "2")
        buyer_page.get_by_role("button", name="Réserver mes billets").click()
        buyer_page.wait_for_url(re.compile(r"/loteries/commande/\d+/paiement/$"))
        _type_card(buyer_page, CARD_OK)
        buyer_page.locator("#pay-button").click()
        order = Order.objects.get(buyer=buyer)
        buyer_page.wait_for_url(re.compile(rf"/loteries/commande/{order.pk}/confirmation/$"))
        buyer_page.locator("li.ticket-number").first.wait_for(timeout=30_000)
    finally:
        buyer_context.close()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.stripe_account_id == account.account_id
    assert order.stripe_fee_cents == 9 + 25  # 1.5 % of 6.00 € and 0.25 €

    # The association's dashboard shows the payment and what reaches its account.
    page.goto(association.get_dashboard_url())
    row = page.locator(f"tr[data-lottery='{lottery.pk}']")
    assert row.locator("[data-figure=gross]").inner_text() == "6\u00a0€"
    assert row.locator("[data-figure=stripe_fees]").inner_text() == "0,34\u00a0€"
    assert row.locator("[data-figure=net]").inner_text().startswith("5,66\u00a0€")
    # Stripe's balance for the account, read afresh since the payment, says the same.
    assert page.locator("[data-test=balance-available]").inner_text() == "5,66\u00a0€"
    page.screenshot(path=str(artifacts_dir / "connect-dashboard.png"), full_page=True)
