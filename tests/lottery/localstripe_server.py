"""Run localstripe for the test suite: `python tests/lottery/localstripe_server.py --port N`.

localstripe's fake Stripe.js skips the confirmation step in `confirmCardPayment()` (its
issue #253): it only authenticates a PaymentIntent the server already confirmed with a
3-D Secure card, so a fresh PaymentIntent paid from the browser always fails. Real
Stripe.js confirms the PaymentIntent from the browser with the card typed in the
Element, authenticated by the publishable key and the client secret. This wrapper gives
the fake server and its Stripe.js that behaviour, so the checkout page is tested with
the call it makes in production, including a retry with another card after a decline.
It also adds Stripe Connect (`localstripe_connect.py`). Everything else is localstripe
unchanged, except that its state stays in memory instead of a fixed file shared by
every running copy.
"""

import re
import sys

import localstripe_connect
from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

resources.Store.dump_to_disk = lambda self: None
resources.Store.try_load_from_disk = lambda self: None

CONFIRM_PATH = re.compile(r"^/v1/payment_intents/(pi_\w+)/confirm$")
STRIPE_JS_PATH = "/js.stripe.com/v3/"

# Appended to localstripe's Stripe.js: confirm first, then fall back to its own
# 3-D Secure modal only when the card asks for authentication.
CONFIRM_CARD_PAYMENT_JS = """
(function () {
  const makeStripe = Stripe;
  Stripe = function (apiKey, options) {
    const stripe = makeStripe(apiKey);
    const account = options && options.stripeAccount;
    const authenticate = stripe.confirmCardPayment;
    stripe.confirmCardPayment = async function (clientSecret, data) {
      const intent = clientSecret.match(/^(pi_\\w+)_secret_/)[1];
      const body = {key: apiKey, client_secret: clientSecret};
      if (account) {
        body.stripe_account = account;
      }
      const card = data && data.payment_method && data.payment_method.card;
      if (card && card.value) {
        body.payment_method_data = {type: "card", card: card.value.card};
      }
      const response = await fetch(
        `${LOCALSTRIPE_BASE_API}/v1/payment_intents/${intent}/confirm`,
        {method: "POST", body: JSON.stringify(body)});
      const result = await response.json().catch(() => ({}));
      if (response.status !== 200 || result.error) {
        return {error: result.error || {message: "Payment failed."}};
      }
      if (result.status === "requires_action") {
        return authenticate(clientSecret, data);
      }
      return {paymentIntent: result};
    };
    return stripe;
  };
})();
"""


# Also appended: localstripe's card form speaks the page's language (French by default),
# names its fields, shows the expiry format (MM/AA) and takes a year of two or four
# digits, as the real Stripe Element does.
CARD_FORM_JS = """
(function () {
  const makeStripe = Stripe;
  const WORDS = {
    fr: {number: "Numéro de carte", exp_month: "Mois (MM)", exp_year: "Année (AA)",
         cvc: "Cryptogramme (CVC)", postal_code: "Code postal",
         hint: "Carte de test : MM/AA ou MM/AAAA"},
    en: {number: "Card number", exp_month: "Month (MM)", exp_year: "Year (YY)",
         cvc: "Security code (CVC)", postal_code: "Postcode",
         hint: "Test card: MM/YY or MM/YYYY"},
  };
  const PLACEHOLDERS = {
    fr: {number: "1234 1234 1234 1234", exp_month: "MM", exp_year: "AA", cvc: "CVC",
         postal_code: "Code postal"},
    en: {number: "1234 1234 1234 1234", exp_month: "MM", exp_year: "YY", cvc: "CVC",
         postal_code: "Postcode"},
  };
  Stripe = function (apiKey, options) {
    const stripe = makeStripe(apiKey, options);
    const makeElements = stripe.elements;
    stripe.elements = function () {
      const elements = makeElements.apply(stripe, arguments);
      const create = elements.create;
      elements.create = function () {
        const element = create.apply(elements, arguments);
        const mount = element.mount;
        element.mount = function (target) {
          mount.apply(element, arguments);
          const box = typeof target === "string" ? document.querySelector(target) : target;
          const lang = (document.documentElement.lang || "fr").slice(0, 2) === "en" ? "en" : "fr";
          const words = WORDS[lang];
          Object.keys(element._inputs || {}).forEach(function (field) {
            const input = element._inputs[field];
            input.setAttribute("aria-label", words[field]);
            input.setAttribute("title", words[field]);
            input.setAttribute("name", field);
            input.setAttribute("inputmode", "numeric");
            input.setAttribute("placeholder", PLACEHOLDERS[lang][field]);
          });
          box.querySelectorAll("span").forEach(function (span) {
            if (span.textContent === "localstripe: ") span.textContent = words.hint + " ";
          });
          const year = element._inputs && element._inputs.exp_year;
          if (year) {
            year.setAttribute("size", "4");
            year.setAttribute("maxlength", "4");
            // localstripe rebuilds the card from every field on each keystroke and
            // prefixes "20" to the year: once it has, a four-digit year is taken as typed.
            box.addEventListener("input", function () {
              const typed = year.value.trim();
              if (element.value && element.value.card && /^\\d{4}$/.test(typed)) {
                element.value.card.exp_year = typed;
              }
            });
          }
        };
        return element;
      };
      return elements;
    };
    return stripe;
  };
})();
"""


async def browser_confirm(data: dict, intent_id: str) -> web.Response:
    # Stripe.js made with `stripeAccount` confirms on that connected account.
    account = data.get("stripe_account")
    localstripe_connect.ACCOUNT.set(account if isinstance(account, str) else None)
    intent = resources.PaymentIntent._api_retrieve(intent_id)
    if data.get("client_secret") != intent.client_secret:
        raise UserError(401, "Unauthorized")
    if intent.status not in ("requires_payment_method", "requires_confirmation"):
        raise UserError(400, "This PaymentIntent cannot be confirmed.")
    method_data = data.get("payment_method_data") or {}
    if method_data:
        card = dict(method_data.get("card") or {})
        method = resources.PaymentMethod(type="card", card=card)
        intent.payment_method = method.id
    if not intent.payment_method:
        raise UserError(400, "A payment method is required.")
    if intent.latest_charge is not None and intent.latest_charge.status == "failed":
        # A declined attempt does not end a PaymentIntent on Stripe: the buyer may retry.
        intent.latest_charge = None
    # Declined cards raise a 402 here, after localstripe sent payment_failed.
    intent._confirm(on_failure_now=intent._report_failure)
    return server.json_response(intent._export())


@web.middleware
async def browser_payments(request, handler):
    if request.method == "GET" and request.path == STRIPE_JS_PATH:
        response = server.localstripe_js(request)
        response.text = response.text + CONFIRM_CARD_PAYMENT_JS + CARD_FORM_JS
        return response
    match = CONFIRM_PATH.match(request.path)
    if request.method == "POST" and match:
        data = await server.get_post_data(request, remove_auth=False) or {}
        key = data.get("key")
        if isinstance(key, str) and key.startswith("pk_"):
            return await browser_confirm(data, match[1])
    return await handler(request)


# After the error middleware (which turns UserError into JSON), before the auth one;
# Connect's routes and the Stripe-Account scope around the browser's confirmations.
server.app.middlewares.insert(1, browser_payments)
server.app.middlewares.insert(1, localstripe_connect.connect)

if __name__ == "__main__":
    sys.exit(server.start())
