"""Money on the association's own account: charges, fees, events, refunds, disconnection."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
import stripe
from django.urls import reverse

from connect.models import PaymentAccount
from lottery import payments, services, webhooks
from lottery.models import Lottery, Order, StripeEvent
from tests.associations.factories import AssociationFactory
from tests.factories import UserFactory
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import manager_of, open_lottery

pytestmark = pytest.mark.django_db

SUCCEEDED = "payment_intent.succeeded"


@pytest.fixture
def lottery():
    return open_lottery(ticket_price_cents=250, ticket_cap=20)


@pytest.fixture
def account(lottery) -> PaymentAccount:
    return PaymentAccount.objects.get(association=lottery.association)


@pytest.fixture
def buyer():
    return UserFactory(display_name="Camille")


def _paid(localstripe, lottery, buyer, quantity=2) -> Order:
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=quantity)
    localstripe.pay(order.stripe_payment_intent_id)
    return order


def test_the_payment_lands_on_the_association_s_account_not_the_platform_s(
    localstripe, lottery, account, buyer, webhook_post
):
    order = _paid(localstripe, lottery, buyer)

    assert order.stripe_account_id == account.account_id
    with pytest.raises(stripe.InvalidRequestError):
        localstripe.client.v1.payment_intents.retrieve(order.stripe_payment_intent_id)
    intent = localstripe.payment_intent(order.stripe_payment_intent_id, account.account_id)
    assert intent.status == "succeeded" and intent.amount == 500
    assert intent.application_fee_amount is None  # the platform keeps nothing by default
    assert localstripe.client.v1.payment_intents.list().data == []

    event = localstripe.event_payload(SUCCEEDED, order.stripe_payment_intent_id)
    assert json.loads(event)["account"] == account.account_id
    assert webhook_post(event).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    balance = localstripe.client.v1.balance.retrieve(options=localstripe.on(account.account_id))
    assert balance.available[0].amount == 500 - (8 + 25)  # Stripe's fee, taken by Stripe


@pytest.mark.parametrize(("percent", "fee"), [("2.5", 13), ("10", 50), ("0.1", 1)])
def test_a_platform_fee_goes_with_the_charge_when_set(
    localstripe, lottery, account, buyer, settings, percent, fee
):
    settings.PLATFORM_FEE_PERCENT = Decimal(percent)

    order = _paid(localstripe, lottery, buyer)  # 5.00 €

    intent = localstripe.payment_intent(order.stripe_payment_intent_id, account.account_id)
    assert intent.application_fee_amount == fee
    charge = intent.latest_charge
    txn = localstripe.client.v1.balance_transactions.retrieve(
        charge.balance_transaction, options=localstripe.on(account.account_id)
    )
    assert {d.type: d.amount for d in txn.fee_details}["application_fee"] == fee


def test_the_fee_is_shown_before_sales_open(client, localstripe, settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("2.5")
    from tests.lottery.factories import LotteryFactory

    draft = LotteryFactory()
    client.force_login(manager_of(draft.association))

    page = client.get(
        reverse("lottery:manage", args=[draft.association.slug, draft.slug])
    ).content.decode()

    assert "2.5 %" in page or "2,5 %" in page


def test_an_event_from_another_account_is_refused_recorded_and_changes_nothing(
    localstripe, lottery, account, buyer, webhook_post
):
    order = _paid(localstripe, lottery, buyer)
    intruder = PaymentAccount.objects.create(
        association=AssociationFactory(), account_id="acct_intruder", charges_enabled=True
    )
    genuine = json.loads(localstripe.event_payload(SUCCEEDED, order.stripe_payment_intent_id))
    forged = dict(genuine, id="evt_forged", account=intruder.account_id)

    response = webhook_post(json.dumps(forged).encode())

    assert response.status_code == 400
    record = StripeEvent.objects.get(event_id="evt_forged")
    assert record.outcome == "refused" and record.account == "acct_intruder"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    # The genuine event, from the right account, still applies.
    assert webhook_post(json.dumps(genuine).encode()).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_connected_account_s_event_on_the_platform_endpoint_is_refused(
    localstripe, lottery, buyer, client
):
    from tests.lottery.conftest import WEBHOOK_SECRET, stripe_signature

    order = _paid(localstripe, lottery, buyer)
    payload = localstripe.event_payload(SUCCEEDED, order.stripe_payment_intent_id)

    response = client.post(
        reverse("lottery:stripe_webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, secret=WEBHOOK_SECRET),
    )

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_a_platform_event_about_a_connected_order_is_refused(
    localstripe, lottery, buyer, webhook_post
):
    order = _paid(localstripe, lottery, buyer)
    event = json.loads(localstripe.event_payload(SUCCEEDED, order.stripe_payment_intent_id))
    del event["account"]

    assert webhook_post(json.dumps(event).encode()).status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_refunds_and_cancellation_refunds_are_made_on_the_connected_account(
    localstripe, lottery, account, buyer, webhook_post
):
    first = _paid(localstripe, lottery, buyer)
    webhook_post(localstripe.event_payload(SUCCEEDED, first.stripe_payment_intent_id))
    admin = manager_of(lottery.association)

    services.order_refund(order_id=first.pk, actor=admin)

    refunds = localstripe.client.v1.refunds.list(options=localstripe.on(account.account_id)).data
    assert [r.payment_intent for r in refunds] == [first.stripe_payment_intent_id]
    assert localstripe.client.v1.refunds.list().data == []

    second = _paid(localstripe, lottery, UserFactory())
    webhook_post(localstripe.event_payload(SUCCEEDED, second.stripe_payment_intent_id))
    services.lottery_cancel(lottery=lottery, actor=admin, note="La salle a brûlé.")
    counts = payments.lottery_refunds_issue(lottery_id=lottery.pk)

    assert counts["refunded"] == 1
    refunded = localstripe.client.v1.refunds.list(options=localstripe.on(account.account_id)).data
    assert {r.payment_intent for r in refunded} == {
        first.stripe_payment_intent_id,
        second.stripe_payment_intent_id,
    }


def test_an_expired_order_s_payment_intent_is_cancelled_on_the_account(
    localstripe, lottery, account, buyer
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    services.order_cancel(order_id=order.pk, actor=buyer)

    assert payments.payment_intent_cancel(order_id=order.pk) == "canceled"
    intent = localstripe.payment_intent(order.stripe_payment_intent_id, account.account_id)
    assert intent.status == "canceled"


def test_a_disconnected_account_closes_online_sales_at_once(
    client, localstripe, lottery, account, buyer, webhook_post
):
    paid = _paid(localstripe, lottery, buyer)
    webhook_post(localstripe.event_payload(SUCCEEDED, paid.stripe_payment_intent_id))
    localstripe.account_deauthorize(account.account_id)
    # The platform can no longer read that account's events: Stripe sends this one.
    payload = json.dumps(
        {
            "id": "evt_deauthorized",
            "object": "event",
            "type": "account.application.deauthorized",
            "account": account.account_id,
            "created": int(time.time()),
            "data": {"object": {"id": "ca_assosolos_test_platform", "object": "application"}},
        }
    ).encode()

    assert webhook_post(payload).status_code == 200

    account.refresh_from_db()
    assert account.disconnected_at is not None and not account.ready
    client.force_login(UserFactory())
    page = client.get(lottery.get_absolute_url()).content.decode()
    assert reverse("lottery:buy", args=[lottery.slug]) not in page
    response = client.post(reverse("lottery:buy", args=[lottery.slug]), {"quantity": 1})
    assert response.status_code == 302
    assert not Order.objects.exclude(pk=paid.pk).exists()
    # Cash sales stay possible.
    services.order_record_offline(
        lottery=lottery,
        actor=manager_of(lottery.association),
        channel=Order.Channel.CASH,
        quantity=1,
        receipt_number="R-9",
    )
    # A refund the platform can no longer make is listed with its reason.
    Lottery.objects.filter(pk=lottery.pk).update(status=Lottery.Status.CANCELLED)
    counts = payments.lottery_refunds_issue(lottery_id=lottery.pk)
    assert counts["blocked"] == 1
    blocked = list(payments.refunds_blocked())
    assert [o.pk for o in blocked] == [paid.pk]
    assert "tableau de bord Stripe" in blocked[0].refund_blocked_reason


def test_account_updated_keeps_the_dashboard_current(
    client, localstripe, lottery, account, webhook_post
):
    localstripe.account_put(
        account.account_id, charges_enabled=False, currently_due=["external_account"]
    )
    events = localstripe.client.v1.events.list(options=localstripe.on(account.account_id)).data
    updated = next(e for e in events if e.type == "account.updated")

    assert webhook_post(json.dumps(updated.to_dict()).encode()).status_code == 200

    account.refresh_from_db()
    assert not account.charges_enabled and account.requirements_due == ["external_account"]
    client.force_login(manager_of(lottery.association))
    manage = client.get(
        reverse("lottery:manage", args=[lottery.association.slug, lottery.slug])
    ).content.decode()
    assert 'data-test="payments-not-ready"' in manage
    with pytest.raises(payments.PaymentError):
        reserve_with_intent(lottery=lottery, buyer=UserFactory())


def test_an_account_event_about_another_account_is_refused(
    localstripe, lottery, account, webhook_post
):
    other = PaymentAccount.objects.create(
        association=AssociationFactory(), account_id="acct_other", charges_enabled=True
    )
    forged = {
        "id": "evt_acct_forged",
        "object": "event",
        "type": "account.updated",
        "account": other.account_id,
        "created": int(time.time()),
        "data": {
            "object": {"id": account.account_id, "object": "account", "charges_enabled": False}
        },
    }

    assert webhook_post(json.dumps(forged).encode()).status_code == 400
    account.refresh_from_db()
    assert account.charges_enabled


def test_the_dashboard_shows_the_balance_read_through_the_cache(
    client, localstripe, lottery, account, buyer, webhook_post, django_assert_max_num_queries
):
    order = _paid(localstripe, lottery, buyer)
    webhook_post(localstripe.event_payload(SUCCEEDED, order.stripe_payment_intent_id))
    client.force_login(manager_of(lottery.association))

    page = client.get(lottery.association.get_dashboard_url()).content.decode()

    assert 'data-test="balance-available">4,67' in page or "€4.67" in page
    # A second view is served from the cache: Stripe is not asked again.
    localstripe_url = localstripe.url
    from django.conf import settings

    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    again = client.get(lottery.association.get_dashboard_url()).content.decode()
    assert 'data-test="balance-available">4,67' in again or "€4.67" in again
    settings.STRIPE_API_BASE = localstripe_url


def test_replay_fetches_each_connected_account_s_events(localstripe, lottery, account, buyer):
    from datetime import timedelta

    from django.utils import timezone

    order = _paid(localstripe, lottery, buyer)

    outcomes = webhooks.stripe_events_replay(since=timezone.now() - timedelta(hours=1))

    assert outcomes.get("paid") == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
