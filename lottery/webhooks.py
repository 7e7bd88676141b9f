"""Stripe webhooks: check the signature, then apply each event exactly once.

The event's row in `StripeEvent` is written in the same transaction as its effect:
a crash half-way leaves nothing, so Stripe's retry redoes the whole event, and a
second delivery (even a concurrent one) waits on the unique event id and stops.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import payments
from .models import StripeEvent

logger = logging.getLogger(__name__)

EventHandler = Callable[[dict[str, Any]], str]

EVENT_HANDLERS: dict[str, EventHandler] = {
    "payment_intent.succeeded": lambda obj: payments.payment_success_apply(intent=obj),
    "payment_intent.payment_failed": lambda obj: payments.payment_failure_apply(intent=obj),
    "payment_intent.canceled": lambda obj: payments.payment_cancel_apply(intent=obj),
    "charge.refunded": lambda obj: payments.charge_refund_apply(charge=obj),
}

# Events worth fetching again from Stripe in case their webhook never came.
REPLAYED_EVENT_TYPES = ("payment_intent.succeeded", "charge.refunded")


def stripe_event_handle(*, event: dict[str, Any]) -> str:
    """Apply one verified Stripe event once; returns what happened ("duplicate" the 2nd time).

    Unknown event types are recorded and otherwise ignored. Raises PaymentError
    (nothing recorded) when Stripe must be asked something and cannot be reached.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event["id"], type=event["type"], payload=event
                )
        except IntegrityError:
            return "duplicate"
        handler = EVENT_HANDLERS.get(event["type"])
        outcome = handler(event["data"]["object"]) if handler else "ignored"
        record.processed_at = timezone.now()
        record.save(update_fields=["processed_at"])
    logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return outcome


def stripe_events_replay(*, since: datetime) -> dict[str, int]:
    """Fetch recent events from Stripe and apply those not seen yet (lost webhooks)."""
    client = payments.stripe_client()
    outcomes: dict[str, int] = {}
    for event_type in REPLAYED_EVENT_TYPES:
        try:
            events = client.v1.events.list(
                params={
                    "type": event_type,
                    "created": {"gte": int(since.timestamp())},
                    "limit": 100,
                }
            )
            fetched = [event.to_dict() for event in events.auto_paging_iter()]
        except stripe.StripeError as exc:
            raise payments.PaymentError(str(exc)) from exc
        seen = set(
            StripeEvent.objects.filter(event_id__in=[e["id"] for e in fetched]).values_list(
                "event_id", flat=True
            )
        )
        for event in fetched:
            outcome = "duplicate" if event["id"] in seen else stripe_event_handle(event=event)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _event_shape_check(event: Any) -> None:
    """Raise ValueError unless this is an event the handlers can read (signed is not enough)."""
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise ValueError("Not a Stripe event object.")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not settings.STRIPE_WEBHOOK_SECRET:
        # Without a secret anyone could sign an event; accept none.
        logger.error("Stripe webhook called but STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponse("Webhook not configured.", status=400, content_type="text/plain")
    signature = request.headers.get("Stripe-Signature", "")
    try:
        stripe.Webhook.construct_event(request.body, signature, settings.STRIPE_WEBHOOK_SECRET)
        event = json.loads(request.body)
        _event_shape_check(event)
    except stripe.SignatureVerificationError:
        return HttpResponse("Invalid signature.", status=400, content_type="text/plain")
    except (ValueError, KeyError, TypeError, AttributeError):
        # Not an event object (stripe's parser fails on e.g. a JSON list).
        return HttpResponse("Malformed event.", status=400, content_type="text/plain")
    try:
        outcome = stripe_event_handle(event=event)
    except payments.PaymentError:
        # Nothing was recorded: Stripe delivers the event again later.
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
