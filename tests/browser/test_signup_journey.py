"""A person signs up through the real pages in Chromium, verifies, logs in, switches to English."""

import re

import pytest
from django.core import mail

from cms.demo import demo_site_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une-phrase-de-passe-2026"


def test_signup_verify_login_and_switch_language(browser_page, live_server, artifacts_dir):
    demo_site_create()
    page = browser_page

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name="S'inscrire").first.click()

    page.fill("input[name=display_name]", "Camille")
    page.fill("input[name=email]", "camille@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert "camille@example.org" in page.content() or "e-mail" in page.content()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(link.group(1))
    page.locator("form.form button[type=submit]").click()
    # Confirming the address signs Camille in at once.
    page.wait_for_url(re.compile(r"/compte/$"))
    assert page.get_by_role("heading", name="Bonjour Camille").is_visible()

    # The switch leads to the same page in English, at its English address.
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/en/compte/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Hello Camille").is_visible()

    # Links from an English page stay in English.
    page.get_by_role("link", name="Assosolos, home page").click()
    page.wait_for_url(re.compile(r"/en/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="My account (Camille)").first.is_visible()
    page.screenshot(path=str(artifacts_dir / "home.png"), full_page=True)


def test_home_page_on_a_phone(browser_page, artifacts_dir):
    demo_site_create()
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    assert menu.is_visible()
    assert not page.locator("#main-nav").is_visible()
    menu.click()
    assert page.locator("#main-nav").is_visible()
    assert page.get_by_role("link", name="Connexion").is_visible()
    # Nothing overflows the screen sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(artifacts_dir / "home-phone.png"), full_page=True)
