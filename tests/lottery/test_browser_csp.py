"""The production Content-Security-Policy lets a purchase through, and nothing else.

A buyer pays in Chromium with the policy production sends (built for this server and
this fake Stripe), and the browser reports no violation: every script, frame,
style and connection the pages use is allowed, and none of them is inline.
"""

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from assosolos.settings.csp import content_security_policy
from lottery.models import Order
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.lottery.conftest import CARD_OK
from tests.lottery.test_browser_purchase import _lottery_on_the_site, _type_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs: the browser fires this event for each
# blocked resource, inline script, style or connection.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def production_policy(settings, live_server, localstripe):
    settings.CONTENT_SECURITY_POLICY = content_security_policy(
        site_url=live_server.url,
        stripe_js_url=localstripe.js_url,
        stripe_api_base=localstripe.url,
        templates_dir=django_settings.ROOT_DIR / "templates",
    )
    return settings.CONTENT_SECURITY_POLICY


def test_a_purchase_under_the_production_policy_logs_no_violation(
    browser_page, live_server, localstripe, production_policy
):
    localstripe.webhooks_to(live_server.url + reverse("lottery:stripe_webhook"))
    index, lottery = _lottery_on_the_site()
    buyer = UserFactory()
    page = browser_page
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.context.add_init_script(LISTEN_FOR_VIOLATIONS)
    headers = []
    page.on("response", lambda response: headers.append(response.headers))

    page.goto("/accounts/login/")
    page.fill("input[name=login]", buyer.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))
    page.goto(index.url + lottery.slug + "/")
    page.locator("form:has(input[name=quantity][value='1']) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/loteries/commande/\d+/paiement/$"))
    order = Order.objects.get(buyer=buyer)
    _type_card(page, CARD_OK)
    page.locator("#pay-button").click()
    page.wait_for_url(re.compile(rf"/loteries/commande/{order.pk}/confirmation/$"))
    page.locator("li.ticket-number").first.wait_for(timeout=30_000)

    assert violations == []
    assert page.evaluate("window.__cspViolations") == []
    policy = headers[0].get("content-security-policy", "")
    assert "script-src 'self' " + localstripe.url in policy
    assert "'unsafe-inline'" not in policy


def test_the_policy_blocks_an_inline_script(browser_page, live_server, production_policy):
    """The check above can fail: an injected inline script is refused and reported."""
    page = browser_page
    page.context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.goto("/accounts/login/")

    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__injected = true;";
          document.body.appendChild(script);
        }"""
    )

    assert page.evaluate("window.__injected === undefined")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__cspViolations")[0].startswith("script-src")
