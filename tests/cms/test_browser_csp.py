"""The staff screens (/cms/, /django-admin/) work under their Content-Security-Policy.

A staff member signs in, edits and publishes a page, opens the image chooser and the
lotteries' admin, then the Django admin and a change form, in Chromium with the policy
production sends; the browser reports no violation, and every screen sent the header.
"""

import re

import pytest

from assosolos.settings.csp import staff_content_security_policy
from cms.models import HomePage
from lottery.models import Lottery
from tests.factories import DEFAULT_PASSWORD, StaffFactory, totp_code
from tests.lottery.factories import LotteryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def staff_policy(settings, live_server):
    settings.CONTENT_SECURITY_POLICY_STAFF = staff_content_security_policy()
    return settings.CONTENT_SECURITY_POLICY_STAFF


def _watch(page) -> tuple[list[str], dict[str, str]]:
    violations: list[str] = []
    policies: dict[str, str] = {}
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.context.add_init_script(LISTEN_FOR_VIOLATIONS)

    def on_response(response):
        if response.request.resource_type == "document":
            policies[response.url] = response.headers.get("content-security-policy", "")

    page.on("response", on_response)
    return violations, policies


def _no_violation_here(page, violations: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    assert violations == [], page.url
    assert page.evaluate("window.__cspViolations") == [], page.url


def _sign_in(page, staff, secret: str) -> None:
    """Through the site's login door: password, then a code from an authenticator."""
    page.goto("/cms/login/")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.fill("input[name=code]", totp_code(secret))
    page.locator("form.form button[type=submit]:not([form])").click()
    page.wait_for_url(re.compile(r"/cms/$"))


def test_staff_screens_work_under_their_policy(browser_page, live_server, staff_policy, home_page):
    staff = StaffFactory(email="equipe@example.org")
    from accounts.services import user_two_factor_enrol

    secret = user_two_factor_enrol(user=staff).secret
    lottery = LotteryFactory(title="Tombola des ateliers")
    page = browser_page
    violations, policies = _watch(page)

    _sign_in(page, staff, secret)
    _no_violation_here(page, violations)

    # The page explorer, then the home page's editor: change its title and publish.
    page.goto(f"/cms/pages/{home_page.get_parent().pk}/")
    _no_violation_here(page, violations)
    page.goto(f"/cms/pages/{home_page.pk}/edit/")
    _no_violation_here(page, violations)
    page.fill("#id_hero_title", "Ensemble, solidaires")
    page.locator("footer .w-dropdown__toggle, [data-w-dropdown-target=toggle]").last.click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_url(re.compile(r"/cms/pages/\d+/$"))
    _no_violation_here(page, violations)
    assert HomePage.objects.get(pk=home_page.pk).hero_title == "Ensemble, solidaires"

    # The image chooser, from the home page's hero image field.
    page.goto(f"/cms/pages/{home_page.pk}/edit/")
    page.locator("[data-chooser-action-choose]").first.click()
    page.locator(".modal-dialog").wait_for()
    _no_violation_here(page, violations)

    # The lotteries' admin: the list and a lottery's page.
    page.goto("/cms/loteries/")
    _no_violation_here(page, violations)
    page.goto(f"/cms/loteries/inspect/{lottery.pk}/")
    _no_violation_here(page, violations)
    assert Lottery.objects.filter(pk=lottery.pk).exists()

    # The Django admin and a change form.
    page.goto("/django-admin/")
    _no_violation_here(page, violations)
    page.goto(f"/django-admin/accounts/user/{staff.pk}/change/")
    page.locator("form#user_form, #content-main form").first.wait_for()
    _no_violation_here(page, violations)

    staff_pages = {
        url: policy for url, policy in policies.items() if "/cms/" in url or "/django-admin/" in url
    }
    assert staff_pages and all(policy for policy in staff_pages.values()), staff_pages
    for policy in staff_pages.values():
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self' 'unsafe-inline'"
        assert directives["style-src"] == "'self'"  # no inline styles allowed: none needed
        assert directives["object-src"] == "'none'"


def test_the_staff_policy_blocks_an_injected_script(browser_page, live_server, staff_policy):
    """The check above can fail: a script from another origin is refused and reported."""
    from accounts.services import user_two_factor_enrol

    staff = StaffFactory(email="equipe@example.org")
    secret = user_two_factor_enrol(user=staff).secret
    page = browser_page
    _sign_in(page, staff, secret)
    page.context.add_init_script(LISTEN_FOR_VIOLATIONS)
    response = page.goto("/django-admin/")
    assert page.url.endswith("/django-admin/")
    assert "script-src" in response.headers["content-security-policy"]
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.src = "https://evil.example.org/x.js";
          document.body.appendChild(script);
        }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__cspViolations")[0].startswith("script-src")
