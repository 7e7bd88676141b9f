"""Stripe webhooks: check the signature, then apply each event exactly once.

Two endpoints: the platform's own events, and the events of the associations'
connected accounts (Stripe Connect), each with its signing secret. An event names
its account (`account`); it is applied only to what belongs to that account: an
event from account X about an order paid on account Y is refused (400), recorded,
and changes nothing.

The event's row in `StripeEvent` is written in the same transaction as its effect:
a crash half-way leaves nothing, so Stripe's retry redoes the whole event, and a
second delivery (even a concurrent one) waits on the unique event id and stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connect import selectors as connect_selectors
from connect import services as connect_services

from . import payments, webhook_checks
from .models import Order, StripeEvent

logger = logging.getLogger(__name__)

# Each handler gets the event's object and the account it came from ("" = platform).
EventHandler = Callable[[dict[str, Any], str], str]

EVENT_HANDLERS: dict[str, EventHandler] = {
    "payment_intent.succeeded": lambda obj, account: payments.payment_success_apply(
        intent=obj, account=account
    ),
    "payment_intent.payment_failed": lambda obj, _: payments.payment_failure_apply(intent=obj),
    "payment_intent.canceled": lambda obj, _: payments.payment_cancel_apply(intent=obj),
    "charge.refunded": lambda obj, _: payments.charge_refund_apply(charge=obj),
    "charge.dispute.created": lambda obj, _: payments.dispute_apply(dispute=obj),
    "account.updated": lambda obj, _: connect_services.account_sync(account=obj),
    "account.application.deauthorized": lambda _, account: connect_services.account_deauthorized(
        account_id=account
    ),
}


class EventRefused(Exception):
    """A signed event about something that does not belong to the account it names."""


def _orders_named(obj: dict[str, Any]) -> tuple[Order | None, Order | None]:
    """The order holding the event's PaymentIntent, and the order its metadata names."""
    intent_id = (
        obj.get("id") if obj.get("object") == "payment_intent" else obj.get("payment_intent")
    )
    holder = None
    if isinstance(intent_id, str) and intent_id:
        holder = Order.objects.filter(stripe_payment_intent_id=intent_id).first()
    named = None
    order_id = str((obj.get("metadata") or {}).get("order_id", ""))
    if holder is None and order_id.isdigit() and len(order_id) < 19:
        named = Order.objects.filter(pk=int(order_id)).select_related("lottery").first()
    return holder, named


def event_scope_check(*, event: dict[str, Any]) -> None:
    """Raise EventRefused unless what the event is about belongs to the account it names."""
    account = event.get("account") or ""
    obj = event["data"]["object"]
    if event["type"].startswith("account."):
        known = account and connect_selectors.account_by_stripe_id(account_id=account)
        target = obj.get("id") if event["type"] == "account.updated" else account
        if not known or target != account:
            raise EventRefused(f"account event for {target!r} from {account!r}")
        return
    holder, named = _orders_named(obj)
    if holder is not None and holder.stripe_account_id != account:
        raise EventRefused(f"order {holder.pk} is paid on {holder.stripe_account_id!r}")
    # A PaymentIntent no order holds but whose metadata names one of ours (made twice,
    # or a crash between its creation and its record): from a connected account, it
    # must be an account of that order's association.
    if named is not None and account and not _belongs_to(named, account):
        raise EventRefused(f"order {named.pk} does not belong to {account!r}")


def _belongs_to(order: Order, account: str) -> bool:
    found = connect_selectors.account_by_stripe_id(account_id=account)
    return found is not None and found.association_id == order.lottery.association_id


# Events worth fetching again from Stripe in case their webhook never came.
REPLAYED_EVENT_TYPES = ("payment_intent.succeeded", "charge.refunded")


def stripe_event_handle(*, event: dict[str, Any]) -> str:
    """Apply one verified Stripe event once; returns what happened ("duplicate" the 2nd time).

    Unknown event types are recorded and otherwise ignored. An event outside its
    account's scope is recorded as "refused" and raises EventRefused. Raises
    PaymentError (nothing recorded) when Stripe must be asked something and cannot
    be reached.
    """
    account = event.get("account") or ""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event["id"], type=event["type"], payload=event, account=account
                )
        except IntegrityError:
            return "duplicate"
        try:
            event_scope_check(event=event)
        except EventRefused as exc:
            logger.error("Stripe event %s refused: %s", event["id"], exc)
            outcome = "refused"
        else:
            handler = EVENT_HANDLERS.get(event["type"])
            outcome = handler(event["data"]["object"], account) if handler else "ignored"
        record.processed_at = timezone.now()
        record.outcome = outcome
        record.save(update_fields=["processed_at", "outcome"])
    logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    if outcome == "refused":
        raise EventRefused(event["id"])
    return outcome


def stripe_events_replay(*, since: datetime) -> dict[str, int]:
    """Fetch recent events from Stripe and apply those not seen yet (lost webhooks).

    The platform's own events, then each connected account's.
    """
    outcomes: dict[str, int] = {}
    accounts = [""] + [a.account_id for a in connect_selectors.accounts_connected()]
    for account in accounts:
        _events_replay(since=since, account=account, outcomes=outcomes)
    return outcomes


def _events_replay(*, since: datetime, account: str, outcomes: dict[str, int]) -> None:
    client = payments.stripe_client()
    options = {"stripe_account": account} if account else {}
    for event_type in REPLAYED_EVENT_TYPES:
        try:
            events = client.v1.events.list(
                params={
                    "type": event_type,
                    "created": {"gte": int(since.timestamp())},
                    "limit": 100,
                },
                options=options,
            )
            fetched = [event.to_dict() for event in events.auto_paging_iter()]
        except stripe.PermissionError:
            logger.warning("Events of %s not replayed: no access any more", account)
            return
        except stripe.StripeError as exc:
            raise payments.PaymentError(str(exc)) from exc
        seen = set(
            StripeEvent.objects.filter(event_id__in=[e["id"] for e in fetched]).values_list(
                "event_id", flat=True
            )
        )
        for event in fetched:
            if account:
                event.setdefault("account", account)
            if event["id"] in seen:
                outcome = "duplicate"
            else:
                try:
                    outcome = stripe_event_handle(event=event)
                except EventRefused:
                    outcome = "refused"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain")


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """The platform's own events; an event of a connected account has no place here."""
    return _webhook_receive(request, secret=settings.STRIPE_WEBHOOK_SECRET, connect=False)


@csrf_exempt
@require_POST
def stripe_connect_webhook(request: HttpRequest) -> HttpResponse:
    """Events of the associations' connected accounts, each naming its account."""
    return _webhook_receive(request, secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET, connect=True)


def _webhook_receive(request: HttpRequest, *, secret: str, connect: bool) -> HttpResponse:
    if not secret:
        # Without a secret anyone could sign an event; accept none.
        logger.error("Stripe webhook called but its signing secret is not set")
        return _error("Webhook not configured.")
    signature = request.headers.get("Stripe-Signature", "")
    try:
        webhook_checks.signature_verify(payload=request.body, header=signature, secret=secret)
    except stripe.SignatureVerificationError as exc:
        logger.warning("Stripe webhook: signature refused: %s", exc)
        return _error("Invalid signature.")
    except (ValueError, TypeError):
        # A body that is not text: nothing can have signed it.
        return _error("Invalid signature.")
    try:
        event = webhook_checks.event_parse(payload=request.body, connect=connect)
        outcome = stripe_event_handle(event=event)
    except EventRefused:
        return _error("This event is not about this account.")
    except payments.PaymentError:
        # Nothing was recorded: Stripe delivers the event again later.
        return _error("Try again later.", 503)
    except (ValueError, TypeError, KeyError, AttributeError, DataError) as exc:
        # Signed, but of a shape the handlers cannot read or the database cannot
        # store; whatever it began to change was rolled back.
        reason = str(exc) if isinstance(exc, webhook_checks.EventMalformed) else "unreadable"
        webhook_checks.malformed_record(payload=request.body, reason=reason, connect=connect)
        return _error("Malformed event.")
    return _text(outcome)
