"""The Stripe webhook: signed events from localstripe, applied once and in any order."""

import json
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lottery import payments, services
from lottery.models import Order, StripeEvent, Ticket
from tests.factories import UserFactory
from tests.lottery.conftest import CARD_DECLINED, reserve_with_intent, stripe_signature
from tests.lottery.factories import open_lottery

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"


@pytest.fixture
def lottery(db):
    return open_lottery(ticket_cap=10, ticket_price_cents=325)


@pytest.fixture
def buyer(db):
    return UserFactory()


def _paid_event(localstripe, order) -> bytes:
    localstripe.pay(order.stripe_payment_intent_id)
    return localstripe.event_payload(SUCCEEDED, order.stripe_payment_intent_id)


def _event(event_type: str, obj: dict, event_id: str, account: str | None = None) -> bytes:
    """An event envelope around an object read from localstripe (it sends no such event).

    Like Stripe, it names the connected account of the order it is about.
    """
    if account is None:
        intent_id = obj.get("payment_intent") or obj.get("id")
        order = Order.objects.filter(stripe_payment_intent_id=intent_id).first()
        account = order.stripe_account_id if order else ""
    envelope = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }
    if account:
        envelope["account"] = account
    return json.dumps(envelope).encode()


def _pay_on(localstripe, intent, account: str) -> None:
    """Pay a PaymentIntent no order holds, on `account`, as Stripe.js would."""
    body = {
        "key": "pk_test_assosolos_localstripe",
        "stripe_account": account,
        "client_secret": intent.client_secret,
        "payment_method_data": {
            "type": "card",
            "card": {
                "number": "4242424242424242",
                "exp_month": "12",
                "exp_year": "2034",
                "cvc": "123",
            },
        },
    }
    localstripe._request("POST", f"/v1/payment_intents/{intent.id}/confirm", body)


def _sold(order) -> list[int]:
    return list(
        Ticket.objects.filter(order=order, status=Ticket.Status.SOLD)
        .order_by("number")
        .values_list("number", flat=True)
    )


@pytest.mark.django_db
def test_signed_succeeded_event_sells_the_tickets_and_emails_them(
    localstripe, lottery, buyer, webhook_post, django_capture_on_commit_callbacks
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=3)
    payload = _paid_event(localstripe, order)

    with django_capture_on_commit_callbacks(execute=True):
        response = webhook_post(payload)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert _sold(order) == [1, 2, 3]
    event = StripeEvent.objects.get()
    assert event.type == SUCCEEDED and event.processed_at is not None
    assert event.event_id == json.loads(payload)["id"]
    [message] = mail.outbox
    assert message.to == [buyer.email]
    assert "1\u20133" in message.body  # a range, not a list


@pytest.mark.django_db
def test_bad_signature_is_refused_and_changes_nothing(localstripe, lottery, buyer, webhook_post):
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    payload = _paid_event(localstripe, order)

    response = webhook_post(payload, secret="whsec_someone_else")

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert _sold(order) == []
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_stale_signature_is_refused(localstripe, lottery, buyer, webhook_post):
    """A replayed capture of a genuine delivery, signed ten minutes ago."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    payload = _paid_event(localstripe, order)

    response = webhook_post(payload, timestamp=time.time() - 600)

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_tampered_payload_is_refused(localstripe, lottery, buyer, client):
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    payload = _paid_event(localstripe, order)
    tampered = payload.replace(b'"amount": 325', b'"amount": 3')
    assert tampered != payload

    response = client.post(
        reverse("lottery:stripe_webhook"),
        data=tampered,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload),
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"[1, 2, 3]",
        b'{"id": "evt_1"}',
        b"\xff\xfe",
        # Signed events whose object is not an object: the handlers cannot read them.
        b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": "pi_1"}}',
        b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": [1]}}',
        b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": null}}',
        b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": "x"}',
        b'{"id": 1, "type": "payment_intent.succeeded", "data": {"object": {}}}',
    ],
)
def test_malformed_body_with_a_valid_signature_is_refused(localstripe, webhook_post, body):
    response = webhook_post(body)

    assert response.status_code == 400 and "error" in response.json()
    # Kept as a trace of the refusal, never as an event applied.
    assert set(StripeEvent.objects.values_list("outcome", flat=True)) <= {"malformed"}


@pytest.mark.django_db
def test_missing_signature_and_get_are_refused(localstripe, client):
    url = reverse("lottery:stripe_webhook")
    assert client.post(url, data=b"{}", content_type="application/json").status_code == 400
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_without_a_configured_secret_nothing_is_accepted(
    localstripe, lottery, buyer, settings, webhook_post
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    payload = _paid_event(localstripe, order)
    settings.STRIPE_WEBHOOK_SECRET = ""

    assert webhook_post(payload, secret="").status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


@pytest.mark.django_db
def test_the_same_event_twice_is_applied_once(
    localstripe, lottery, buyer, webhook_post, django_capture_on_commit_callbacks
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    payload = _paid_event(localstripe, order)

    with django_capture_on_commit_callbacks(execute=True):
        first = webhook_post(payload)
        second = webhook_post(payload)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == b"duplicate"
    assert StripeEvent.objects.count() == 1
    assert _sold(order) == [1, 2]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_event_twice_at_once_is_applied_once(
    require_postgres, localstripe, lottery, buyer, webhook_post, monkeypatch
):
    """Two deliveries race: the second waits on the event's unique row, then stops."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    payload = _paid_event(localstripe, order)
    confirm = payments.order_confirm_payment

    def slow_confirm(**kwargs):
        time.sleep(0.5)  # hold the first delivery's transaction open
        return confirm(**kwargs)

    monkeypatch.setattr(payments, "order_confirm_payment", slow_confirm)
    barrier = threading.Barrier(2)
    responses = []

    def deliver():
        try:
            barrier.wait(timeout=10)
            responses.append(webhook_post(payload, on=Client(raise_request_exception=False)))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            responses.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [r.status_code for r in responses] == [200, 200], responses
    assert sorted(r.content for r in responses) == [b"duplicate", b"paid"]
    assert StripeEvent.objects.count() == 1
    assert _sold(order) == [1, 2]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_declined_card_keeps_the_numbers_for_the_next_card(
    localstripe, lottery, buyer, webhook_post
):
    """Stripe lets the buyer retry the same PaymentIntent: a decline releases nothing."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    localstripe.pay(order.stripe_payment_intent_id, card=CARD_DECLINED)
    failed = localstripe.event_payload(FAILED, order.stripe_payment_intent_id)

    response = webhook_post(failed)
    assert (response.status_code, response.content) == (200, b"declined")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    held = Ticket.objects.filter(order=order, status=Ticket.Status.RESERVED)
    assert sorted(held.values_list("number", flat=True)) == [1, 2]
    # Nobody else can take them meanwhile.
    other = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    assert list(Ticket.objects.filter(order=other).values_list("number", flat=True)) == [3]

    succeeded = _paid_event(localstripe, order)
    assert webhook_post(succeeded).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert _sold(order) == [1, 2]
    assert localstripe.refunds(order.stripe_payment_intent_id) == []


@pytest.mark.django_db
def test_failure_arriving_after_success_does_not_release_a_paid_order(
    localstripe, lottery, buyer, webhook_post
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    localstripe.pay(order.stripe_payment_intent_id, card=CARD_DECLINED)
    failed = localstripe.event_payload(FAILED, order.stripe_payment_intent_id)
    succeeded = _paid_event(localstripe, order)

    assert webhook_post(succeeded).status_code == 200
    assert webhook_post(failed).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert _sold(order) == [1, 2]


@pytest.mark.django_db
def test_canceled_payment_intent_releases_the_reservation(
    localstripe, lottery, buyer, webhook_post
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    canceled = localstripe.cancel(order.stripe_payment_intent_id)

    payload = _event("payment_intent.canceled", canceled.to_dict(), "evt_canceled_1")
    assert webhook_post(payload).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.FAILED
    assert Ticket.objects.filter(lottery=lottery, status=Ticket.Status.AVAILABLE).count() == 10


@pytest.mark.django_db
def test_unknown_event_type_is_accepted_and_recorded(localstripe, webhook_post):
    payload = _event("customer.created", {"id": "cus_1", "object": "customer"}, "evt_other_1")

    response = webhook_post(payload)

    assert response.status_code == 200
    assert StripeEvent.objects.get().type == "customer.created"


@pytest.mark.django_db
def test_success_after_the_hold_expired_is_served_when_numbers_remain(
    localstripe, lottery, buyer, webhook_post
):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    payload = _paid_event(localstripe, order)
    assert services.reservations_expire(now=timezone.now() + timedelta(hours=1)) == 1

    assert webhook_post(payload).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(_sold(order)) == 2
    assert localstripe.refunds(order.stripe_payment_intent_id) == []


@pytest.mark.django_db
def test_success_after_the_hold_expired_and_sold_out_is_refunded_once(
    localstripe, buyer, webhook_post, django_capture_on_commit_callbacks
):
    lottery = open_lottery(ticket_cap=3, ticket_price_cents=325)
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    payload = _paid_event(localstripe, order)
    services.reservations_expire(now=timezone.now() + timedelta(hours=1))
    other = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=3)

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(payload).status_code == 200
        replay = json.loads(payload)
        replay["id"] += "_replayed"  # the same payment reported by another event
        assert webhook_post(json.dumps(replay).encode()).status_code == 200

    order.refresh_from_db()
    [refund] = localstripe.refunds(order.stripe_payment_intent_id)
    assert refund.amount == 650 and refund.status == "succeeded"
    assert order.status == Order.Status.REFUNDED
    assert order.stripe_refund_id == refund.id
    assert not Ticket.objects.filter(order=order).exists()
    assert Ticket.objects.filter(order=other, status=Ticket.Status.RESERVED).count() == 3
    [message] = mail.outbox
    assert message.to == [buyer.email]
    assert "6,50\u00a0€" in message.body


@pytest.mark.django_db
def test_refunded_charge_voids_the_tickets(localstripe, lottery, buyer, webhook_post):
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    assert webhook_post(_paid_event(localstripe, order)).status_code == 200
    refund = localstripe.client.v1.refunds.create(
        params={"payment_intent": order.stripe_payment_intent_id},
        options=localstripe.on(order.stripe_account_id),
    )
    charge = localstripe.payment_intent(order.stripe_payment_intent_id).latest_charge.to_dict()
    charge.update(refunded=True, refunds={"object": "list", "data": [refund.to_dict()]})

    assert webhook_post(_event("charge.refunded", charge, "evt_refunded_1")).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.stripe_refund_id == refund.id
    assert Ticket.objects.filter(order=order, status=Ticket.Status.VOID).count() == 2


@pytest.mark.django_db
def test_stripe_unreachable_while_refunding_answers_503_so_stripe_retries(
    localstripe, buyer, webhook_post, settings
):
    lottery = open_lottery(ticket_cap=2, ticket_price_cents=300)
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)
    payload = _paid_event(localstripe, order)
    services.reservations_expire(now=timezone.now() + timedelta(hours=1))
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    live_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    assert webhook_post(payload).status_code == 503
    assert not StripeEvent.objects.exists()

    settings.STRIPE_API_BASE = live_base
    assert webhook_post(payload).status_code == 200
    assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1


@pytest.mark.django_db
def test_a_payment_no_order_holds_is_refunded(localstripe, lottery, buyer, webhook_post):
    """E.g. a second PaymentIntent made for an order: its money is never kept."""
    order = reserve_with_intent(lottery=lottery, buyer=buyer)
    account = order.stripe_account_id
    stray = localstripe.client.v1.payment_intents.create(
        params={"amount": 325, "currency": "eur", "metadata": {"order_id": str(order.pk)}},
        options=localstripe.on(account),
    )
    _pay_on(localstripe, stray, account)

    payload = _event(
        SUCCEEDED, localstripe.payment_intent(stray.id, account).to_dict(), "evt_s", account
    )
    assert webhook_post(payload).status_code == 200

    refunds = localstripe.client.v1.refunds.list(
        params={"payment_intent": stray.id}, options=localstripe.on(account)
    ).data
    assert len(refunds) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING  # its own PaymentIntent is untouched


@pytest.mark.django_db
def test_a_payment_from_another_application_is_ignored(localstripe, webhook_post):
    stray = localstripe.client.v1.payment_intents.create(params={"amount": 900, "currency": "eur"})
    localstripe.pay(stray.id)

    response = webhook_post(localstripe.event_payload(SUCCEEDED, stray.id))

    assert response.status_code == 200 and response.content == b"unknown"
    assert localstripe.refunds(stray.id) == []
