"""Signed-in visitors get the lottery page from a shared skeleton with their own parts.

What each visitor receives is the page a full render would have made for them: their
name and links in the account menu, their tickets in the buy box, their own CSRF
token; never another visitor's.
"""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from assosolos.personal import personal_page
from lottery.models import Order
from tests.factories import UserFactory
from tests.lottery.factories import open_lottery, paid_order

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGE = "lottery/lottery_page.html"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 60


@pytest.fixture
def lottery(tree):
    return open_lottery(ticket_cap=40, title="Tombola du quartier")


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', html)


def test_each_visitor_gets_the_page_a_full_render_makes_for_them(lottery, settings):
    url = lottery.get_absolute_url()
    alice = UserFactory(display_name="Alice Martin")
    bruno = UserFactory(display_name="Bruno Petit", is_staff=True)
    paid_order(lottery=lottery, buyer=alice, quantity=2)
    alice_client, bruno_client = signed_in(alice), signed_in(bruno)

    from_skeleton = {}
    for name, client in (("alice", alice_client), ("bruno", bruno_client)):
        response = client.get(url)
        assert response.status_code == 200
        from_skeleton[name] = response
    # Bruno's page came from the skeleton Alice's request made: the page's template
    # was not rendered again, only the parts that are his.
    rendered = {t.name for t in from_skeleton["bruno"].templates}
    assert PAGE not in rendered and "base.html" not in rendered
    assert {"_account_menu.html", "lottery/_buy_box.html"} <= rendered

    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0  # every page rendered whole
    for name, client in (("alice", alice_client), ("bruno", bruno_client)):
        full = client.get(url)
        assert PAGE in {t.name for t in full.templates}
        assert without_tokens(from_skeleton[name].content.decode()) == without_tokens(
            full.content.decode()
        )

    alice_page = from_skeleton["alice"].content.decode()
    bruno_page = from_skeleton["bruno"].content.decode()
    assert "Alice Martin" in alice_page and "Vous détenez déjà 2 billets" in alice_page
    assert "Alice Martin" not in bruno_page and "Vous détenez déjà" not in bruno_page
    assert "Bruno Petit" in bruno_page and reverse("wagtailadmin_home") in bruno_page
    assert reverse("wagtailadmin_home") not in alice_page


def test_each_visitor_gets_their_own_csrf_token_and_can_buy_with_it(lottery):
    url = lottery.get_absolute_url()
    alice, bruno = UserFactory(), UserFactory()
    alice_client, bruno_client = signed_in(alice), signed_in(bruno)
    alice_page = alice_client.get(url).content.decode()
    bruno_page = bruno_client.get(url).content.decode()
    alice_tokens, bruno_tokens = set(TOKEN.findall(alice_page)), set(TOKEN.findall(bruno_page))
    assert alice_tokens and bruno_tokens and not alice_tokens & bruno_tokens

    # The token on Bruno's page is his: the purchase goes through with it.
    response = bruno_client.post(
        reverse("lottery:buy", args=[lottery.slug]),
        {"quantity": 1, "csrfmiddlewaretoken": bruno_tokens.pop()},
    )
    assert response.status_code == 302
    assert Order.objects.filter(buyer=bruno, lottery=lottery).count() == 1
    # Alice's token is refused for Bruno: nothing is reserved.
    response = bruno_client.post(
        reverse("lottery:buy", args=[lottery.slug]),
        {"quantity": 1, "csrfmiddlewaretoken": alice_tokens.pop()},
    )
    assert response.status_code == 403
    assert Order.objects.filter(buyer=bruno, lottery=lottery).count() == 1


def test_a_reservation_shows_at_once_on_the_buyers_next_page(lottery):
    url = lottery.get_absolute_url()
    buyer = UserFactory()
    client = signed_in(buyer)
    assert "vous sont réservés" not in client.get(url).content.decode()
    token = TOKEN.search(client.get(url).content.decode()).group(1)
    client.post(
        reverse("lottery:buy", args=[lottery.slug]), {"quantity": 3, "csrfmiddlewaretoken": token}
    )
    page = client.get(url).content.decode()
    assert "3 billets vous sont réservés, pas encore payés" in page


def _message_waiting(client: Client, text: str) -> None:
    """A message left for the client's next page, as a view's redirect leaves it."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value


def test_a_message_waiting_is_shown_to_its_visitor_only(lottery):
    url = lottery.get_absolute_url()
    alice_client, bruno_client = signed_in(UserFactory()), signed_in(UserFactory())
    alice_client.get(url)  # a skeleton is kept

    _message_waiting(bruno_client, "Votre profil est enregistré.")
    assert "Votre profil est enregistré." in bruno_client.get(url).content.decode()
    # Shown once, to him: neither his next page nor Alice's shows it.
    assert "Votre profil est enregistré." not in bruno_client.get(url).content.decode()
    assert "Votre profil est enregistré." not in alice_client.get(url).content.decode()


def test_a_part_naming_the_visitor_outside_a_hole_shows_as_for_nobody(rf, settings, tmp_path):
    """A template that forgot to mark a part personal never hands one visitor's name
    to the next: around the holes, the page is rendered as for a visitor not signed in."""
    (tmp_path / "page.html").write_text(
        "{% load personal %}<p>[{{ user.public_name }}]</p>{% personal 'part.html' %}"
    )
    (tmp_path / "part.html").write_text("<b>{{ user.public_name }}</b>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    pages = []
    for name in ("Alice Martin", "Bruno Petit"):
        request = rf.get("/page/")
        request.user = UserFactory(display_name=name)
        pages.append(personal_page(request, "page.html", {}, shared_key="v1").content.decode())
    assert pages == ["<p>[]</p><b>Alice Martin</b>", "<p>[]</p><b>Bruno Petit</b>"]
