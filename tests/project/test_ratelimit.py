import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from assosolos.ratelimit import ratelimit, ratelimit_consume
from tests.factories import UserFactory


def test_consume_allows_up_to_the_limit_then_refuses():
    results = [ratelimit_consume(scope="t", key="k", limit=3, period=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_limits_are_counted_per_key_and_scope():
    for _ in range(3):
        ratelimit_consume(scope="t", key="a", limit=3, period=60)
    assert ratelimit_consume(scope="t", key="a", limit=3, period=60) is False
    assert ratelimit_consume(scope="t", key="b", limit=3, period=60) is True
    assert ratelimit_consume(scope="other", key="a", limit=3, period=60) is True


@pytest.mark.django_db
def test_decorated_view_answers_429_with_a_page_once_limited():
    calls = []

    @ratelimit(scope="buy", limit=2, period=60)
    def view(request):
        calls.append(request.method)
        return HttpResponse("ok")

    factory = RequestFactory()
    user = UserFactory()
    statuses = []
    for _ in range(4):
        request = factory.post("/buy/")
        request.user = user
        statuses.append(view(request).status_code)
    assert statuses == [200, 200, 429, 429]
    assert calls == ["POST", "POST"]
    # Reading is never limited.
    request = factory.get("/buy/")
    request.user = user
    assert view(request).status_code == 200


@pytest.mark.django_db
def test_anonymous_clients_behind_a_trusted_proxy_are_counted_by_their_own_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    @ratelimit(scope="buy", limit=1, period=60)
    def view(request):
        return HttpResponse("ok")

    def from_client(address):
        request = RequestFactory().post(
            "/buy/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=address
        )
        request.user = AnonymousUser()
        return view(request).status_code

    assert from_client("203.0.113.5") == 200
    assert from_client("203.0.113.5") == 429
    # Another person behind the same proxy is not refused for the first one's requests.
    assert from_client("198.51.100.7") == 200


@pytest.mark.django_db
def test_a_forged_forwarded_header_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    @ratelimit(scope="buy", limit=1, period=60)
    def view(request):
        return HttpResponse("ok")

    def forged(address):
        request = RequestFactory().post(
            "/buy/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR=address
        )
        request.user = AnonymousUser()
        return view(request).status_code

    assert forged("203.0.113.5") == 200
    assert forged("198.51.100.7") == 429
