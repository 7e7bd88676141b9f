"""Public lottery pages (the index and a lottery's page), the buy form, "My tickets"."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from lottery import services
from lottery.models import Lottery, LotteryIndexPage, Order
from tests.cms.factories import HomePageFactory
from tests.factories import UserFactory
from tests.lottery.factories import (
    BundleFactory,
    LotteryFactory,
    PrizeFactory,
    open_lottery,
    paid_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def index_page():
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, slug="accueil")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    index = LotteryIndexPage(title="Loteries", slug="loteries-solidaires", show_in_menus=True)
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def test_index_lists_public_lotteries_but_no_draft(client, index_page):
    open_one = open_lottery(title="Tombola ouverte")
    LotteryFactory(title="Brouillon secret")
    closed = open_lottery(title="Tombola fermée")
    services.lottery_close(lottery_id=closed.pk)
    response = client.get(reverse("lottery:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tombola ouverte" in html
    assert "Brouillon secret" not in html
    # Sales closed, draw to come: listed after those on sale.
    assert html.index("Tombola ouverte") < html.index("Tombola fermée")
    assert open_one.get_absolute_url() in html


def test_lottery_page_under_the_index_shows_prizes_price_and_tickets_left(client, index_page):
    lottery = open_lottery(ticket_price_cents=250, ticket_cap=40, title="Tombola du quartier")
    BundleFactory(lottery=lottery, quantity=5, price_cents=1000)
    PrizeFactory(lottery=lottery, name="Vélo de ville")
    paid_order(lottery=lottery, quantity=3)
    page_url = lottery.get_absolute_url()
    assert page_url == f"/loteries/{lottery.slug}/"

    response = client.get(page_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["tickets_left"] == 37
    assert '<strong class="tickets-left">37</strong>' in html
    assert "Vélo de ville" in html
    assert "2,50" in html and "10\u00a0€" in html
    assert lottery.authorisation_reference in html
    draw_iso = timezone.localtime(lottery.draw_at).isoformat()[:19]
    assert f'<time datetime="{draw_iso}' in html
    # Anonymous visitors may log in, or buy as a guest with an email address.
    assert reverse("account_login") in html
    assert 'id="guest-buy"' in html and 'name="email"' in html
    # Each field's description exists, so a screen reader reads it with the field.
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert "id_email_helptext" in described
    for ids in described:
        for id_ in ids.split():
            assert f'id="{id_}"' in html, id_


def test_lottery_page_has_the_buy_form_for_a_signed_in_user(client, index_page):
    lottery = open_lottery()
    BundleFactory(lottery=lottery, quantity=5, price_cents=800)
    client.force_login(UserFactory())
    html = client.get(lottery.get_absolute_url()).content.decode()
    assert reverse("lottery:buy", args=[lottery.slug]) in html
    assert 'name="quantity" value="5"' in html


def test_draft_lottery_is_not_public(client, index_page):
    draft = LotteryFactory()
    assert client.get(f"{index_page.url}{draft.slug}/", follow=True).status_code == 404
    assert client.get(reverse("lottery:detail", args=[draft.slug])).status_code == 404


def test_the_cms_page_address_redirects_to_the_one_lottery_address(client, index_page):
    lottery = open_lottery()
    response = client.get(f"{index_page.url}{lottery.slug}/")
    assert response.status_code == 301
    assert response["Location"] == reverse("lottery:detail", args=[lottery.slug])


def test_without_an_index_page_the_app_serves_the_lottery_itself(client):
    lottery = open_lottery()
    page_url = reverse("lottery:detail", args=[lottery.slug])
    assert lottery.get_absolute_url() == page_url
    response = client.get(page_url)
    assert response.status_code == 200
    assert lottery.title in response.content.decode()


def test_cancelled_lottery_says_so(client):
    lottery = open_lottery()
    services.lottery_cancel(lottery=lottery, actor=None)
    response = client.get(lottery.get_absolute_url())
    assert response.status_code == 200
    assert "message-error" in response.content.decode()
    assert response.context["on_sale"] is False


# --- Buying --------------------------------------------------------------------------


def test_buy_reserves_and_goes_to_checkout(client):
    lottery = open_lottery()
    buyer = UserFactory()
    client.force_login(buyer)
    response = client.post(reverse("lottery:buy", args=[lottery.slug]), {"quantity": "3"})
    order = Order.objects.get(buyer=buyer)
    assert response.status_code == 302
    assert response["Location"] == reverse("lottery:checkout", args=[order.pk])
    assert order.quantity == 3
    assert order.status == Order.Status.PENDING


@pytest.mark.parametrize("quantity", ["0", "-2", "abc", "", "101"])
def test_buy_with_a_bad_quantity_explains_and_reserves_nothing(client, quantity):
    lottery = open_lottery()
    client.force_login(UserFactory())
    response = client.post(
        reverse("lottery:buy", args=[lottery.slug]), {"quantity": quantity}, follow=True
    )
    assert response.status_code == 200
    assert "message-error" in response.content.decode()
    assert not Order.objects.exists()


def test_buy_past_the_per_person_cap_is_explained(client):
    lottery = open_lottery(per_person_cap=2)
    buyer = UserFactory()
    paid_order(lottery=lottery, buyer=buyer, quantity=2)
    client.force_login(buyer)
    response = client.post(
        reverse("lottery:buy", args=[lottery.slug]), {"quantity": "1"}, follow=True
    )
    assert "message-error" in response.content.decode()
    assert Order.objects.filter(buyer=buyer).count() == 1


def test_buy_when_sold_out_or_closed(client):
    lottery = open_lottery(ticket_cap=2)
    paid_order(lottery=lottery, quantity=2)
    client.force_login(UserFactory())
    buy = reverse("lottery:buy", args=[lottery.slug])
    response = client.post(buy, {"quantity": "1"}, follow=True)
    assert response.status_code == 200
    assert "message-error" in response.content.decode()
    services.lottery_close(lottery_id=lottery.pk)
    response = client.post(buy, {"quantity": "1"})
    assert response.status_code == 302
    assert Order.objects.count() == 1


def test_buy_needs_a_login_and_a_post(client):
    lottery = open_lottery()
    buy = reverse("lottery:buy", args=[lottery.slug])
    response = client.post(buy, {"quantity": "1"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.get(buy).status_code == 405
    assert not Order.objects.exists()


def test_buy_on_a_draft_is_404(client):
    draft = LotteryFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("lottery:buy", args=[draft.slug]), {"quantity": "1"})
    assert response.status_code == 404
    assert not Order.objects.exists()


# --- My tickets ----------------------------------------------------------------------


def test_my_tickets_groups_numbers_by_lottery(client):
    buyer = UserFactory()
    first = open_lottery(title="Tombola A")
    second = open_lottery(title="Tombola B")
    paid_order(lottery=first, buyer=buyer, quantity=2)
    paid_order(lottery=second, buyer=buyer, quantity=1)
    pending = services.order_reserve(lottery=second, buyer=buyer, quantity=1)
    expired = services.order_reserve(lottery=first, buyer=buyer, quantity=1)
    services.order_release(order_id=expired.pk, status=Order.Status.EXPIRED)
    paid_order(lottery=first, quantity=1)  # someone else's

    client.force_login(buyer)
    response = client.get(reverse("lottery:my_tickets"))
    groups = {g.lottery.title: g for g in response.context["groups"]}
    assert set(groups) == {"Tombola A", "Tombola B"}
    assert groups["Tombola A"].numbers == [1, 2]
    assert groups["Tombola B"].numbers == [1]
    assert pending in groups["Tombola B"].orders
    assert reverse("lottery:checkout", args=[pending.pk]) in response.content.decode()
    assert all(o.pk != expired.pk for g in groups.values() for o in g.orders)


def test_my_tickets_needs_a_login(client):
    response = client.get(reverse("lottery:my_tickets"))
    assert response.status_code == 302


def test_my_tickets_empty(client):
    client.force_login(UserFactory())
    response = client.get(reverse("lottery:my_tickets"))
    assert response.status_code == 200
    assert response.context["groups"] == []


def test_lottery_status_values_are_the_contract():
    assert [s.value for s in Lottery.Status] == ["draft", "open", "closed", "drawn", "cancelled"]


def test_buying_too_often_is_rate_limited_and_reserves_nothing_more(client, settings):
    settings.LOTTERY_PURCHASE_RATE_LIMIT = 10
    lottery = open_lottery()
    buyer = UserFactory()
    client.force_login(buyer)
    url = reverse("lottery:buy", args=[lottery.slug])
    # Alternating quantities: each order replaces the one before.
    statuses = [client.post(url, {"quantity": str(1 + n % 2)}).status_code for n in range(12)]
    assert statuses == [302] * 10 + [429, 429]
    assert Order.objects.filter(buyer=buyer).count() == 10
    assert Order.objects.filter(buyer=buyer, status=Order.Status.PENDING).count() == 1
    # Someone else is not held back by that buyer's limit.
    other = UserFactory()
    client.force_login(other)
    assert client.post(url, {"quantity": "1"}).status_code == 302
