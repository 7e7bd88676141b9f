"""Fixtures for the lottery tests: a real localstripe server and signed webhooks.

Payments are tested with the real `stripe` library talking to localstripe, a fake
Stripe server started once per test session (see `localstripe_server.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import stripe
from django.urls import reverse

from lottery import payments, services
from lottery.models import Order

SERVER_SCRIPT = Path(__file__).with_name("localstripe_server.py")
SECRET_KEY = "sk_test_assosolos_localstripe"
PUBLISHABLE_KEY = "pk_test_assosolos_localstripe"
WEBHOOK_SECRET = "whsec_assosolos_test_only_secret"
CONNECT_WEBHOOK_SECRET = "whsec_assosolos_test_only_connect"
CONNECT_CLIENT_ID = "ca_assosolos_test_platform"
RETURN_PATH = "/paiements/stripe/retour/"
# Test cards localstripe knows (same numbers as real Stripe's test mode).
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stripe_signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp=None) -> str:
    """A `Stripe-Signature` header as Stripe computes it: HMAC-SHA256 of `<t>.<payload>`."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class LocalStripe:
    """The running fake Stripe, with what the tests do to it from the outside."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.js_url = f"{url}/js.stripe.com/v3/"
        self.client = stripe.StripeClient(
            SECRET_KEY, base_addresses={"api": url}, max_network_retries=0
        )

    def _request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> bytes:
        request = urllib.request.Request(  # noqa: S310 (a local http URL)
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {SECRET_KEY}", **(headers or {})},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.read()

    def reset(self) -> None:
        self._request("DELETE", "/_config/data")
        self._request("DELETE", "/_config/connect/data")
        self.webhooks_off()

    def platform_register(
        self, *, site_url: str, client_id: str = CONNECT_CLIENT_ID, secret_key: str = SECRET_KEY
    ) -> None:
        self._request(
            "POST",
            "/_config/connect/platforms",
            {
                "client_id": client_id,
                "secret_key": secret_key,
                "redirect_uris": [site_url.rstrip("/") + RETURN_PATH],
                "name": "Assosolos",
            },
        )

    def account_put(self, account_id: str, **state) -> dict:
        """Create an account connected to the platform, or change one (sends account.updated)."""
        body = {"client_id": CONNECT_CLIENT_ID, **state}
        return json.loads(self._request("POST", f"/_config/connect/accounts/{account_id}", body))

    def account_deauthorize(self, account_id: str) -> None:
        """The account holder disconnects the platform from their own Stripe dashboard."""
        self._request("POST", f"/_config/connect/accounts/{account_id}/deauthorize", {})

    def connect_webhooks_to(self, url: str, secret: str = CONNECT_WEBHOOK_SECRET) -> None:
        self._request("POST", "/_config/connect/webhooks/assosolos", {"url": url, "secret": secret})

    def on(self, account_id: str) -> dict:
        return {"stripe_account": account_id}

    def consent(
        self,
        authorize_url: str,
        *,
        allow: bool = True,
        incomplete: bool = False,
        business_name: str = "",
        account: str = "",
    ) -> str:
        """Answer Stripe's consent page for `authorize_url`; returns where Stripe redirects."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize_url).query)
        page = urllib.request.urlopen(authorize_url, timeout=10)  # noqa: S310 (local URL)
        assert page.status == 200
        form = {name: query.get(name, [""])[0] for name in ("client_id", "state", "redirect_uri")}
        form["decision"] = "allow" if allow else "deny"
        form["business_name"] = business_name
        form["account"] = account
        if incomplete:
            form["incomplete"] = "1"

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        request = urllib.request.Request(  # noqa: S310 (local URL)
            f"{self.url}/oauth/authorize", data=urllib.parse.urlencode(form).encode()
        )
        try:
            urllib.request.build_opener(Stay).open(request, timeout=10)
        except urllib.error.HTTPError as exc:
            assert exc.code == 302, exc.read()
            return exc.headers["Location"]
        raise AssertionError("the consent page did not redirect")

    def webhooks_to(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        """Have localstripe sign and send its events to `url`, as Stripe would.

        The connected accounts' events go to the Connect endpoint beside it.
        """
        self._request("POST", "/_config/webhooks/assosolos", {"url": url, "secret": secret})
        platform_path = reverse("lottery:stripe_webhook")
        if url.endswith(platform_path):
            connect_url = url[: -len(platform_path)] + reverse("lottery:stripe_connect_webhook")
            self.connect_webhooks_to(connect_url)

    def webhooks_off(self) -> None:
        # localstripe cannot forget an endpoint: subscribe it to no event at all.
        self._request(
            "POST",
            "/_config/webhooks/assosolos",
            {"url": "http://127.0.0.1:9/", "secret": WEBHOOK_SECRET, "events": []},
        )
        self._request(
            "POST",
            "/_config/connect/webhooks/assosolos",
            {"url": "http://127.0.0.1:9/", "secret": CONNECT_WEBHOOK_SECRET, "off": True},
        )

    def _account_of(self, payment_intent_id: str) -> dict:
        # Tests name PaymentIntents; the order knows the account it was made on.
        order = Order.objects.filter(stripe_payment_intent_id=payment_intent_id).first()
        return (
            {"stripe_account": order.stripe_account_id} if order and order.stripe_account_id else {}
        )

    def payment_intent(self, payment_intent_id: str, account: str | None = None):
        options = {"stripe_account": account} if account else self._account_of(payment_intent_id)
        return self.client.v1.payment_intents.retrieve(payment_intent_id, options=options)

    def payment_intents(self, account: str | None = None) -> list:
        accounts = [account] if account else [None, *self.accounts()]
        found = []
        for each in accounts:
            options = {"stripe_account": each} if each else {}
            found += list(self.client.v1.payment_intents.list(options=options).data)
        return found

    def accounts(self) -> list[str]:
        from connect.models import PaymentAccount

        return list(PaymentAccount.objects.values_list("account_id", flat=True))

    def pay(self, payment_intent_id: str, *, card: str = CARD_OK, refused: bool = False) -> dict:
        """Pay as the buyer's browser does: confirm with the card and the client secret.

        `refused=True`: the PaymentIntent itself is expected to refuse (400), e.g.
        once it is cancelled.
        """
        intent = self.payment_intent(payment_intent_id)
        body = {
            "key": PUBLISHABLE_KEY,
            **self._account_of(payment_intent_id),
            "client_secret": intent.client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": card, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
            },
        }
        try:
            return json.loads(
                self._request("POST", f"/v1/payment_intents/{payment_intent_id}/confirm", body)
            )
        except urllib.error.HTTPError as exc:  # a declined card: 402, like Stripe
            assert exc.code == (400 if refused else 402), exc.read()
            return json.loads(exc.read())

    def cancel(self, payment_intent_id: str):
        return self.client.v1.payment_intents.cancel(
            payment_intent_id, options=self._account_of(payment_intent_id)
        )

    def refunds(self, payment_intent_id: str) -> list:
        return list(
            self.client.v1.refunds.list(
                params={"payment_intent": payment_intent_id},
                options=self._account_of(payment_intent_id),
            ).data
        )

    def event_payload(self, event_type: str, payment_intent_id: str) -> bytes:
        """The event localstripe generated, byte for byte as it would deliver it."""
        options = self._account_of(payment_intent_id)
        events = self.client.v1.events.list(
            params={"type": event_type, "limit": 100}, options=options
        ).data
        for event in events:
            obj = event.to_dict()["data"]["object"]
            if payment_intent_id in (obj.get("id"), obj.get("payment_intent")):
                headers = {"Stripe-Account": options["stripe_account"]} if options else {}
                return self._request("GET", f"/v1/events/{event.id}", headers=headers)
        raise AssertionError(f"localstripe has no {event_type} event for {payment_intent_id}")


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory):
    """Start localstripe on a free port for the whole session; stop it at the end."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("localstripe") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), "--port", str(port), "--from-scratch"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            pytest.fail(f"localstripe did not start:\n{log_path.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).close()  # noqa: S310
            break
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"localstripe did not answer:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def localstripe(localstripe_server, settings) -> LocalStripe:
    """An empty localstripe, with the site's Stripe settings pointing at it."""
    settings.STRIPE_API_BASE = localstripe_server
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_JS_URL = f"{localstripe_server}/js.stripe.com/v3/"
    settings.STRIPE_CONNECT_CLIENT_ID = CONNECT_CLIENT_ID
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_WEBHOOK_SECRET
    fake = LocalStripe(localstripe_server)
    fake.reset()
    fake.platform_register(site_url=settings.SITE_URL)
    # Every account the tests' associations are connected to exists on the fake too.
    from django.db.models.signals import post_save

    from connect.models import PaymentAccount

    def account_on_fake(sender, instance, created, **kwargs):
        if created and instance.disconnected_at is None:
            fake.account_put(instance.account_id, send_event=False)

    try:
        existing = fake.accounts()
    except RuntimeError:  # a test without the database
        existing = []
    for account_id in existing:
        fake.account_put(account_id, send_event=False)
    post_save.connect(account_on_fake, sender=PaymentAccount, weak=False)
    try:
        yield fake
    finally:
        post_save.disconnect(account_on_fake, sender=PaymentAccount)
        fake.webhooks_off()


@pytest.fixture
def stripe_down(settings):
    """Stripe settings pointing at a port where nothing listens."""
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{_free_port()}"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def webhook_post(client):
    """Post a body to the webhook with a signature made with the real secret."""

    def post(payload: bytes, *, secret: str | None = None, timestamp=None, on=None):
        # A connected account's event goes to the Connect endpoint, as Stripe sends it.
        try:
            connected = bool(json.loads(payload).get("account"))
        except (ValueError, AttributeError):
            connected = False
        if secret is None:
            secret = CONNECT_WEBHOOK_SECRET if connected else WEBHOOK_SECRET
        name = "lottery:stripe_connect_webhook" if connected else "lottery:stripe_webhook"
        return (on or client).post(
            reverse(name),
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=stripe_signature(payload, secret=secret, timestamp=timestamp),
        )

    return post


def reserve_with_intent(*, lottery, buyer, quantity: int = 1) -> Order:
    """A pending order whose PaymentIntent exists on localstripe, as the checkout page leaves it."""
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=quantity)
    payments.payment_intent_create(order=order)
    order.refresh_from_db()
    assert order.stripe_payment_intent_id
    return order
