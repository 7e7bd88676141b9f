"""One set of counters (sold, reserved, left, raised) on every page, and the status word."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from lottery import selectors, services
from lottery.models import Lottery
from tests.factories import UserFactory, en
from tests.lottery.factories import (
    LotteryFactory,
    PrizeFactory,
    manager_of,
    open_lottery,
    paid_order,
)

pytestmark = pytest.mark.django_db


def _numbers(html: str, name: str) -> set[int]:
    return {int(n) for n in re.findall(rf'data-{name}="(\d+)"', html)}


@pytest.fixture
def sold_and_held():
    """3 tickets paid (6 €), 5 reserved by an unpaid order, out of 20."""
    lottery = open_lottery(ticket_cap=20)
    paid_order(lottery=lottery, quantity=3)
    buyer = UserFactory()
    pending = services.order_reserve(lottery=lottery, buyer=buyer, quantity=5)
    lottery.buyer, lottery.pending = buyer, pending
    return lottery


def test_the_counters_add_up_to_the_cap(sold_and_held):
    counts = selectors.lottery_counts(lottery=sold_and_held)
    assert (counts.sold, counts.reserved, counts.left, counts.cap) == (3, 5, 12, 20)
    assert counts.raised_cents == 600
    assert counts.sold_percent == 15


def test_a_list_reads_the_same_counters_from_its_own_query(
    sold_and_held, django_assert_num_queries
):
    lotteries = selectors.lotteries_with_counts(Lottery.objects.filter(pk=sold_and_held.pk))
    with django_assert_num_queries(1):
        [annotated] = list(lotteries)
        counts = selectors.lottery_counts(lottery=annotated)
    assert counts == selectors.lottery_counts(lottery=sold_and_held)


def test_before_opening_the_whole_cap_is_left_and_after_closing_none():
    draft = LotteryFactory(ticket_cap=30)
    assert selectors.lottery_counts(lottery=draft).left == 30
    lottery = open_lottery(ticket_cap=10)
    paid_order(lottery=lottery, quantity=2)
    services.lottery_close(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    counts = selectors.lottery_counts(lottery=lottery)
    assert (counts.sold, counts.left) == (2, 0)


def test_every_page_shows_the_same_sold_reserved_and_left(client, sold_and_held):
    lottery = sold_and_held
    association = lottery.association
    manager = manager_of(association)

    page = client.get(lottery.get_absolute_url()).content.decode()
    cards = client.get(association.get_absolute_url()).content.decode()
    client.force_login(manager)
    manage = client.get(reverse("lottery:manage", args=[association.slug, lottery.slug]))
    listing = client.get(reverse("lottery:manage_list", args=[association.slug]))
    dashboard = client.get(association.get_dashboard_url()).content.decode()
    assert _numbers(dashboard, "sold") == {3} and _numbers(dashboard, "left") == {12}

    for html in (page, cards, manage.content.decode(), listing.content.decode()):
        assert _numbers(html, "left") == {12}
        assert _numbers(html, "reserved") == {5}
    for html in (page, cards, manage.content.decode()):
        assert _numbers(html, "sold") == {3}
    # The progress bar: sold of the cap, with the money raised as its description.
    assert re.search(rf'<progress id="sold-{lottery.pk}" max="20" value="3"', page)
    assert re.search(rf'<progress id="sold-{lottery.pk}" max="20" value="3"', cards)
    assert f'aria-describedby="raised-{lottery.pk}"' in page
    raised = page.split(f'id="raised-{lottery.pk}"', 1)[1].split("</p>", 1)[0]
    assert "6" in raised and "15" in raised


def test_an_unpaid_buyer_reads_reserved_not_held(client, sold_and_held):
    lottery = sold_and_held
    client.force_login(lottery.buyer)
    html = client.get(en(lottery.get_absolute_url())).content.decode()
    assert "already hold" not in html
    assert "5 tickets are reserved for you, not paid yet." in html
    assert en(reverse("lottery:checkout", args=[lottery.pending.pk])) in html


def test_a_paying_buyer_reads_their_paid_tickets_apart(client, sold_and_held):
    lottery = sold_and_held
    paid_order(lottery=lottery, buyer=lottery.buyer, quantity=2)
    mine = selectors.buyer_tickets(lottery_id=lottery.pk, buyer_id=lottery.buyer.pk)
    # The second order replaced the unpaid one: its 5 numbers went back on sale.
    assert (mine.paid, mine.reserved, mine.pending_order_id) == (2, 0, None)
    client.force_login(lottery.buyer)
    html = client.get(en(lottery.get_absolute_url())).content.decode()
    assert "You already hold 2 tickets in this lottery." in html
    assert "reserved for you" not in html


def test_status_word_says_scheduled_for_a_draft_due_to_open(client):
    lottery = LotteryFactory(
        sales_open_at=timezone.now() + timedelta(days=2),
    )
    PrizeFactory(lottery=lottery)
    assert selectors.lottery_status_word(lottery=lottery).key == "draft"
    assert services.lottery_request_open(lottery=lottery, actor=None) is False
    lottery.refresh_from_db()
    word = selectors.lottery_status_word(lottery=lottery)
    assert (word.key, word.draft, word.open) == ("scheduled", True, False)
    client.force_login(manager_of(lottery.association))
    html = client.get(
        en(reverse("lottery:manage", args=[lottery.association.slug, lottery.slug]))
    ).content.decode()
    assert 'data-status="scheduled">Scheduled</span>' in html
    assert "Draft" not in html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    services.lottery_unschedule(lottery=lottery, actor=None)
    lottery.refresh_from_db()
    assert selectors.lottery_status_word(lottery=lottery).key == "draft"


def test_my_tickets_says_reserved_for_an_unpaid_order_and_paid_once_paid(client, sold_and_held):
    lottery = sold_and_held
    client.force_login(lottery.buyer)
    url = en(reverse("lottery:my_tickets"))
    row = BeautifulSoup(client.get(url).content, "html.parser").select_one("tbody tr")
    assert row.select_one(".badge").get_text(strip=True) == "Reserved, not paid"
    assert row.find("a", string="Pay")
    services.order_confirm_payment(
        order_id=lottery.pending.pk, payment_intent_id=f"pi_{lottery.pending.pk}"
    )
    row = BeautifulSoup(client.get(url).content, "html.parser").select_one("tbody tr")
    assert row.select_one(".badge").get_text(strip=True) == "Paid"
    assert not row.find("a", string="Pay")
