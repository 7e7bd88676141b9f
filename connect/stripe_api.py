"""The one place that makes Stripe clients: timeouts, retries, where Stripe lives.

`STRIPE_API_BASE` points the API and the Connect OAuth endpoints at a local fake
server in development and tests; empty, the client talks to Stripe itself.
"""

from __future__ import annotations

import functools
import logging

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# A page must not hang for Stripe's default 80 seconds.
STRIPE_TIMEOUT_SECONDS = 20
STRIPE_NETWORK_RETRIES = 2
STRIPE_CONNECT_BASE = "https://connect.stripe.com"


class PaymentError(Exception):
    """Stripe refused a request or could not be reached. The message can be shown as it is."""


@functools.lru_cache(maxsize=4)
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base, "connect": api_base} if api_base else None,
        max_network_retries=STRIPE_NETWORK_RETRIES,
        http_client=stripe.new_default_http_client(timeout=STRIPE_TIMEOUT_SECONDS),
    )


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentError(_("Online payment is not available at the moment."))
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def connect_base() -> str:
    """Where a person's browser goes to connect an account (Stripe's OAuth pages)."""
    return settings.STRIPE_API_BASE or STRIPE_CONNECT_BASE


def stripe_unavailable(exc: stripe.StripeError) -> PaymentError:
    logger.warning("Stripe request failed: %s", exc)
    return PaymentError(
        _("The payment service did not answer. Nothing was charged; please try again in a moment.")
    )


def on_account(account_id: str | None) -> dict:
    """Request options for a call made on a connected account (none for the platform's own)."""
    return {"stripe_account": account_id} if account_id else {}
