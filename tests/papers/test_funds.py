"""The public funds page: its figures are the orders' own, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.urls import reverse

from lottery import payments, services
from lottery.models import Lottery, Order
from lottery.services.orders import order_mark_refunded
from papers import selectors
from papers.models import CostLine, FundUse, LotteryRequest
from tests.factories import UserFactory
from tests.lottery.factories import manager_of, open_lottery, paid_order

pytestmark = pytest.mark.django_db


def _cash(lottery, by, quantity, receipt, channel=Order.Channel.CASH):
    return services.order_record_offline(
        lottery=lottery, actor=by, channel=channel, quantity=quantity, receipt_number=receipt
    )


def _sales(lottery, size: int):
    """`size` of each: online sales (some with fees), cash and cheque sales, refunds, voids."""
    admin = manager_of(lottery.association)
    for i in range(size):
        order = paid_order(lottery=lottery, quantity=1 + i % 3)
        Order.objects.filter(pk=order.pk).update(stripe_fee_cents=30 + i, platform_fee_cents=i)
        _cash(lottery, admin, 1 + i % 2, f"C-{i}")
        _cash(lottery, admin, 2, f"Q-{i}", channel=Order.Channel.CHEQUE)
    refunded = paid_order(lottery=lottery, quantity=2)
    # Refunded in full (as the webhook of a refund made on Stripe records it).
    order_mark_refunded(order_id=refunded.pk, refund_id="re_test")
    voided = _cash(lottery, admin, 3, "V-1")
    services.order_void(order_id=voided.pk, actor=admin, reason="Saisie en double")
    partial = paid_order(lottery=lottery, quantity=3)
    # A partial refund made from the association's Stripe dashboard: 1.00 € of 9.00 €.
    payments.charge_refund_apply(
        charge={
            "payment_intent": partial.stripe_payment_intent_id,
            "refunded": False,
            "amount_refunded": 100,
        }
    )
    CostLine.objects.create(lottery=lottery, kind="printing", label="Affiches", amount_cents=1234)
    return admin


def test_the_funds_are_exactly_the_orders(db):
    lottery = open_lottery(ticket_price_cents=300, ticket_cap=200)
    _sales(lottery, 5)

    funds = selectors.lottery_funds(lottery=lottery)

    orders = Order.objects.filter(lottery=lottery)
    taken = orders.filter(status__in=[Order.Status.PAID, Order.Status.REFUNDED])
    online = taken.filter(channel=Order.Channel.ONLINE).aggregate(t=Sum("amount_cents"))["t"]
    offline = taken.exclude(channel=Order.Channel.ONLINE).aggregate(t=Sum("amount_cents"))["t"]
    assert funds.online_cents == online
    assert funds.offline_cents == offline
    # The voided cash sale was a mistake: not money raised.
    voided = orders.get(status=Order.Status.VOIDED)
    assert voided.amount_cents == 900
    assert funds.raised_cents == sum(o.amount_cents for o in taken)
    assert (
        funds.raised_cents
        == orders.exclude(status=Order.Status.VOIDED)
        .filter(status__in=[Order.Status.PAID, Order.Status.REFUNDED])
        .aggregate(t=Sum("amount_cents"))["t"]
    )
    # One full refund (6.00 €) and the partial one (1.00 €).
    assert funds.refunded_cents == 600 + 100
    fees = taken.aggregate(s=Sum("stripe_fee_cents"), p=Sum("platform_fee_cents"))
    assert funds.costs.stripe_fees_cents == fees["s"]
    assert funds.costs.platform_fees_cents == fees["p"]
    assert funds.costs.lines_cents == 1234
    assert funds.net_cents == (online + offline - 700 - fees["s"] - fees["p"] - 1234)


@pytest.mark.parametrize("size", [2, 20])
def test_the_funds_page_shows_them_in_queries_that_do_not_grow(
    client, size, django_assert_max_num_queries
):
    lottery = open_lottery(ticket_price_cents=300, ticket_cap=500)
    _sales(lottery, size)
    LotteryRequest.objects.create(lottery=lottery, funds_use="Un an d’ateliers d’entraide.")
    url = reverse("papers:funds", args=[lottery.slug])

    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
    funds = selectors.lottery_funds(lottery=lottery)
    html = response.content.decode()
    from lottery.templatetags.lottery_tags import euros

    assert euros(funds.net_cents) in html and euros(funds.raised_cents - funds.online_cents) in html
    assert "Un an d’ateliers d’entraide." in html
    assert "suivent chaque vente" in html  # live while sales run


def test_after_the_draw_the_page_is_final_and_shows_the_uses(client):
    lottery = open_lottery(ticket_price_cents=300, ticket_cap=50)
    paid_order(lottery=lottery, quantity=4)
    Lottery.objects.filter(pk=lottery.pk).update(status=Lottery.Status.DRAWN)
    FundUse.objects.create(
        lottery=lottery, amount_cents=800, used_on="2026-12-01", beneficiary="Atelier Photo Lyon"
    )

    html = client.get(reverse("papers:funds", args=[lottery.slug])).content.decode()

    assert "définitifs" in html
    assert "Atelier Photo Lyon" in html and "8\u00a0€" in html


def test_a_draft_lottery_has_no_public_funds_page(client):
    from tests.lottery.factories import LotteryFactory

    draft = LotteryFactory()
    assert client.get(reverse("papers:funds", args=[draft.slug])).status_code == 404


def test_the_lottery_page_and_the_association_page_link_to_it(client):
    from cms.demo import demo_site_create
    from cms.models import HomePage
    from lottery.models import LotteryIndexPage

    demo_site_create(log=lambda message: None)
    HomePage.objects.get(locale__language_code="fr").add_child(
        instance=LotteryIndexPage(title="Loteries", slug="nos-loteries")
    )
    lottery = open_lottery()
    url = reverse("papers:funds", args=[lottery.slug])
    client.force_login(UserFactory())

    assert url in client.get(lottery.get_absolute_url()).content.decode()
    assert url in client.get(lottery.association.get_absolute_url()).content.decode()
