"""What a lottery's card payments bring the association: fees from Stripe, figures, net."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from connect.models import PaymentAccount
from lottery import payment_fees, services, tasks
from lottery.models import Order
from lottery.selectors.money import lotteries_online_money, lottery_online_money
from tests.factories import UserFactory
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import manager_of, open_lottery

pytestmark = pytest.mark.django_db

SUCCEEDED = "payment_intent.succeeded"
# Stripe's fee on a 5.00 € European card payment, as the fake prices it (1.5 % + 0.25 €).
FEE_ON_500 = 8 + 25


@pytest.fixture
def lottery():
    return open_lottery(ticket_price_cents=250, ticket_cap=30)


@pytest.fixture
def account(lottery) -> PaymentAccount:
    return PaymentAccount.objects.get(association=lottery.association)


@pytest.fixture
def webhook_post(webhook_post, django_capture_on_commit_callbacks):
    """The webhook, with what its commit queues run at once (the fees task among them)."""

    def post(payload, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return webhook_post(payload, **kwargs)

    return post


def _served(localstripe, webhook_post, lottery, quantity=2) -> Order:
    order = reserve_with_intent(lottery=lottery, buyer=UserFactory(), quantity=quantity)
    localstripe.pay(order.stripe_payment_intent_id)
    assert (
        webhook_post(
            localstripe.event_payload(SUCCEEDED, order.stripe_payment_intent_id)
        ).status_code
        == 200
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def test_a_served_payment_keeps_what_stripe_took(localstripe, webhook_post, lottery):
    order = _served(localstripe, webhook_post, lottery)

    assert (order.stripe_fee_cents, order.platform_fee_cents) == (FEE_ON_500, 0)


def test_the_platform_fee_is_kept_apart_from_stripe_s(localstripe, webhook_post, lottery, settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("10")

    order = _served(localstripe, webhook_post, lottery)

    assert (order.stripe_fee_cents, order.platform_fee_cents) == (FEE_ON_500, 50)


def test_the_figures_add_up_to_the_association_s_stripe_balance(
    localstripe, webhook_post, lottery, account, settings
):
    settings.PLATFORM_FEE_PERCENT = Decimal("10")
    kept = _served(localstripe, webhook_post, lottery)
    other = _served(localstripe, webhook_post, lottery, quantity=4)  # 10.00 €
    refunded = _served(localstripe, webhook_post, lottery)
    services.order_refund(order_id=refunded.pk, actor=manager_of(lottery.association))

    money = lottery_online_money(lottery_id=lottery.pk)

    other.refresh_from_db()
    assert money.gross_cents == 500 + 1000 + 500
    assert money.refunded_cents == 500
    # Stripe keeps its fee on the refunded payment too.
    assert money.stripe_fees_cents == FEE_ON_500 * 2 + other.stripe_fee_cents
    # The platform's fee went back with the refund.
    assert money.platform_fees_cents == 50 + 100
    assert money.fees_unknown == 0
    refund = localstripe.client.v1.refunds.list(options=localstripe.on(account.account_id)).data[0]
    assert refund.refund_application_fee is True
    balance = localstripe.client.v1.balance.retrieve(options=localstripe.on(account.account_id))
    assert money.net_cents == balance.available[0].amount
    assert kept.status == Order.Status.PAID


def test_cash_takings_are_not_card_payments(localstripe, webhook_post, lottery):
    _served(localstripe, webhook_post, lottery)
    services.order_record_offline(
        lottery=lottery,
        actor=manager_of(lottery.association),
        buyer_name="Dominique",
        quantity=2,
        channel=Order.Channel.CASH,
        receipt_number="R-12",
    )

    money = lottery_online_money(lottery_id=lottery.pk)

    assert money.gross_cents == 500


def test_fees_stripe_did_not_report_make_the_net_provisional_until_reconciled(
    localstripe, webhook_post, lottery, monkeypatch
):
    def unreachable(order):
        raise payment_fees.PaymentError("Stripe is unreachable.")

    monkeypatch.setattr(payment_fees, "_fees_of_intent", unreachable)
    order = _served(localstripe, webhook_post, lottery)
    assert order.stripe_fee_cents is None

    client = _dashboard_client(lottery)
    page = client.get(reverse("associations:dashboard", args=[lottery.association.slug]))
    assert lottery_online_money(lottery_id=lottery.pk).fees_unknown == 1
    assert "provisoire" in page.content.decode().lower()

    monkeypatch.undo()
    outcomes = tasks.payments_reconcile()

    assert outcomes["fees_recorded"] == 1
    order.refresh_from_db()
    assert order.stripe_fee_cents == FEE_ON_500
    assert lottery_online_money(lottery_id=lottery.pk).fees_unknown == 0


def _dashboard_client(lottery):
    from django.test import Client

    client = Client()
    client.force_login(manager_of(lottery.association))
    return client


def test_the_dashboard_shows_each_lottery_s_money_to_its_managers_only(
    localstripe, webhook_post, lottery, client
):
    _served(localstripe, webhook_post, lottery)
    second = open_lottery(
        association=lottery.association, ticket_price_cents=100, title="Tombola d'été"
    )
    _served(localstripe, webhook_post, second, quantity=3)
    elsewhere = open_lottery(ticket_price_cents=100)
    _served(localstripe, webhook_post, elsewhere)

    page = _dashboard_client(lottery).get(
        reverse("associations:dashboard", args=[lottery.association.slug])
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-lottery="{lottery.pk}"' in html
    assert f'data-lottery="{second.pk}"' in html
    assert f'data-lottery="{elsewhere.pk}"' not in html
    assert "4,67" in html  # 5.00 € less Stripe's 0.33 €
    figures = lotteries_online_money(lottery_ids=[lottery.pk, second.pk])
    assert figures[second.pk].gross_cents == 300

    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(
        reverse("associations:dashboard", args=[lottery.association.slug])
    ).status_code in (403, 404)


def test_the_manage_page_shows_the_lottery_s_net(localstripe, webhook_post, lottery):
    _served(localstripe, webhook_post, lottery)

    page = _dashboard_client(lottery).get(
        reverse("lottery:manage", args=[lottery.association.slug, lottery.slug])
    )

    html = page.content.decode()
    assert 'id="online-money"' in html
    assert "4,67" in html
