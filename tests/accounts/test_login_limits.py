"""Failed logins are limited so that a stranger cannot lock the owner out of an account.

Time moves by the limits' own clock (`login_limits.clock`), never by sleeping.
"""

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import login_limits
from tests.factories import DEFAULT_PASSWORD, UserFactory, english_client

pytestmark = pytest.mark.django_db

OWNER_ADDRESS = "192.0.2.10"
STRANGER_ADDRESS = "203.0.113.66"
WRONG = "wrong-password-123"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    # The start of an hour: every window (5 minutes, 1 hour) starts here.
    fake = Clock(1_800_000_000.0)
    monkeypatch.setattr(login_limits, "clock", fake)
    return fake


@pytest.fixture
def client(client):
    # English answers, so the form's wording is checked against the msgids.
    return english_client(client)


def attempt(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def refusal(response) -> str | None:
    """The form's message when it refused the attempt unchecked, else None."""
    assert response.status_code in {200, 302}, response.status_code
    if response.status_code != 200:
        return None
    errors = response.context["form"].errors.as_data().get("__all__", [])
    messages = [e.messages[0] for e in errors if e.code == "too_many_login_attempts"]
    return messages[0] if messages else None


def signed_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def local_time(moment: float) -> str:
    return timezone.localtime(datetime.fromtimestamp(moment, tz=UTC)).strftime("%H:%M:%S")


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out_elsewhere(client, clock):
    owner = UserFactory()
    for _ in range(10):
        attempt(client, owner.email, WRONG, STRANGER_ADDRESS)
    # The stranger is stopped on this account...
    assert refusal(attempt(client, owner.email, DEFAULT_PASSWORD, STRANGER_ADDRESS))
    assert not signed_in_as(client, owner)
    # ...its owner, at their own address, signs in at once.
    response = attempt(client, owner.email, DEFAULT_PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 302
    assert signed_in_as(client, owner)


def test_the_pair_limit_stops_a_guesser_at_one_address_and_says_when_to_retry(
    client, clock, settings
):
    settings.LOGIN_FAILURES_PER_PAIR = 5
    settings.LOGIN_FAILURES_PAIR_PERIOD = 300
    owner = UserFactory()
    answers = [refusal(attempt(client, owner.email, WRONG, STRANGER_ADDRESS)) for _ in range(5)]
    assert answers == [None] * 5
    clock.advance(60)
    # The right password is refused too: the limit checks no password.
    message = refusal(attempt(client, owner.email, DEFAULT_PASSWORD, STRANGER_ADDRESS))
    assert message == (
        "Too many failed attempts to sign in to this account from your connection. "
        f"Try again in 4 minutes (at {local_time(clock.now + 240)}), or reset your password."
    )
    assert not signed_in_as(client, owner)
    # Once the period is over, the address may try again.
    clock.advance(240)
    assert attempt(client, owner.email, DEFAULT_PASSWORD, STRANGER_ADDRESS).status_code == 302
    assert signed_in_as(client, owner)


def test_a_successful_login_resets_the_pairs_count(client, clock, settings):
    settings.LOGIN_FAILURES_PER_PAIR = 5
    owner = UserFactory()
    for _ in range(4):
        attempt(client, owner.email, WRONG, OWNER_ADDRESS)
    assert attempt(client, owner.email, DEFAULT_PASSWORD, OWNER_ADDRESS).status_code == 302
    client.post(reverse("account_logout"))
    for _ in range(4):
        assert refusal(attempt(client, owner.email, WRONG, OWNER_ADDRESS)) is None
    # Eight failures in the period, but only four since the last success.
    assert attempt(client, owner.email, DEFAULT_PASSWORD, OWNER_ADDRESS).status_code == 302


def test_one_address_trying_many_accounts_is_stopped_at_a_higher_ceiling(client, clock, settings):
    settings.LOGIN_FAILURES_PER_PAIR = 5
    settings.LOGIN_FAILURES_PER_ADDRESS = 12
    assert settings.LOGIN_FAILURES_PER_ADDRESS > settings.LOGIN_FAILURES_PER_PAIR
    users = UserFactory.create_batch(13)
    answers = [refusal(attempt(client, u.email, WRONG, STRANGER_ADDRESS)) for u in users[:12]]
    assert answers == [None] * 12
    message = refusal(attempt(client, users[12].email, DEFAULT_PASSWORD, STRANGER_ADDRESS))
    assert message.startswith("Too many failed sign-in attempts from your connection.")
    # Every account is still open from elsewhere.
    assert attempt(client, users[0].email, DEFAULT_PASSWORD, OWNER_ADDRESS).status_code == 302


def test_the_account_ceiling_slows_many_addresses_then_emails_one_working_sign_in_link(
    client, clock, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_ACCOUNT_DELAY_AFTER = 3
    settings.LOGIN_ACCOUNT_DELAY_SECONDS = 2
    settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 60
    settings.LOGIN_ACCOUNT_CEILING = 6
    owner = UserFactory()
    addresses = iter(f"198.51.100.{n}" for n in range(1, 100))

    def from_anywhere(password=WRONG):
        return attempt(client, owner.email, password, next(addresses))

    with django_capture_on_commit_callbacks(execute=True):
        # Three failures from three addresses: no wait yet.
        assert [refusal(from_anywhere()) for _ in range(3)] == [None] * 3
        # Then each attempt waits, twice as long as the one before: 2, 4, 8 seconds.
        for wait in (2, 4, 8):
            message = refusal(from_anywhere())
            assert message == (
                "This account has had many failed sign-in attempts: to protect it, the next "
                f"attempt is possible in {wait} seconds (at {local_time(clock.now + wait)})."
            )
            clock.advance(wait - 1)
            assert refusal(from_anywhere())
            clock.advance(1)
            assert refusal(from_anywhere()) is None  # checked, and wrong
    # The sixth failure reached the ceiling: the owner was emailed.
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        # At the ceiling password sign-in pauses, for the owner as well...
        clock.advance(60)
        message = refusal(attempt(client, owner.email, DEFAULT_PASSWORD, OWNER_ADDRESS))
        assert message.startswith(
            "After too many failed attempts, signing in to this account with a password is paused"
        )
        for _ in range(3):
            refusal(from_anywhere())
    # ...and its owner got one email, however long the attack goes on.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    path = re.search(
        r"https?://[^/\s]+(/(?:en/)?compte/connexion/\S+/)", mail.outbox[0].body
    ).group(1)

    # Opening the link signs nobody in (a mail filter may follow it): its button does.
    page = client.get(path)
    assert page.status_code == 200
    assert not signed_in_as(client, owner)
    response = client.post(path, REMOTE_ADDR=OWNER_ADDRESS)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert signed_in_as(client, owner)

    # The link works once.
    client.post(reverse("account_logout"))
    assert client.get(path).status_code == 400
    assert client.post(path).status_code == 400
    assert not signed_in_as(client, owner)


def test_a_sign_in_link_expires_and_cannot_be_forged(client, clock, settings):
    from accounts.signin_links import signin_link_path

    settings.LOGIN_LINK_MAX_AGE = 1800
    owner, other = UserFactory(), UserFactory()
    path = signin_link_path(user=owner)
    # Another account's id with this token, or a changed token, signs nobody in.
    forged = path.replace(f"/connexion/{_uid(owner)}/", f"/connexion/{_uid(other)}/")
    assert client.post(forged).status_code == 400
    assert client.post(path[:-2] + ("0/" if path[-2] != "0" else "1/")).status_code == 400
    clock.advance(1801)
    response = client.post(path)
    assert response.status_code == 400
    assert "This sign-in link has expired or has already been used." in response.text
    assert not signed_in_as(client, owner)


def _uid(user) -> str:
    from django.utils.http import int_to_base36

    return int_to_base36(user.pk)


def test_a_password_reset_reopens_password_sign_in(
    client, clock, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_ACCOUNT_DELAY_AFTER = 1
    settings.LOGIN_ACCOUNT_CEILING = 2
    owner = UserFactory()
    attempt(client, owner.email, WRONG, "198.51.100.1")
    clock.advance(60)
    attempt(client, owner.email, WRONG, "198.51.100.2")
    clock.advance(60)
    assert refusal(attempt(client, owner.email, DEFAULT_PASSWORD, OWNER_ADDRESS))
    # The owner sets a new password from the emailed key...
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": owner.email})
    reset = re.search(
        r"https?://[^/\s]+(/(?:en/)?accounts/password/reset/key/\S+/)", mail.outbox[-1].body
    )
    response = client.get(reset.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset.group(1)
    new_password = "a-new-passphrase-2026"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    # ...and signs in with it at once.
    assert attempt(client, owner.email, new_password, OWNER_ADDRESS).status_code == 302
    assert signed_in_as(client, owner)


@pytest.mark.usefixtures("require_redis")
def test_failures_are_counted_in_redis_and_expire_with_their_period(client, settings):
    import redis

    settings.LOGIN_FAILURES_PAIR_PERIOD = 300
    owner = UserFactory()
    attempt(client, owner.email, WRONG, STRANGER_ADDRESS)
    server = redis.Redis.from_url(settings.REDIS_URL)
    keys = [k.decode() for k in server.scan_iter(match="*login:pair:*")]
    assert len(keys) == 1
    assert 0 < server.ttl(keys[0]) <= 301
    assert int(server.get(keys[0])) == 1


def test_a_sign_in_link_still_asks_staff_for_their_second_factor(client, clock):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.signin_links import signin_link_path
    from tests.factories import StaffFactory, totp_code

    staff = StaffFactory()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    response = client.post(signin_link_path(user=staff))
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in_as(client, staff)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert signed_in_as(client, staff)
