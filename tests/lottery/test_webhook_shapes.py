"""Signed Stripe events of odd shapes: each is refused (400, a JSON error) and recorded.

Signed with the real secrets: a valid signature must not be enough to reach a 500.
"""

import json
import time

import pytest
from django.urls import reverse

from lottery.models import Order, StripeEvent
from tests.factories import UserFactory
from tests.lottery.conftest import (
    CONNECT_WEBHOOK_SECRET,
    WEBHOOK_SECRET,
    reserve_with_intent,
    stripe_signature,
)
from tests.lottery.factories import open_lottery

ENDPOINTS = {
    "platform": ("lottery:stripe_webhook", WEBHOOK_SECRET, None),
    "connect": ("lottery:stripe_connect_webhook", CONNECT_WEBHOOK_SECRET, "acct_1SomeAssociation"),
}


def _post(client, payload: bytes, endpoint: str, *, timestamp=None):
    name, secret, _ = ENDPOINTS[endpoint]
    return client.post(
        reverse(name),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, secret=secret, timestamp=timestamp),
    )


def _envelope(endpoint: str, *, obj=None, event_id="evt_shape", event_type=None) -> dict:
    event = {
        "id": event_id,
        "object": "event",
        "type": event_type or "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {
            "object": {"id": "pi_unknown", "object": "payment_intent"} if obj is None else obj
        },
    }
    account = ENDPOINTS[endpoint][2]
    if account:
        event["account"] = account
    return event


def _shapes(endpoint: str) -> dict[str, bytes]:
    def dumps(event) -> bytes:
        return json.dumps(event).encode()

    metadata_string = _envelope(
        endpoint, obj={"id": "pi_x", "object": "payment_intent", "metadata": "order_id=1"}
    )
    nul_metadata = _envelope(
        endpoint,
        obj={"id": "pi_x", "object": "payment_intent", "metadata": {"order_id": "1\x002"}},
    )
    # Written by hand: json.dumps itself will not go 2,000 deep.
    deep_text = (
        dumps(_envelope(endpoint, event_id="evt_deep"))[:-1]
        + b', "extra": '
        + b'{"a": ' * 2000
        + b"{}"
        + b"}" * 2000
        + b"}"
    )
    return {
        "metadata as a string": dumps(metadata_string),
        "a 5,000-character id": dumps(_envelope(endpoint, event_id="evt_" + "x" * 5000)),
        "a 5,000-character intent id": dumps(
            _envelope(endpoint, obj={"id": "pi_" + "x" * 5000, "object": "payment_intent"})
        ),
        "NUL in the type": dumps(_envelope(endpoint, event_type="payment_intent.succeeded\x00")),
        "NUL in the id": dumps(_envelope(endpoint, event_id="evt_\x00")),
        "NUL in metadata": dumps(nul_metadata),
        "2,000 nested objects": deep_text,
        "2,000 nested lists": dumps(_envelope(endpoint, event_id="evt_list"))[:-1]
        + b', "extra": '
        + b"[" * 2000
        + b"]" * 2000
        + b"}",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize(
    "shape",
    [
        "metadata as a string",
        "a 5,000-character id",
        "a 5,000-character intent id",
        "NUL in the type",
        "NUL in the id",
        "NUL in metadata",
        "2,000 nested objects",
        "2,000 nested lists",
    ],
)
def test_a_signed_event_of_an_odd_shape_is_refused_and_recorded(
    localstripe, client, endpoint, shape, caplog
):
    client.raise_request_exception = False
    payload = _shapes(endpoint)[shape]

    response = _post(client, payload, endpoint)

    assert response.status_code == 400
    assert response.json() == {"error": "Malformed event."}
    [record] = StripeEvent.objects.all()
    assert record.outcome == "malformed" and record.processed_at is not None
    assert record.payload["connect"] == (endpoint == "connect")
    assert "Signed Stripe event refused" in caplog.text


@pytest.mark.django_db
def test_the_same_odd_body_twice_is_recorded_once(localstripe, client):
    payload = _shapes("platform")["metadata as a string"]

    assert _post(client, payload, "platform").status_code == 400
    assert _post(client, payload, "platform").status_code == 400
    assert StripeEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_handler_that_cannot_read_a_field_answers_400_and_changes_nothing(localstripe, client):
    """A refund list of numbers for a real order: refused, the order left as it was."""
    order = reserve_with_intent(lottery=open_lottery(), buyer=UserFactory())
    charge = {
        "id": "ch_x",
        "object": "charge",
        "payment_intent": order.stripe_payment_intent_id,
        "refunded": True,
        "refunds": {"data": [5]},
    }
    event = _envelope("connect", obj=charge, event_type="charge.refunded")
    event["account"] = order.stripe_account_id
    payload = json.dumps(event).encode()

    response = _post(client, payload, "connect")

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert list(StripeEvent.objects.values_list("outcome", flat=True)) == ["malformed"]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_signature_dated_an_hour_ahead_is_refused(localstripe, client, endpoint):
    payload = json.dumps(_envelope(endpoint)).encode()

    response = _post(client, payload, endpoint, timestamp=time.time() + 3600)

    assert response.status_code == 400
    assert response.json() == {"error": "Invalid signature."}
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_signature_a_minute_ahead_is_clock_skew_and_accepted(localstripe, client, endpoint):
    event = _envelope(endpoint, event_type="customer.created", obj={"id": "cus_1"})
    payload = json.dumps(event).encode()

    response = _post(client, payload, endpoint, timestamp=time.time() + 60)

    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome == "ignored"
