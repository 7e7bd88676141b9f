"""A Redis that cannot be reached: the cache misses, pages stay up, guarded forms say 503.

These run without any Redis: the cache is pointed at a loopback port nothing listens
on, which fails the way a stopped Redis does (connection refused).
"""

from __future__ import annotations

import logging
import time

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory

from assosolos import cache as cache_module
from assosolos.cache import CacheUnavailable, ResilientRedisCache, cache_required
from assosolos.ratelimit import ratelimit
from assosolos.unavailable import ServiceUnavailableMiddleware, server_error
from tests.factories import UserFactory
from tests.project.live_production import free_port

TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


@pytest.fixture
def unreachable_url():
    cache_module._outages.clear()
    yield f"redis://127.0.0.1:{free_port()}/0"
    cache_module._outages.clear()


@pytest.fixture
def unreachable_cache(settings, unreachable_url):
    """The site's default cache, on a Redis that does not answer."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "assosolos.cache.ResilientRedisCache",
            "LOCATION": unreachable_url,
            "OPTIONS": TIMEOUTS,
        },
    }
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 5


def test_an_unreachable_redis_behaves_as_an_empty_cache(unreachable_url, caplog):
    backend = ResilientRedisCache(unreachable_url, {"OPTIONS": TIMEOUTS})
    caplog.set_level(logging.WARNING, logger="assosolos.cache")
    started = time.monotonic()
    assert backend.get("k", "default") == "default"
    assert backend.get_many(["a", "b"]) == {}
    assert backend.add("k", 1) is True  # nothing holds the key: the caller goes ahead
    assert backend.set("k", 1) is None
    assert backend.delete("k") is False
    assert backend.set_many({"a": 1}) == []
    with pytest.raises(ValueError):
        backend.incr("counter")
    assert backend.count("counter", timeout=60) == 1  # every count is the first
    for _ in range(50):
        backend.get("k")
    # One attempt to connect, then calls fail at once while the outage lasts.
    assert time.monotonic() - started < 1.5
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1


def test_a_count_lives_from_its_first_count_and_goes_on_from_there(require_redis, settings):
    backend = ResilientRedisCache(
        settings.REDIS_URL, {"OPTIONS": TIMEOUTS, "KEY_PREFIX": "count-test"}
    )
    backend.delete("c")
    try:
        assert [backend.count("c", timeout=60) for _ in range(3)] == [1, 2, 3]
        assert backend.get("c") == 3  # a plain integer, readable as Django writes them
        raw = backend._cache.get_client(write=True)
        ttl = raw.ttl(backend.make_key("c"))
        assert 55 <= ttl <= 60  # set by the first count, not moved by the next ones
        backend.set("d", 5, timeout=60)
        assert backend.count("d", timeout=60) == 6  # an existing counter goes on
    finally:
        backend.delete_many(["c", "d"])


def test_inside_cache_required_an_unreachable_redis_raises(unreachable_url):
    backend = ResilientRedisCache(unreachable_url, {"OPTIONS": TIMEOUTS})
    with cache_required(), pytest.raises(CacheUnavailable):
        backend.add("k", 1)
    assert backend.add("k", 1) is True  # outside, it is an empty cache again


@pytest.mark.django_db
def test_a_required_rate_limit_refuses_with_503_a_plain_one_lets_through(unreachable_cache):
    calls = []

    def view(request):
        calls.append(request.path)
        return HttpResponse("ok")

    required = ratelimit(scope="buy", limit=2, period=60, required=True)(view)
    plain = ratelimit(scope="msg", limit=2, period=60)(view)
    request = RequestFactory().post("/buy/")
    request.user = UserFactory()
    refused = required(request)
    assert refused.status_code == 503
    assert refused["Retry-After"] == "10"
    assert calls == []
    assert [plain(request).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.django_db
def test_pages_answer_and_guarded_forms_say_try_again_while_redis_is_away(unreachable_cache, tree):
    user = UserFactory()
    anonymous = Client()
    assert anonymous.get("/en/").status_code == 200
    assert anonymous.get("/en/loteries/").status_code == 200
    login = anonymous.post("/en/accounts/login/", {"login": user.email, "password": "x"})
    assert login.status_code == 503
    assert b"Service momentarily unavailable, try again" in login.content
    signed_in = Client()
    signed_in.force_login(user)
    assert signed_in.get("/compte/").status_code == 200
    buy = signed_in.post("/loteries/aucune/acheter/", {"quantity": "1"})
    assert buy.status_code == 503
    assert buy["Retry-After"] == "10"


@pytest.mark.django_db
def test_an_unreachable_database_gives_the_503_page_from_a_view_or_a_middleware(monkeypatch, tree):
    def fails(*args, **kwargs):
        raise OperationalError("connection refused")

    # A middleware (the session, read by the page cache's check) or a view meets it.
    monkeypatch.setattr(
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db", fails
    )
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "s" * 32
    response = client.get("/en/compte/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert b"Service momentarily unavailable, try again" in response.content

    middleware = ServiceUnavailableMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    assert middleware.process_exception(request, OperationalError("gone")).status_code == 503
    assert middleware.process_exception(request, ValueError("bug")) is None


def test_other_errors_keep_the_500_page():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
