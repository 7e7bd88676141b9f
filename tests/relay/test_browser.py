"""In Chromium: a member agrees to the relay on their pitch page, the Friday edition is
published and relayed to the (fake) network, the member sees the post from their pitch,
then records a person met and finds the next step due on "My follow-ups"."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from followups.models import FollowUp
from relay import services
from relay.models import RelayConsent, RelayPost

from .conftest import MASTODON_TEXT, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    cookies = [
        (
            django_settings.SESSION_COOKIE_NAME,
            client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        )
    ]
    context.add_cookies([{"name": n, "value": v, "url": live_server.url} for n, v in cookies])
    return context.new_page()


def test_agree_publish_relay_then_record_a_follow_up_due_today(
    _playwright_browser, live_server, settings, connected, approve, author, mastodon_server
):
    settings.ALLOWED_HOSTS = ["*"]
    pitch = approve(network="mastodon", text=MASTODON_TEXT)
    page = _signed_in(_playwright_browser, live_server, author)

    page.goto(f"/en/pitchs/{pitch.pk}/")
    consent = page.locator("section[aria-labelledby=relay-consent]")
    box = consent.get_by_role("checkbox")
    assert not box.is_checked()  # off by default
    box.check()
    consent.get_by_role("button", name="Save my choice").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your choice is saved.").is_visible()
    assert RelayConsent.objects.filter(pitch=pitch, network="mastodon").exists()

    # Friday: the edition is published and the relay's sweep runs.
    assert services.relay_sweep(now=publish(pitch))["sent"] == 1
    (status,) = mastodon_server.posts
    assert status["status"] == f"{MASTODON_TEXT}\n\nhttps://awa.example.fr"
    post = RelayPost.objects.get()
    page.reload()
    link = consent.get_by_role("link", name="Posted")
    assert link.get_attribute("href") == post.remote_url

    page.goto("/en/suivis/")
    form = page.locator("form", has=page.locator("input[name=name]"))
    form.get_by_label("Name").fill("Camille Martin")
    form.get_by_label("How we met").select_option("showcase")
    form.get_by_label("Where to reach them").fill("camille@example.fr")
    form.get_by_label("Next step").select_option("call")
    today = page.evaluate(
        "() => new Intl.DateTimeFormat('en-CA', {timeZone: 'Europe/Paris'}).format(new Date())"
    )
    form.get_by_label("Date").fill(today)
    form.get_by_role("button", name="Record").click()
    page.wait_for_url("**/en/suivis/*/")
    followup = FollowUp.objects.get()
    assert followup.name == "Camille Martin" and followup.owner_id == author.pk

    page.goto("/en/suivis/")
    due = page.locator("section[aria-labelledby=next-title] li", has_text="Camille Martin")
    assert "Due today" in due.inner_text()
    assert due.locator("time").get_attribute("datetime") == today
    page.context.close()
