"""Anonymous visitors get the home and lottery pages from a short-lived cache.

A sale refreshes the copy at once; anything else shows when it expires. A signed-in
visitor never gets a kept copy and never leaves one, and no visitor ever receives
another's CSRF token or cookie.
"""

import re
import time

import pytest
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assosolos.page_cache import CSRF_PLACEHOLDER, HIT_HEADER, PAGE_KEY, REBUILD_KEY
from lottery import services
from lottery.models import Ticket
from tests.factories import UserFactory, en
from tests.lottery.factories import open_lottery, paid_order

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 60


@pytest.fixture
def locmem_cache(settings):
    """An in-process cache whose kept keys a test can list (a Redis cache cannot)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "page-cache-tests",
        },
        "local": settings.CACHES["local"],
    }
    cache.clear()  # in-process caches of one name share their store across tests
    yield
    cache.clear()


@pytest.fixture
def lottery(tree):
    return open_lottery(ticket_cap=40, title="Tombola du quartier")


def tickets_left(response) -> str:
    match = re.search(r'<strong class="tickets-left">(\d+)</strong>', response.content.decode())
    assert match, "the page shows no tickets-left figure"
    return match.group(1)


def hold_tickets_behind_the_cache(lottery, count: int) -> None:
    """Change the figure without any service, so that nothing announces it."""
    numbers = Ticket.objects.filter(lottery=lottery, status=Ticket.Status.AVAILABLE).order_by(
        "number"
    )[:count]
    Ticket.objects.filter(pk__in=list(numbers.values_list("pk", flat=True))).update(
        status=Ticket.Status.RESERVED
    )


def test_an_anonymous_visitor_gets_the_kept_copy_without_a_query(
    client, lottery, django_assert_num_queries
):
    url = lottery.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    assert HIT_HEADER not in first
    assert tickets_left(first) == "40"

    hold_tickets_behind_the_cache(lottery, 5)
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second[HIT_HEADER] == "hit"
    assert tickets_left(second) == "40"  # the copy, not the database


def test_a_sale_shows_on_the_next_request(client, lottery, django_capture_on_commit_callbacks):
    url = lottery.get_absolute_url()
    assert tickets_left(client.get(url)) == "40"
    assert client.get(url)[HIT_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery, quantity=3)
    response = client.get(url)
    assert HIT_HEADER not in response
    assert tickets_left(response) == "37"


@pytest.mark.parametrize("change", ["cash sale", "refund", "close"])
def test_every_kind_of_sale_or_status_change_refreshes_the_page(
    client, lottery, change, django_capture_on_commit_callbacks
):
    order = paid_order(lottery=lottery, quantity=2)
    url = lottery.get_absolute_url()
    before = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "cash sale":
            services.order_record_offline(
                lottery=lottery, actor=None, channel="cash", quantity=4, receipt_number="R-1"
            )
        elif change == "refund":
            services.order_mark_refunded(order_id=order.pk, refund_id="re_1")
        else:
            services.lottery_close(lottery_id=lottery.pk)
    response = client.get(url)
    assert HIT_HEADER not in response
    after = response.content.decode()
    assert after != before
    if change == "cash sale":
        assert tickets_left(response) == "34"
    elif change == "close":
        assert "Les ventes de billets ont fermé le" in after


def test_an_unannounced_change_shows_when_the_copy_expires(client, lottery, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 1
    url = lottery.get_absolute_url()
    assert tickets_left(client.get(url)) == "40"
    hold_tickets_behind_the_cache(lottery, 5)
    assert tickets_left(client.get(url)) == "40"
    time.sleep(1.1)
    response = client.get(url)
    assert HIT_HEADER not in response
    assert tickets_left(response) == "35"


def test_the_home_page_is_kept_and_a_sale_refreshes_it(
    client, lottery, tree, django_capture_on_commit_callbacks
):
    assert "Tombola du quartier" in client.get("/").content.decode()
    assert client.get("/")[HIT_HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery)
    assert HIT_HEADER not in client.get("/")
    # A new lottery on sale shows at once too.
    assert client.get("/")[HIT_HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        open_lottery(title="Tombola du printemps")
    assert "Tombola du printemps" in client.get("/").content.decode()


def test_publishing_a_page_refreshes_the_home_page(
    client, tree, django_capture_on_commit_callbacks
):
    home = tree["home"]
    client.get("/")
    assert client.get("/")[HIT_HEADER] == "hit"
    home.hero_title = "Un nouveau titre"
    with django_capture_on_commit_callbacks(execute=True):
        home.save_revision().publish()
    assert "Un nouveau titre" in client.get("/").content.decode()


def test_signed_in_visitors_never_get_or_leave_a_kept_copy(client, lottery):
    url = lottery.get_absolute_url()
    alice = UserFactory(display_name="Alice Martin")
    bob = UserFactory(display_name="Bruno Petit")
    paid_order(lottery=lottery, buyer=alice, quantity=2)
    client.get(url)  # an anonymous copy is now kept

    alice_client, bob_client = Client(), Client()
    alice_client.force_login(alice)
    bob_client.force_login(bob)
    alice_page = alice_client.get(url)
    assert HIT_HEADER not in alice_page
    assert "Alice Martin" in alice_page.content.decode()
    assert reverse("lottery:buy", args=[lottery.slug]) in alice_page.content.decode()

    bob_page = bob_client.get(url)
    assert HIT_HEADER not in bob_page
    assert "Alice Martin" not in bob_page.content.decode()
    assert "Bruno Petit" in bob_page.content.decode()

    # And the anonymous copy never picked up a signed-in page.
    anonymous = Client().get(url)
    assert anonymous[HIT_HEADER] == "hit"
    html = anonymous.content.decode()
    assert "Alice Martin" not in html and "Bruno Petit" not in html
    assert reverse("account_login") in html


def test_the_copy_is_kept_per_language(client, lottery, settings):
    url = lottery.get_absolute_url()
    french = client.get(url).content.decode()
    assert "Tickets left" not in french
    english_client = Client()
    english = english_client.get(en(url))
    assert HIT_HEADER not in english
    assert "Tickets left" in english.content.decode()
    assert english_client.get(en(url))[HIT_HEADER] == "hit"
    assert "Tickets left" not in client.get(url).content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_the_copy_holds_none(locmem_cache, lottery):
    url = lottery.get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(url)
    second_page = second.get(url)
    assert second_page[HIT_HEADER] == "hit"
    first_token = TOKEN.search(first_page.content.decode()).group(1)
    second_token = TOKEN.search(second_page.content.decode()).group(1)
    assert first_token != second_token
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value

    entries = [
        cache.get(k.split(":", 2)[-1]) for k in list(cache._cache) if "page-cache:page:" in k
    ]
    assert entries
    for entry in entries:
        assert CSRF_PLACEHOLDER in entry["content"]
        assert first_token.encode() not in entry["content"]
        assert not any(name.lower() == "set-cookie" for name in entry["headers"])

    # The token served from the copy works with that visitor's own cookie.
    response = second.post(
        reverse("set_language"),
        {"language": "en", "next": url, "csrfmiddlewaretoken": second_token},
    )
    assert response.status_code == 302


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page_and_leaves_no_copy(client, lottery):
    url = lottery.get_absolute_url()
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("account_logout"))  # queues "You have signed out."
    page = client.get(url)
    assert HIT_HEADER not in page
    assert 'class="message' in page.content.decode()

    other = Client().get(url)
    assert HIT_HEADER not in other  # nothing was kept from the page with the message
    assert 'class="message' not in other.content.decode()
    assert Client().get(url)[HIT_HEADER] == "hit"


def test_requests_with_a_query_string_or_other_pages_are_not_kept(
    locmem_cache, client, lottery, tree
):
    url = lottery.get_absolute_url()
    client.get(url + "?utm_source=lettre")
    assert HIT_HEADER not in client.get(url + "?utm_source=lettre")
    client.get(reverse("associations:list"))
    assert HIT_HEADER not in client.get(reverse("associations:list"))
    assert not [k for k in list(cache._cache) if PAGE_KEY.split("{")[0] in k]


def test_nothing_is_kept_when_the_setting_is_zero(client, lottery, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    url = lottery.get_absolute_url()
    client.get(url)
    assert HIT_HEADER not in client.get(url)


def test_a_page_showing_a_new_message_is_not_kept(lottery, client, monkeypatch):
    from lottery import views

    original = views.lottery_public_context

    def with_a_message(*, request, lottery, **kwargs):
        messages.info(request, "Bienvenue")
        return original(request=request, lottery=lottery, **kwargs)

    monkeypatch.setattr(views, "lottery_public_context", with_a_message)
    url = lottery.get_absolute_url()
    client.get(url)
    assert HIT_HEADER not in Client().get(url)


def test_signed_in_visitors_get_the_shared_part_from_the_cache(
    lottery, django_capture_on_commit_callbacks
):
    url = lottery.get_absolute_url()
    buyer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery, buyer=buyer, quantity=2)
    client = Client()
    client.force_login(buyer)
    assert tickets_left(client.get(url)) == "38"

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert HIT_HEADER not in response
    assert response.context["held"] == 2  # their own figure, read for them
    for shared in ("lottery_prize", "lottery_bundle", "lottery_ticket"):
        assert f'"{shared}"' not in tables

    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery, quantity=5)
    assert tickets_left(client.get(url)) == "33"


def kept_page_keys() -> list[str]:
    return [
        k.split(":", 2)[-1]
        for k in list(cache._cache)
        if "page-cache:page:" in k and not k.endswith(":rebuild")
    ]


def test_while_one_request_rebuilds_a_page_the_others_get_the_previous_copy(
    locmem_cache, client, lottery, settings, django_capture_on_commit_callbacks
):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 1
    url = lottery.get_absolute_url()
    assert tickets_left(client.get(url)) == "40"
    [key] = kept_page_keys()
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery, quantity=3)

    cache.add(REBUILD_KEY.format(key=key), 1)  # another request is rebuilding it
    during = client.get(url)
    assert during[HIT_HEADER] == "hit"
    assert tickets_left(during) == "40"

    # The previous copy is never served past twice the setting, rebuilding or not.
    time.sleep(2.1)
    cache.add(REBUILD_KEY.format(key=key), 1)
    late = client.get(url)
    assert HIT_HEADER not in late
    assert tickets_left(late) == "37"

    cache.delete(REBUILD_KEY.format(key=key))
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery, quantity=1)
    assert tickets_left(client.get(url)) == "36"  # no one else rebuilding: at once


def test_each_request_context_reuses_the_process_redis_connections(require_redis):
    """Under ASGI every request gets a new cache object; it must not open a new
    connection to Redis each time (the stock backend does: a page served from the
    cache then costs a TCP handshake more than the copy itself)."""
    from django.conf import settings as django_settings

    from assosolos.cache import PooledRedisCache

    params = {k: v for k, v in django_settings.CACHES["default"].items() if k != "LOCATION"}
    location = django_settings.CACHES["default"]["LOCATION"]
    first = PooledRedisCache(location, params)
    first.set("page-cache-test", 1)
    first.close()  # what Django does at the end of every request
    pool = first._cache._get_connection_pool(write=True)
    # The pool is the process's: other tests in this process may have opened some.
    before = pool._created_connections
    for _ in range(20):
        request_cache = PooledRedisCache(location, params)
        assert request_cache.get("page-cache-test") == 1
        assert request_cache._cache._get_connection_pool(write=True) is pool
        request_cache.close()
    assert pool._created_connections - before <= 1


def test_menu_links_are_kept_and_refreshed_when_a_page_is_published(
    tree, django_capture_on_commit_callbacks
):
    from tests.cms.factories import ContentPageFactory

    client = Client()
    client.force_login(UserFactory())
    client.get(reverse("lottery:my_tickets"))
    html = client.get(reverse("lottery:my_tickets")).content.decode()
    assert "Loteries" in html and "Nos ateliers" not in html

    with django_capture_on_commit_callbacks(execute=True):
        ContentPageFactory(parent=tree["home"], title="Nos ateliers", show_in_menus=True)
    html = client.get(reverse("lottery:my_tickets")).content.decode()
    assert "Nos ateliers" in html


def test_signed_in_visitors_share_the_rendered_parts_and_keep_their_own(
    lottery, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from lottery.draw import selectors as draw_selectors

    drawn = []
    original = draw_selectors.draw_state

    def counting(**kwargs):
        drawn.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(draw_selectors, "draw_state", counting)
    url = lottery.get_absolute_url()
    alice, bob = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery, buyer=alice, quantity=2)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(alice)
    second.force_login(bob)

    alice_page = first.get(url).content.decode()
    assert len(drawn) == 1
    bob_page = second.get(url).content.decode()
    assert len(drawn) == 1, "the draw panel was rendered again for the second visitor"
    # The shared parts are the same; each visitor's own parts are their own.
    assert "Vous détenez déjà 2 billets" in alice_page
    assert "Vous détenez déjà" not in bob_page
    assert TOKEN.search(alice_page).group(1) != TOKEN.search(bob_page).group(1)
    assert tickets_left_text(alice_page) == tickets_left_text(bob_page) == "38"
    assert 'name="quantity"' in bob_page  # the form kept with the shared parts

    # A sale renders them again at once, for everyone.
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(lottery=lottery, buyer=bob, quantity=3)
    bob_page = second.get(url).content.decode()
    assert len(drawn) == 2
    assert tickets_left_text(bob_page) == "35"
    assert "Vous détenez déjà 3 billets" in bob_page

    # Each language has its own copy.
    english = second.get(en(url)).content.decode()
    assert "Tickets left" in english and "You already hold 3 tickets" in english
    assert len(drawn) == 3


def tickets_left_text(html: str) -> str:
    match = re.search(r'<strong class="tickets-left">(\d+)</strong>', html)
    assert match, "the page shows no tickets-left figure"
    return match.group(1)


def test_a_sale_in_another_process_shows_on_the_next_signed_in_page(lottery):
    """This process's copies are checked against the shared versions on every request."""
    from assosolos.page_cache import VERSION_KEY
    from lottery.selectors import lottery_page_dependency

    url = lottery.get_absolute_url()
    client = Client()
    client.force_login(UserFactory())
    assert tickets_left(client.get(url)) == "40"
    assert tickets_left(client.get(url)) == "40"

    hold_tickets_behind_the_cache(lottery, 4)
    # What another process's bump leaves: a new version in the shared cache, while this
    # process's own copies stay where they are.
    cache.set(VERSION_KEY.format(dependency=lottery_page_dependency(lottery.pk)), "elsewhere")
    assert tickets_left(client.get(url)) == "36"


def test_menu_copies_of_a_process_lag_a_change_elsewhere_at_most_the_setting(
    tree, settings, monkeypatch
):
    from django.core.cache.backends import base, locmem

    from assosolos.page_cache import VERSION_KEY
    from cms.apps import CMS_PAGES
    from tests.cms.factories import ContentPageFactory

    class Clock:
        """The in-process caches' clock, moved by the test rather than by the machine."""

        now = time.time()

        def time(self) -> float:
            return self.now

    clock = Clock()
    monkeypatch.setattr(locmem, "time", clock)
    monkeypatch.setattr(base, "time", clock)
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 5
    client = Client()
    client.force_login(UserFactory())
    url = reverse("lottery:my_tickets")
    assert "Nos ateliers" not in client.get(url).content.decode()

    # Published by another process: its bump reaches this one through the shared
    # version only (no commit callback runs here).
    ContentPageFactory(parent=tree["home"], title="Nos ateliers", show_in_menus=True)
    cache.set(VERSION_KEY.format(dependency=CMS_PAGES), "elsewhere")
    clock.now += 4.9
    assert "Nos ateliers" not in client.get(url).content.decode()  # this process's copy
    clock.now += 0.2
    assert "Nos ateliers" in client.get(url).content.decode()
