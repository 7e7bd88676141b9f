"""In Chromium: an association admin refunds an online order and voids a cash sale from the
dashboard; the buyer's "My tickets" page shows the refund. Screenshots of the dashboard
and its chart on a desktop and a phone are left in var/screenshots/.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lottery import services
from lottery.models import Order, OrderEvent, Ticket
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import manager_of, open_lottery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def screenshots_dir():
    path = settings.ROOT_DIR / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def site_login(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))


def test_admin_refunds_an_order_and_voids_a_cash_sale_the_buyer_sees_the_refund(
    browser_page, live_server, localstripe, screenshots_dir
):
    lottery = open_lottery(title="Tombola des ateliers", ticket_price_cents=300, ticket_cap=40)
    admin = manager_of(lottery.association)
    admin.display_name = "Claire"
    admin.save()
    buyer = UserFactory(email="camille@example.org", display_name="Camille")
    online = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    localstripe.pay(online.stripe_payment_intent_id)
    services.order_confirm_payment(
        order_id=online.pk, payment_intent_id=online.stripe_payment_intent_id
    )
    cash = services.order_record_offline(
        lottery=lottery,
        actor=admin,
        channel=Order.Channel.CASH,
        quantity=3,
        receipt_number="R-17",
        buyer_name="Dominique",
    )
    services.order_record_offline(
        lottery=lottery, actor=admin, channel=Order.Channel.CHEQUE, quantity=5, receipt_number="C-2"
    )
    # Sales spread over the first hours, as the chart will show them.
    for number, hours_ago in ((1, 5), (2, 5), (3, 3), (4, 3), (5, 3)):
        Ticket.objects.filter(lottery=lottery, number=number).update(
            sold_at=timezone.now() - timedelta(hours=hours_ago)
        )
    mail.outbox.clear()
    page = browser_page
    dashboard = reverse("lottery:manage", args=[lottery.association.slug, lottery.slug])

    site_login(page, admin.email)
    page.goto(dashboard)
    chart = page.locator(".sales-chart .chart-wide svg")
    assert chart.is_visible()
    assert "Billets vendus" in chart.inner_html()
    page.screenshot(path=str(screenshots_dir / "lottery-dashboard-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    assert page.locator(".sales-chart .chart-narrow svg").is_visible()
    assert not chart.is_visible()
    page.screenshot(path=str(screenshots_dir / "lottery-dashboard-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    # Refund the online order from its page, reached from the dashboard.
    page.get_by_role("link", name=f"N° {online.pk}", exact=True).click()
    page.fill("input[name=note]", "Achat en double")
    page.get_by_role("button", name="Rembourser la commande").click()
    page.wait_for_url(re.compile(rf"/commandes/{online.pk}/$"))
    assert "La commande est remboursée" in page.locator(".messages").inner_text()
    history = page.locator(".order-history")
    assert "Remboursée" in history.inner_text() and "Claire" in history.inner_text()
    assert "Achat en double" in history.inner_text()
    page.screenshot(path=str(screenshots_dir / "lottery-order-refunded.png"), full_page=True)

    # Void the mistaken cash sale, with its reason.
    page.goto(dashboard)
    page.get_by_role("link", name=f"N° {cash.pk}", exact=True).click()
    page.get_by_role("button", name="Annuler la vente").click()
    assert page.get_by_text("Dites pourquoi cette vente est annulée.").first.is_visible()
    page.fill("input[name=reason]", "Saisie en double")
    page.get_by_role("button", name="Annuler la vente").click()
    page.wait_for_url(re.compile(rf"/commandes/{cash.pk}/$"))
    assert "Saisie en double" in page.locator(".order-history").inner_text()

    online.refresh_from_db()
    cash.refresh_from_db()
    assert online.status == Order.Status.REFUNDED and cash.status == Order.Status.VOIDED
    [refund] = localstripe.refunds(online.stripe_payment_intent_id)
    assert refund.amount == 600
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.VOID).count() == 5
    assert OrderEvent.objects.filter(by=admin).count() == 2
    [email] = [m for m in mail.outbox if m.to == [buyer.email]]
    assert "remboursé" in email.body

    # The buyer sees the refund in "My tickets".
    page.context.clear_cookies()
    site_login(page, buyer.email)
    page.goto(reverse("lottery:my_tickets"))
    row = page.locator(".my-lottery tbody tr").first
    assert "Remboursée" in row.inner_text()
    assert page.locator(".my-lottery li.ticket-number").count() == 0  # no ticket left in the draw
    page.screenshot(path=str(screenshots_dir / "my-tickets-refunded.png"), full_page=True)
