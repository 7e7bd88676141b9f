import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_and_logout(client):
    user = UserFactory()
    response = login(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_wrong_password_shows_an_error(client):
    user = UserFactory()
    response = login(client, user.email, "nope-nope-nope")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def refused(response) -> bool:
    """The login form refused the attempt for too many failures (checked no password)."""
    if response.status_code != 200 or "form" not in response.context:
        return False
    errors = response.context["form"].errors.as_data().get("__all__", [])
    return any(error.code == "too_many_login_attempts" for error in errors)


def test_repeated_failed_logins_on_one_account_are_refused(client, settings):
    user = UserFactory()
    results = [
        refused(login(client, user.email, "wrong-password-123"))
        for _ in range(settings.LOGIN_FAILURES_PER_PAIR + 1)
    ]
    # The first attempts are answered normally, then the limit refuses further ones.
    assert results == [False] * settings.LOGIN_FAILURES_PER_PAIR + [True]
    # Once limited, even the right password is refused for a while.
    response = login(client, user.email, DEFAULT_PASSWORD)
    assert refused(response)
    assert not response.wsgi_request.user.is_authenticated


def test_failed_logins_from_one_address_are_limited_across_accounts(client, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    users = UserFactory.create_batch(11)
    outcome = [refused(login(client, u.email, "wrong-password-123")) for u in users]
    assert outcome == [False] * 10 + [True]


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "a-brand-new-passphrase-42",
            "password2": "a-brand-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase-42")


def test_password_reset_sends_a_working_link(client, django_capture_on_commit_callbacks):
    import re

    from django.core import mail

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert path
    response = client.get(path.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path.group(1)
    response = client.post(
        form_url, {"password1": "reset-passphrase-2026", "password2": "reset-passphrase-2026"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("reset-passphrase-2026")


def test_my_account_page_updates_the_display_name(client):
    user = UserFactory(display_name="Avant")
    client.force_login(user)
    response = client.get(reverse("accounts:dashboard"))
    assert "Avant" in response.text
    response = client.post(reverse("accounts:dashboard"), {"display_name": "  Après  "})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Après"


def test_my_account_rejects_a_too_long_name_without_losing_the_old_one(client):
    user = UserFactory(display_name="Garde")
    client.force_login(user)
    response = client.post(reverse("accounts:dashboard"), {"display_name": "x" * 200})
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    user.refresh_from_db()
    assert user.display_name == "Garde"


def test_my_account_requires_login(client):
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_failures_on_one_account_do_not_lock_others_out_from_the_same_address(client):
    target, neighbour = UserFactory(), UserFactory()
    for _ in range(12):
        login(client, target.email, "wrong-password-123")
    # The attacked account is locked, even with its right password...
    response = login(client, target.email, DEFAULT_PASSWORD)
    assert "_auth_user_id" not in client.session
    # ...but someone else at the same address still signs in.
    response = login(client, neighbour.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(neighbour.pk)


def test_failed_logins_are_counted_per_client_behind_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    users = UserFactory.create_batch(11)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for user in users:
        client.post(
            reverse("account_login"),
            {"login": user.email, "password": "wrong-password-123"},
            HTTP_X_FORWARDED_FOR="203.0.113.5",
            **proxy,
        )
    # One client spraying passwords is stopped; another behind the same proxy is not.
    sprayer = client.post(
        reverse("account_login"),
        {"login": users[0].email, "password": DEFAULT_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **proxy,
    )
    assert refused(sprayer)
    assert "_auth_user_id" not in client.session
    other = client.post(
        reverse("account_login"),
        {"login": users[1].email, "password": DEFAULT_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert other.status_code == 302
