"""The checkout's hold reads as one thing: its end time in Paris time, or a live countdown."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from lottery import services
from lottery.models import Order
from tests.factories import DEFAULT_PASSWORD, UserFactory, en
from tests.lottery.factories import LotteryFactory, PrizeFactory


def _order(buyer) -> Order:
    lottery = LotteryFactory(ticket_cap=20)
    PrizeFactory(lottery=lottery)
    services.lottery_request_open(lottery=lottery, actor=None)
    return services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)


@pytest.mark.django_db
def test_without_javascript_the_hold_gives_its_end_once_in_paris_time(client, localstripe):
    buyer = UserFactory()
    order = _order(buyer)
    order.refresh_from_db()
    paris = order.expires_at.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    utc = order.expires_at.astimezone(UTC).strftime("%H:%M")
    assert paris != utc  # Paris is never on UTC
    client.force_login(buyer)
    html = client.get(en(reverse("lottery:checkout", args=[order.pk]))).content.decode()
    hold = html.split('id="checkout-countdown"', 1)[1].split("</span>", 1)[0]
    text = hold.split(">", 1)[1]
    assert text == f"until {paris} (Paris time)"
    assert 'data-template="{minutes} min {seconds} s left"' in hold
    assert f">{utc}<" not in html and "Held until" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_with_javascript_the_hold_counts_down_in_minutes_and_seconds(
    browser_page, live_server, localstripe
):
    buyer = UserFactory(email="hold@example.org")
    order = _order(buyer)
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("input[name=login]", buyer.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))

    page.goto(en(reverse("lottery:checkout", args=[order.pk])))
    timer = page.locator("#checkout-countdown")
    timer.filter(has_text=re.compile(r"^\d+ min \d+ s left$")).wait_for(timeout=5000)
    minutes, seconds = map(int, re.findall(r"\d+", timer.inner_text()))
    left = order.expires_at - datetime.now(tz=ZoneInfo("UTC"))
    assert abs(minutes * 60 + seconds - left.total_seconds()) < 30
    assert minutes * 60 + seconds <= timedelta(minutes=15).total_seconds()
    assert "until" not in timer.inner_text()
