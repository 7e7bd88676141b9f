"""Stripe Connect for localstripe, which has none: accounts, OAuth, scoping, fees, events.

What it adds, with the shapes Stripe documents:

- platforms: a secret key belongs to a platform with a Connect client id (`ca_…`) and
  its registered redirect URIs (`POST /_config/connect/platforms`);
- OAuth for Standard accounts: `GET /oauth/authorize` shows a consent page whose form
  (`POST /oauth/authorize`) creates an account and redirects to the redirect URI with
  `code` and `state`, or `error=access_denied`; `POST /oauth/token` exchanges a code once,
  only with the key of the platform it was issued for (`invalid_grant` otherwise);
  `POST /oauth/deauthorize` disconnects;
- `GET /v1/accounts/{id}`, readable by the platform the account is connected to;
- the `Stripe-Account` header: a request made for a connected account sees and creates
  only that account's objects, and is refused (403) for an account not connected to
  the key's platform;
- `application_fee_amount` on PaymentIntents (direct charges only), Stripe's fee and
  the application fee on the charge's balance transaction, a balance per account;
- events on connected accounts carry `account` and go to Connect endpoints only
  (`POST /_config/connect/webhooks/{id}`), platform events to platform endpoints;
- test knobs: `POST /_config/connect/accounts/{id}` changes an account's state and sends
  `account.updated`; `POST /_config/connect/accounts/{id}/deauthorize` is the account
  holder disconnecting the platform from their own dashboard.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import hmac
import html
import json
import secrets
import time
import urllib.parse

import aiohttp
from aiohttp import web
from localstripe import resources, server, webhooks
from localstripe.errors import UserError

ACCOUNT: contextvars.ContextVar[str | None] = contextvars.ContextVar("account", default=None)

PLATFORMS: dict[str, dict] = {}  # client id -> {"secret_key", "redirect_uris", "name"}
ACCOUNTS: dict[str, dict] = {}  # account id -> the account object
CONNECTIONS: dict[str, str] = {}  # account id -> client id of the platform it is connected to
CODES: dict[str, dict] = {}  # authorization code -> {"client_id", "account", "used"}
CONNECT_WEBHOOKS: dict[str, tuple[str, str]] = {}  # id -> (url, secret)

# Stripe's standard pricing for European cards, as Stripe France publishes it.
STRIPE_FEE_PERCENT_TENTHS = 15  # 1.5 %
STRIPE_FEE_FIXED_CENTS = 25


def stripe_fee(amount: int) -> int:
    return (amount * STRIPE_FEE_PERCENT_TENTHS + 500) // 1000 + STRIPE_FEE_FIXED_CENTS


def _error(status: int, message: str, *, kind: str = "invalid_request_error") -> web.Response:
    return server.json_response({"error": {"message": message, "type": kind}}, status=status)


def _oauth_error(code: str, description: str) -> web.Response:
    return server.json_response({"error": code, "error_description": description}, status=400)


def _platform_of_key(request: web.Request) -> str | None:
    key = server.get_api_key(request)
    for client_id, platform in PLATFORMS.items():
        if platform["secret_key"] == key:
            return client_id
    return None


def _account_new(*, name: str, ready: bool) -> dict:
    account_id = "acct_" + secrets.token_hex(8)
    due = [] if ready else ["external_account", "representative.first_name"]
    ACCOUNTS[account_id] = {
        "id": account_id,
        "object": "account",
        "type": "standard",
        "country": "FR",
        "default_currency": "eur",
        "email": None,
        "business_profile": {"name": name or None},
        "charges_enabled": ready,
        "payouts_enabled": ready,
        "details_submitted": ready,
        "requirements": {
            "currently_due": due,
            "eventually_due": due,
            "past_due": [],
            "disabled_reason": None if ready else "requirements.past_due",
        },
        "created": int(time.time()),
    }
    return ACCOUNTS[account_id]


def _event_send(*, type: str, data: dict, account: str) -> dict:
    """An event on a connected account, stored (listable with its header) and delivered."""
    token = ACCOUNT.set(account)
    try:
        event = resources.Event(type, _Raw(data))
        event.account = account
    finally:
        ACCOUNT.reset(token)
    webhooks.schedule_webhook(event)
    return event._export()


class _Raw:
    def __init__(self, data: dict) -> None:
        self.data = data

    def _export(self) -> dict:
        return json.loads(json.dumps(self.data))


# --- Scoping every object to the account it was made for ----------------------------

_object_init = resources.StripeObject.__init__
_object_retrieve = resources.StripeObject._api_retrieve.__func__
_list_position = resources.List._compute_starting_pos


def _init(self, *args, **kwargs):
    _object_init(self, *args, **kwargs)
    self._account = ACCOUNT.get()
    if isinstance(self, resources.Event) and self._account:
        self.account = self._account


def _retrieve(cls, id):
    obj = _object_retrieve(cls, id)
    if getattr(obj, "_account", None) != ACCOUNT.get():
        raise UserError(404, f"No such {cls.object}: '{id}'")
    return obj


def _position(self):
    if self._starting_pos is None:
        current = ACCOUNT.get()
        self._list = [o for o in self._list if getattr(o, "_account", None) == current]
    return _list_position(self)


resources.StripeObject.__init__ = _init
resources.StripeObject._api_retrieve = classmethod(_retrieve)
resources.List._compute_starting_pos = _position


# --- Application fees and Stripe's fee -------------------------------------------------

_intent_create = resources.PaymentIntent._api_create.__func__
_intent_charge = resources.PaymentIntent._create_charge
_txn_init = resources.BalanceTransaction.__init__


def _intent_create_with_fee(cls, application_fee_amount=None, **data):
    fee = resources.try_convert_to_int(application_fee_amount)
    if fee is not None:
        if ACCOUNT.get() is None:
            raise UserError(
                400,
                "Can only apply an application_fee_amount when the PaymentIntent is "
                "attempting a direct payment (using an OAuth key or Stripe-Account header) "
                "or destination payment (using `transfer_data[destination]`).",
            )
        amount = resources.try_convert_to_int(data.get("amount"))
        if not isinstance(fee, int) or fee < 0 or (isinstance(amount, int) and fee > amount):
            raise UserError(400, "Invalid application_fee_amount.")
    obj = _intent_create(cls, **data)
    obj.application_fee_amount = fee
    return obj


def _intent_charge_with_fee(self, on_failure_now):
    _intent_charge(self, on_failure_now)
    charge = self.latest_charge
    charge.application_fee_amount = getattr(self, "application_fee_amount", None)
    charge.application_fee = (
        "fee_" + secrets.token_hex(7) if charge.application_fee_amount else None
    )


def _txn_init_with_fees(self, *args, **kwargs):
    _txn_init(self, *args, **kwargs)
    if self.type != "charge":
        return
    charge = resources.Charge._api_retrieve(self.source)
    details = [{"type": "stripe_fee", "amount": stripe_fee(self.amount), "currency": "eur"}]
    intent = (
        resources.PaymentIntent._api_retrieve(charge.payment_intent)
        if charge.payment_intent
        else None
    )
    application_fee = getattr(intent, "application_fee_amount", None)
    if application_fee:
        details.append({"type": "application_fee", "amount": application_fee, "currency": "eur"})
    self.fee_details = details
    self.fee = sum(d["amount"] for d in details)


_refund_init = resources.Refund.__init__


def _refund_init_with_fee(self, *args, refund_application_fee=None, **kwargs):
    # `refund_application_fee` returns the platform's fee with the payment; only the
    # platform that took the fee, acting on the account, may ask for it.
    wanted = (
        resources.try_convert_to_bool(refund_application_fee)
        if refund_application_fee is not None
        else False
    )
    if wanted and ACCOUNT.get() is None:
        raise UserError(400, "refund_application_fee applies to charges with an application fee.")
    _refund_init(self, *args, **kwargs)
    charge = resources.Charge._api_retrieve(self.charge)
    fee = getattr(charge, "application_fee_amount", None) or 0
    self.refund_application_fee = bool(wanted)
    # What went back to the account from the platform (an application fee refund).
    self._fee_returned = fee if wanted else 0


resources.PaymentIntent._api_create = classmethod(_intent_create_with_fee)
resources.Refund.__init__ = _refund_init_with_fee
resources.PaymentIntent._create_charge = _intent_charge_with_fee
resources.BalanceTransaction.__init__ = _txn_init_with_fees


def _balance() -> dict:
    current = ACCOUNT.get()
    total = sum(
        o.amount - o.fee if o.type == "charge" else o.amount
        for key, o in resources.store.items()
        if key.startswith("balance_transaction:") and getattr(o, "_account", None) == current
    )
    total += sum(
        getattr(o, "_fee_returned", 0)
        for key, o in resources.store.items()
        if key.startswith("refund:") and getattr(o, "_account", None) == current
    )
    paid_out = sum(
        o.amount
        for key, o in resources.store.items()
        if key.startswith("payout:") and getattr(o, "_account", None) == current
    )
    available = total - paid_out
    return {
        "object": "balance",
        "livemode": False,
        "available": [{"amount": available, "currency": "eur", "source_types": {"card": 0}}],
        "pending": [{"amount": 0, "currency": "eur", "source_types": {"card": 0}}],
    }


# --- Webhooks: platform events to platform endpoints, account events to Connect ones ----


async def _deliver(url: str, secret: str, payload: bytes, created: int) -> None:
    signature = hmac.new(secret.encode(), b"%d.%s" % (created, payload), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": f"t={created},v1={signature}",
    }
    async with aiohttp.ClientSession() as session:
        try:
            async with session.post(url, data=payload, headers=headers) as response:
                await response.read()
        except aiohttp.ClientError:
            pass


async def _send_webhook(event) -> None:
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode()
    await asyncio.sleep(0.3)
    if getattr(event, "account", None):
        targets = list(CONNECT_WEBHOOKS.values())
    else:
        targets = [
            (hook.url, hook.secret)
            for hook in webhooks._webhooks.values()
            if hook.events is None or event.type in hook.events
        ]
    for url, secret in targets:
        await _deliver(url, secret, payload, event.created)


webhooks._send_webhook = _send_webhook


# --- Routes --------------------------------------------------------------------------

CONSENT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connect with Stripe</title></head>
<body><main>
<h1>Connect your Stripe account to {platform}</h1>
<form method="post" action="/oauth/authorize">
{hidden}
<p><label for="business_name">Business name</label>
<input id="business_name" name="business_name" value=""></p>
<p><label><input type="checkbox" name="incomplete" value="1"> Leave the account's
details to finish later</label></p>
<p><button type="submit" name="decision" value="allow">Connect my Stripe account</button>
<button type="submit" name="decision" value="deny">Deny access</button></p>
</form></main></body></html>
"""


def _redirect_check(client_id: str, redirect_uri: str | None) -> str | None:
    platform = PLATFORMS.get(client_id)
    if platform is None:
        return None
    uris = platform["redirect_uris"]
    if not redirect_uri:
        return uris[0] if uris else None
    return redirect_uri if redirect_uri in uris else None


async def oauth_authorize_page(request: web.Request) -> web.Response:
    query = request.query
    client_id = query.get("client_id", "")
    redirect_uri = _redirect_check(client_id, query.get("redirect_uri"))
    if redirect_uri is None or query.get("response_type") != "code":
        return web.Response(status=400, text="Invalid client_id or redirect_uri.")
    hidden = "\n".join(
        f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">'
        for name in ("client_id", "state", "redirect_uri", "scope")
    )
    page = CONSENT_PAGE.format(platform=html.escape(PLATFORMS[client_id]["name"]), hidden=hidden)
    return web.Response(text=page, content_type="text/html")


async def oauth_authorize_decide(request: web.Request) -> web.Response:
    form = await request.post()
    client_id = form.get("client_id", "")
    redirect_uri = _redirect_check(client_id, form.get("redirect_uri") or None)
    if redirect_uri is None:
        return web.Response(status=400, text="Invalid client_id or redirect_uri.")
    params = {"state": form.get("state", "")}
    if form.get("decision") == "allow":
        # The person may pick an account they already hold (Stripe lists them).
        account = ACCOUNTS.get(form.get("account", "")) or _account_new(
            name=form.get("business_name", ""), ready=not form.get("incomplete")
        )
        code = "ac_" + secrets.token_hex(12)
        CODES[code] = {"client_id": client_id, "account": account["id"], "used": False}
        params["code"] = code
        params["scope"] = form.get("scope") or "read_write"
    else:
        params["error"] = "access_denied"
        params["error_description"] = "The user denied your request"
    separator = "&" if "?" in redirect_uri else "?"
    raise web.HTTPFound(redirect_uri + separator + urllib.parse.urlencode(params))


async def oauth_token(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    platform = _platform_of_key(request) or PLATFORMS_BY_SECRET.get(data.get("client_secret"))
    if platform is None:
        return _oauth_error("invalid_client", "No such platform for this key.")
    if data.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "Only authorization_code is supported.")
    code = data.get("code", "")
    grant = CODES.get(code)
    if grant is None or grant["client_id"] != platform:
        return _oauth_error("invalid_grant", f"Authorization code does not exist: {code}")
    if grant["used"]:
        return _oauth_error("invalid_grant", f"Authorization code already used: {code}")
    grant["used"] = True
    CONNECTIONS[grant["account"]] = platform
    return server.json_response(
        {
            "access_token": "sk_test_" + secrets.token_hex(12),
            "livemode": False,
            "refresh_token": "rt_" + secrets.token_hex(12),
            "scope": "read_write",
            "stripe_publishable_key": "pk_test_" + secrets.token_hex(12),
            "stripe_user_id": grant["account"],
            "token_type": "bearer",
        }
    )


PLATFORMS_BY_SECRET: dict[str, str] = {}


def _deauthorize(account_id: str) -> None:
    client_id = CONNECTIONS.pop(account_id)
    _event_send(
        type="account.application.deauthorized",
        data={"id": client_id, "object": "application", "name": PLATFORMS[client_id]["name"]},
        account=account_id,
    )


async def oauth_deauthorize(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    platform = _platform_of_key(request)
    account_id = data.get("stripe_user_id", "")
    if platform is None or data.get("client_id") != platform:
        return _oauth_error("invalid_client", "No such application.")
    if CONNECTIONS.get(account_id) != platform:
        return _oauth_error("invalid_client", f"This application is not connected to {account_id}.")
    _deauthorize(account_id)
    return server.json_response({"stripe_user_id": account_id})


async def account_retrieve(request: web.Request, account_id: str) -> web.Response:
    platform = _platform_of_key(request)
    if account_id not in ACCOUNTS or platform is None or CONNECTIONS.get(account_id) != platform:
        return _no_access(request, account_id)
    return server.json_response(ACCOUNTS[account_id])


def _no_access(request: web.Request, account_id: str) -> web.Response:
    key = server.get_api_key(request) or ""
    return _error(
        403,
        f"The provided key '{key[:8]}…' does not have access to account '{account_id}' (or "
        "that account does not exist). Application access may have been revoked.",
        kind="invalid_request_error",
    )


async def config_platform(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    client_id = data.get("client_id", "")
    uris = data.get("redirect_uris") or []
    if not client_id.startswith("ca_") or not data.get("secret_key"):
        raise UserError(400, "Bad request")
    PLATFORMS[client_id] = {
        "secret_key": data["secret_key"],
        "redirect_uris": uris if isinstance(uris, list) else [uris],
        "name": data.get("name") or "Platform",
    }
    PLATFORMS_BY_SECRET[data["secret_key"]] = client_id
    return web.Response()


async def config_account(request: web.Request, account_id: str) -> web.Response:
    """Create (with `client_id`: already connected) or change an account; sends account.updated."""
    data = await server.get_post_data(request) or {}
    if account_id not in ACCOUNTS:
        account = _account_new(name=data.get("name", ""), ready=True)
        ACCOUNTS[account_id] = dict(account, id=account_id)
        del ACCOUNTS[account["id"]]
    account = ACCOUNTS[account_id]
    if data.get("client_id") in PLATFORMS:
        CONNECTIONS[account_id] = data["client_id"]
    for field in ("charges_enabled", "payouts_enabled", "details_submitted"):
        if field in data:
            account[field] = resources.try_convert_to_bool(data[field])
    if "currently_due" in data:
        due = data["currently_due"] or []
        due = due if isinstance(due, list) else [due]
        account["requirements"]["currently_due"] = due
        account["requirements"]["disabled_reason"] = "requirements.past_due" if due else None
    if account_id in CONNECTIONS and data.get("send_event", True) not in (False, "false"):
        _event_send(type="account.updated", data=account, account=account_id)
    return server.json_response(account)


async def config_account_deauthorize(request: web.Request, account_id: str) -> web.Response:
    if account_id not in CONNECTIONS:
        raise UserError(404, "Not connected")
    _deauthorize(account_id)
    return web.Response()


async def config_connect_webhook(request: web.Request, hook_id: str) -> web.Response:
    data = await server.get_post_data(request) or {}
    if not data.get("url") or not data.get("secret"):
        raise UserError(400, "Bad request")
    if data.get("off"):
        CONNECT_WEBHOOKS.pop(hook_id, None)
    else:
        CONNECT_WEBHOOKS[hook_id] = (data["url"], data["secret"])
    return web.Response()


async def config_connect_reset(request: web.Request) -> web.Response:
    for table in (ACCOUNTS, CONNECTIONS, CODES, CONNECT_WEBHOOKS):
        table.clear()
    return web.Response()


ROUTES = {
    ("GET", "/oauth/authorize"): oauth_authorize_page,
    ("POST", "/oauth/authorize"): oauth_authorize_decide,
    ("POST", "/oauth/token"): oauth_token,
    ("POST", "/oauth/deauthorize"): oauth_deauthorize,
    ("POST", "/_config/connect/platforms"): config_platform,
    ("DELETE", "/_config/connect/data"): config_connect_reset,
}
PATTERN_ROUTES = (
    ("GET", "/v1/accounts/", account_retrieve),
    ("POST", "/_config/connect/webhooks/", config_connect_webhook),
)


@web.middleware
async def connect(request: web.Request, handler):
    """Connect's routes, and the `Stripe-Account` scope of every other request."""
    route = ROUTES.get((request.method, request.path))
    if route is not None:
        return await route(request)
    for method, prefix, view in PATTERN_ROUTES:
        if request.method == method and request.path.startswith(prefix):
            return await view(request, request.path[len(prefix) :])
    if request.path.startswith("/_config/connect/accounts/"):
        rest = request.path[len("/_config/connect/accounts/") :]
        if rest.endswith("/deauthorize"):
            return await config_account_deauthorize(request, rest[: -len("/deauthorize")])
        return await config_account(request, rest)
    account_id = request.headers.get("Stripe-Account")
    if account_id is None:
        token = ACCOUNT.set(None)
    else:
        platform = _platform_of_key(request)
        if platform is None or CONNECTIONS.get(account_id) != platform:
            return _no_access(request, account_id)
        token = ACCOUNT.set(account_id)
    try:
        if request.method == "GET" and request.path == "/v1/balance":
            return server.json_response(_balance())
        return await handler(request)
    finally:
        ACCOUNT.reset(token)
