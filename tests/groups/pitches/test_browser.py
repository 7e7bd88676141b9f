"""End to end in Chromium: write a pitch too long, fix it, review, approve, publish, share."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from groups.pitches import services
from groups.pitches.models import Pitch

from .conftest import GOOD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser, live_server, user):
    """A browser context signed in as `user` (session cookie from Django's test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_write_review_approve_publish_share(
    _playwright_browser, live_server, settings, pgroup, author, peer, facil, home_page
):
    settings.ALLOWED_HOSTS = ["*"]
    page = _as(_playwright_browser, live_server, author)
    page.goto(f"/pitchs/groupe/{pgroup.pk}/nouveau/")
    page.select_option("select[name=network]", "x_post")
    page.fill("textarea[name=text]", "a" * 300)
    counter = page.locator("#pitch-counter")
    assert counter.inner_text() == "300 / 280"
    assert "counter--over" in counter.get_attribute("class")
    page.fill("input[name=audience]", GOOD["audience"])
    page.fill("input[name=contact]", GOOD["contact"])
    page.locator("form.form button[type=submit]").click()
    assert "300" in page.locator(".errorlist").first.inner_text()
    assert not Pitch.objects.exists()

    page.fill("textarea[name=text]", GOOD["text"])
    assert "counter--over" not in (counter.get_attribute("class") or "")
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("button", name="Demander l'avis de mon groupe").click()
    pitch = Pitch.objects.get()
    assert pitch.status == Pitch.Status.IN_REVIEW

    peer_page = _as(_playwright_browser, live_server, peer)
    peer_page.goto(f"/pitchs/{pitch.pk}/")
    peer_page.get_by_role("button", name="Marquer cette version comme prête").click()
    peer_page.wait_for_load_state()

    facil_page = _as(_playwright_browser, live_server, facil)
    facil_page.goto(f"/pitchs/{pitch.pk}/")
    facil_page.get_by_role("button", name="Approuver pour la vitrine").click()
    facil_page.wait_for_load_state()
    pitch.refresh_from_db()
    assert pitch.status == Pitch.Status.APPROVED

    edition = services.showcase_publish(
        association_id=pgroup.association_id, now=pitch.approved_at + dt.timedelta(days=8)
    )
    reader = _playwright_browser.new_page(base_url=live_server.url)
    reader.goto(edition.page.url)
    entry = reader.locator(f"#pitch-{pitch.pk}")
    assert GOOD["text"] in entry.inner_text()
    share = urlsplit(entry.get_by_role("link", name="Partager sur X").get_attribute("href"))
    query = parse_qs(share.query)
    assert share.netloc == "x.com" and query["text"] == [GOOD["text"]]
    assert query["url"][0].endswith(f"{edition.page.url}#pitch-{pitch.pk}")
    assert reader.request.get(query["url"][0]).ok  # the shared link opens the edition
    for p in (page, peer_page, facil_page, reader):
        p.context.close()
