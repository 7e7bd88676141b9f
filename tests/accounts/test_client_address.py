"""The client address: X-Forwarded-For is believed only through the trusted proxies."""

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory
from django.urls import reverse

from assosolos.ratelimit import client_address
from tests.factories import DEFAULT_PASSWORD, UserFactory

PROXY = "10.0.0.1"


def request_with(forwarded: str | None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/accounts/login/", **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # No trusted proxy: the header is the client's own words, ignored.
        (0, None, PROXY),
        (0, "203.0.113.5", PROXY),
        (0, "6.6.6.6, 203.0.113.5", PROXY),
        # One proxy appended the address it saw: the last entry; what the client sent
        # before it (6.6.6.6) is ignored.
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6,7.7.7.7 ,  203.0.113.5", "203.0.113.5"),
        # Two proxies: the second one appended the first one's address (10.0.0.2).
        (2, "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "6.6.6.6, 7.7.7.7, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        # Fewer entries than proxies (one was bypassed): the leftmost, never an error.
        (2, "203.0.113.5", "203.0.113.5"),
        # No header, or an unreadable entry where the client should be: the peer.
        (1, None, PROXY),
        (1, "6.6.6.6, not-an-address", PROXY),
        (1, "203.0.113.5:4711", "203.0.113.5"),
        (1, "[2001:db8::5]:4711", "2001:db8::5"),
    ],
)
def test_client_address_reads_only_what_trusted_proxies_wrote(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_CLIENT_IP_HEADER = None
    request = request_with(forwarded)
    assert client_address(request) == expected
    # Allauth's own limits (signup, password reset) read the same address.
    assert get_adapter(request).get_client_ip(request) == expected


def test_a_proxy_header_that_names_the_client_is_read_when_configured(settings):
    settings.TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.5", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert client_address(request) == "203.0.113.5"


@pytest.mark.django_db
def test_a_guesser_forging_forwarded_addresses_is_still_counted_by_its_own(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.LOGIN_FAILURES_PER_PAIR = 5
    owner = UserFactory()
    for n in range(5):
        client.post(
            reverse("account_login"),
            {"login": owner.email, "password": "wrong-password-123"},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = client.post(
        reverse("account_login"),
        {"login": owner.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="203.0.113.66",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 2])
def test_behind_trusted_proxies_each_client_has_its_own_count(client, settings, count):
    settings.TRUSTED_PROXY_COUNT = count
    settings.LOGIN_FAILURES_PER_PAIR = 5
    owner = UserFactory()
    inner = ", 10.0.0.2" if count == 2 else ""

    def post(client_ip, password, spoof="6.6.6.6"):
        return client.post(
            reverse("account_login"),
            {"login": owner.email, "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{spoof}, {client_ip}{inner}",
        )

    for n in range(5):
        # The guesser changes the part it writes itself: still one count.
        post("203.0.113.66", "wrong-password-123", spoof=f"198.51.100.{n}")
    assert post("203.0.113.66", DEFAULT_PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session
    # The owner behind the same proxies is another client.
    assert post("192.0.2.10", DEFAULT_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
