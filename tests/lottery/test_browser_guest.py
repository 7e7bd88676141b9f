"""A visitor buys with an email only, opens the tickets from the email, then signs up.

Through the real pages in Chromium, paying with localstripe's Stripe.js (a card with a
four-digit expiry year) and its signed webhook: the guest form reserves, the signed
link in the confirmation email opens the order without an account, and the account
made later with the same address (typed in another case) finds the order in
"Mes billets" once the address is confirmed.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from cms.demo import demo_site_create
from lottery import services
from lottery.models import Order
from tests.lottery.conftest import CARD_OK
from tests.lottery.factories import LotteryFactory, PrizeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une-phrase-de-passe-2026"


def test_a_guest_buys_opens_the_tickets_from_the_email_and_signs_up(
    browser_page, live_server, localstripe, artifacts_dir
):
    localstripe.webhooks_to(live_server.url + reverse("lottery:stripe_webhook"))
    demo_site_create(log=lambda message: None)
    lottery = LotteryFactory(title="Tombola du jardin", ticket_price_cents=300, ticket_cap=40)
    PrizeFactory(lottery=lottery, name="Un atelier LinkedIn")
    services.lottery_request_open(lottery=lottery, actor=None)
    mail.outbox.clear()
    page = browser_page

    page.goto(lottery.get_absolute_url())
    guest = page.locator("#guest-buy")
    guest.locator("input[name=quantity]").fill("2")
    guest.locator("input[name=email]").fill("Zoe.Invitee@Example.org")
    guest.locator("button[type=submit]").click()

    page.wait_for_url(re.compile(r"/commande/invite/[^/]+/paiement/$"))
    order = Order.objects.get(lottery=lottery)
    assert (order.buyer_id, order.buyer_email) == (None, "zoe.invitee@example.org")
    assert page.locator("[data-test=refund-policy]").is_visible()
    card = page.locator("#card-element")
    card.locator("input[name=number]").fill(CARD_OK)
    card.locator("input[name=exp_month]").fill("12")
    card.locator("input[name=exp_year]").fill("2034")  # four digits, as people often type
    card.locator("input[name=cvc]").fill("123")
    card.locator("input[name=postal_code]").fill("93100")
    page.locator("#pay-button").click()

    page.wait_for_url(re.compile(r"/commande/invite/[^/]+/$"))
    page.locator("li.ticket-number").first.wait_for(timeout=30_000)
    assert page.locator("li.ticket-number").all_inner_texts() == ["1", "2"]
    page.screenshot(path=str(artifacts_dir / "lottery-guest-confirmation.png"), full_page=True)

    # The confirmation email's signed link opens the order in a fresh session.
    [paid] = [m for m in mail.outbox if m.to == ["zoe.invitee@example.org"]]
    link = re.search(r"https?://[^/\s]+(/\S+/commande/invite/[^\s/]+/)\s", paid.body).group(1)
    page.context.clear_cookies()
    page.goto(link)
    assert page.locator("li.ticket-number").all_inner_texts() == ["1", "2"]
    assert page.locator("[data-test=receipt-link]").is_visible()
    signup = page.locator("[data-test=signup-invite] a")
    assert signup.is_visible()

    mail.outbox.clear()
    signup.click()
    page.fill("input[name=display_name]", "Zoé")
    page.fill("input[name=email]", "zoe.INVITEE@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    [confirm] = mail.outbox
    confirm_link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", confirm.body)
    page.goto(confirm_link.group(1))
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))

    page.goto(reverse("lottery:my_tickets"))
    tickets = page.locator(f"section:has(#lottery-{lottery.pk}) li.ticket-number")
    assert tickets.all_inner_texts() == ["1", "2"]
    receipt = page.locator(f"a[href='{reverse('lottery:order_receipt', args=[order.pk])}']")
    assert receipt.is_visible()
    page.screenshot(path=str(artifacts_dir / "lottery-guest-my-tickets.png"), full_page=True)
    order.refresh_from_db()
    assert order.buyer is not None and order.buyer.email == "zoe.invitee@example.org"
