import pytest
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
