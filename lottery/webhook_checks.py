"""What a signed Stripe event must look like before any handler reads it.

A valid signature proves who sent the body, not that it is an event the handlers
can read or the database can store: a string where an object is expected, an id
longer than its column, a NUL character (PostgreSQL stores none), an object nested
thousands deep. Each is refused here with a short reason, before anything is
applied, and the refusal is recorded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

import stripe
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import StripeEvent

logger = logging.getLogger(__name__)

# Stripe checks only that a signature is not too old; one dated ahead of this
# server's clock by more than this is refused too (clock skew allowance, seconds).
SIGNATURE_FUTURE_ALLOWANCE = 300
# Stripe's events nest a few levels deep; nothing of ours reads deeper.
MAX_DEPTH = 32
# Ids: Stripe's are well under this; the columns holding them are 255 long.
MAX_ID_LENGTH = 255
MAX_TYPE_LENGTH = 100
# Fields of an event's object that, when present, must be an object.
OBJECT_FIELDS = ("metadata", "refunds")
# Fields of an event's object that, when present, must be a short string (or null).
ID_FIELDS = ("id", "payment_intent", "charge", "currency", "status")


class EventMalformed(ValueError):
    """A signed body that is not an event the handlers can apply (or store)."""


def signature_verify(*, payload: bytes, header: str, secret: str) -> None:
    """Raise stripe.SignatureVerificationError unless `header` signs `payload` now.

    Stripe's own check (signature, not older than its tolerance), plus one Stripe
    leaves out: a timestamp in the future beyond a small clock skew.
    """
    stripe.WebhookSignature.verify_header(payload, header, secret, stripe.Webhook.DEFAULT_TOLERANCE)
    timestamp, _ = stripe.WebhookSignature._get_timestamp_and_signatures(
        header, stripe.WebhookSignature.EXPECTED_SCHEME
    )
    if timestamp > time.time() + SIGNATURE_FUTURE_ALLOWANCE:
        raise stripe.SignatureVerificationError(
            f"Timestamp in the future ({timestamp})", header, payload
        )


def event_parse(*, payload: bytes, connect: bool) -> dict[str, Any]:
    """The event in a signed body, or EventMalformed saying why it cannot be one."""
    try:
        event = json.loads(payload)
    except RecursionError as exc:
        raise EventMalformed("nested too deep") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EventMalformed("not JSON") from exc
    _structure_check(event)
    if not (
        isinstance(event, dict)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise EventMalformed("not a Stripe event object")
    for field, limit in (("id", MAX_ID_LENGTH), ("type", MAX_TYPE_LENGTH)):
        value = event.get(field)
        if not isinstance(value, str) or not value or len(value) > limit:
            raise EventMalformed(f"bad {field}")
    account = event.get("account")
    if account is not None and (not isinstance(account, str) or len(account) > MAX_ID_LENGTH):
        raise EventMalformed("bad account")
    if connect != bool(account):
        raise EventMalformed("an event of the wrong kind for this endpoint")
    obj = event["data"]["object"]
    for field in OBJECT_FIELDS:
        if obj.get(field) is not None and not isinstance(obj[field], dict):
            raise EventMalformed(f"bad {field}")
    for field in ID_FIELDS:
        value = obj.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_ID_LENGTH):
            raise EventMalformed(f"bad object {field}")
    return event


def _structure_check(value: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and NUL characters in any string or key."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise EventMalformed("NUL character")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise EventMalformed("nested too deep")
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        else:
            stack.extend((child, depth + 1) for child in item)


def malformed_record(*, payload: bytes, reason: str, connect: bool) -> None:
    """Log a signed but unusable body and keep a trace of it in StripeEvent.

    Its id is made from the body (the event's own may be what is wrong), so a
    second delivery of the same body is recorded once.
    """
    digest = hashlib.sha256(payload).hexdigest()
    logger.warning("Signed Stripe event refused (%s): body sha256 %s", reason, digest)
    excerpt = payload[:500].decode("utf-8", "replace").replace("\x00", "\ufffd")
    try:
        with transaction.atomic():
            StripeEvent.objects.create(
                event_id=f"malformed:{digest}",
                type="malformed",
                payload={"reason": reason, "connect": connect, "excerpt": excerpt},
                outcome="malformed",
                processed_at=timezone.now(),
            )
    except IntegrityError:
        pass
