"""Connecting an association's Stripe account (OAuth, Standard accounts) and keeping it current.

The OAuth `state` is a random token stored with the association and the person who
started the connection; the return is accepted once, by that person, within
`STATE_MINUTES`, and only while they still manage the association. Anything else
is refused with `ConnectRefused` and changes nothing.
"""

from __future__ import annotations

import logging
import secrets
import urllib.parse
from datetime import timedelta
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from stripe import oauth_error

from associations.selectors import association_can_manage
from assosolos.effects import on_commit, signal_on_commit

from .models import ConnectState, PaymentAccount
from .selectors import account_balance_forget, account_of
from .signals import payment_account_changed
from .stripe_api import PaymentError, connect_base, stripe_client, stripe_unavailable

logger = logging.getLogger(__name__)

STATE_MINUTES = 30


class ConnectRefused(Exception):
    """A connection return that must change nothing. The message can be shown as it is."""


def _changed(account: PaymentAccount) -> None:
    on_commit(account_balance_forget, account_id=account.account_id)
    signal_on_commit(
        payment_account_changed,
        sender=PaymentAccount,
        association_id=account.association_id,
        ready=account.ready,
    )


def _return_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("connect:return")


def connect_start(*, association: Any, actor: Any) -> str:
    """Begin connecting a Stripe account: the URL of Stripe's consent page for this attempt."""
    if not settings.STRIPE_CONNECT_CLIENT_ID or not settings.STRIPE_SECRET_KEY:
        raise PaymentError(_("Connecting a Stripe account is not configured on this platform."))
    if not association_can_manage(user=actor, association=association):
        raise ConnectRefused(_("Only the association's owners and admins connect its account."))
    if account_of(association_id=association.pk) is not None:
        raise ConnectRefused(_("This association's Stripe account is already connected."))
    state = ConnectState.objects.create(
        token=secrets.token_urlsafe(32), association=association, actor=actor
    )
    query = {
        "response_type": "code",
        "client_id": settings.STRIPE_CONNECT_CLIENT_ID,
        "scope": "read_write",
        "state": state.token,
        "redirect_uri": _return_url(),
        "stripe_user[business_type]": "non_profit",
        "stripe_user[country]": "FR",
        "stripe_user[business_name]": association.name,
    }
    return f"{connect_base()}/oauth/authorize?{urllib.parse.urlencode(query)}"


def _state_take(*, actor: Any, token: str) -> ConnectState:
    """The attempt this return belongs to, used up now; refuses any other."""
    if not token:
        raise ConnectRefused(_("This return from Stripe carries no connection request."))
    state = ConnectState.objects.select_related("association").filter(token=token).first()
    if state is None or state.actor_id != getattr(actor, "pk", None):
        raise ConnectRefused(_("This connection request is not one of yours."))
    if state.used_at is not None:
        raise ConnectRefused(_("This connection request was already used."))
    if state.created_at < timezone.now() - timedelta(minutes=STATE_MINUTES):
        raise ConnectRefused(_("This connection request has expired; start again."))
    if not association_can_manage(user=actor, association=state.association):
        raise ConnectRefused(_("You no longer manage this association."))
    taken = ConnectState.objects.filter(pk=state.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not taken:
        raise ConnectRefused(_("This connection request was already used."))
    return state


def _account_fields(account: dict[str, Any]) -> dict[str, Any]:
    requirements = account.get("requirements") or {}
    due = list(requirements.get("currently_due") or []) + list(requirements.get("past_due") or [])
    return {
        "charges_enabled": bool(account.get("charges_enabled")),
        "payouts_enabled": bool(account.get("payouts_enabled")),
        "details_submitted": bool(account.get("details_submitted")),
        "requirements_due": sorted(set(due)),
        "disabled_reason": requirements.get("disabled_reason") or "",
        "synced_at": timezone.now(),
    }


def connect_finish(*, actor: Any, state: str, code: str = "", error: str = "") -> PaymentAccount:
    """Finish a connection on return from Stripe. Raises ConnectRefused or PaymentError."""
    with transaction.atomic():
        attempt = _state_take(actor=actor, token=state)
    if error or not code:
        raise ConnectRefused(_("The Stripe account was not connected; nothing changed."))
    client = stripe_client()
    try:
        token = client.oauth.token(params={"grant_type": "authorization_code", "code": code})
        account = client.v1.accounts.retrieve(token.stripe_user_id).to_dict()
    except oauth_error.OAuthError as exc:
        logger.warning("Stripe refused a connection code: %s", exc)
        raise ConnectRefused(
            _("Stripe did not accept this connection (expired, or not for this platform).")
        ) from exc
    except stripe.StripeError as exc:
        raise stripe_unavailable(exc) from exc
    association = attempt.association
    with transaction.atomic():
        taken = PaymentAccount.objects.filter(account_id=account["id"]).first()
        if taken is not None and taken.association_id != association.pk:
            raise ConnectRefused(_("This Stripe account already belongs to another association."))
        fields = _account_fields(account)
        try:
            if taken is None:
                row = PaymentAccount.objects.create(
                    association=association,
                    account_id=account["id"],
                    connected_by=actor,
                    **fields,
                )
            else:
                for name, value in fields.items():
                    setattr(taken, name, value)
                taken.disconnected_at = None
                taken.connected_at = timezone.now()
                taken.connected_by = actor
                taken.save()
                row = taken
        except IntegrityError as exc:
            raise ConnectRefused(
                _("This association's Stripe account is already connected.")
            ) from exc
        _changed(row)
    logger.info("Association %s connected Stripe account %s", association.pk, row.account_id)
    return row


def account_sync(*, account: dict[str, Any]) -> str:
    """Apply an account's state as Stripe reports it (`account.updated`, or a refresh)."""
    row = PaymentAccount.objects.select_for_update().filter(account_id=account.get("id")).first()
    if row is None:
        return "unknown"
    for name, value in _account_fields(account).items():
        setattr(row, name, value)
    row.save()
    _changed(row)
    return "updated"


def account_refresh(*, association: Any) -> PaymentAccount | None:
    """Read the connected account from Stripe now. Raises PaymentError."""
    row = account_of(association_id=association.pk)
    if row is None:
        return None
    try:
        account = stripe_client().v1.accounts.retrieve(row.account_id).to_dict()
    except stripe.PermissionError:
        # The platform lost access: the account was disconnected from Stripe's side.
        with transaction.atomic():
            account_deauthorized(account_id=row.account_id)
        return None
    except stripe.StripeError as exc:
        raise stripe_unavailable(exc) from exc
    with transaction.atomic():
        account_sync(account=account)
    row.refresh_from_db()
    return row


def account_deauthorized(*, account_id: str) -> str:
    """The account no longer lets the platform act on it: online sales stop at once."""
    row = PaymentAccount.objects.select_for_update().filter(account_id=account_id).first()
    if row is None:
        return "unknown"
    if row.disconnected_at is None:
        row.disconnected_at = timezone.now()
        row.charges_enabled = False
        row.save(update_fields=["disconnected_at", "charges_enabled"])
        logger.warning("Stripe account %s of association %s disconnected", account_id, row.pk)
        _changed(row)
    return "disconnected"


def account_disconnect(*, association: Any, actor: Any) -> bool:
    """A manager disconnects the association's account from the platform. Raises PaymentError."""
    if not association_can_manage(user=actor, association=association):
        raise ConnectRefused(_("Only the association's owners and admins disconnect its account."))
    row = account_of(association_id=association.pk)
    if row is None:
        return False
    try:
        stripe_client().oauth.deauthorize(
            params={
                "client_id": settings.STRIPE_CONNECT_CLIENT_ID,
                "stripe_user_id": row.account_id,
            }
        )
    except oauth_error.OAuthError as exc:
        # Already disconnected on Stripe's side: record it here too.
        logger.info("Deauthorizing %s: %s", row.account_id, exc)
    except stripe.StripeError as exc:
        raise stripe_unavailable(exc) from exc
    with transaction.atomic():
        account_deauthorized(account_id=row.account_id)
    return True
