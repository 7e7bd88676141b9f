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


def test_ten_failed_logins_in_a_row_are_refused(client):
    user = UserFactory()
    refused = []
    for _ in range(10):
        response = login(client, user.email, "wrong-password-123")
        assert response.status_code in {200, 429}
        refused.append(response.status_code == 429 or "Trop de tentatives" in response.text)
    # The first attempts are answered normally, then the limit refuses further ones.
    assert refused[0] is False
    assert refused[-1] is True
    # Once limited, even the right password is refused for a while.
    response = login(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code in {200, 429}
    assert not response.wsgi_request.user.is_authenticated


def test_failed_logins_from_one_address_are_limited_across_accounts(client):
    users = UserFactory.create_batch(11)
    statuses = [login(client, u.email, "wrong-password-123").status_code for u in users]
    outcome = [
        s == 429 or "Trop de tentatives" in login(client, u.email, "x").text
        for s, u in zip(statuses, users, strict=True)
    ]
    assert any(outcome)


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
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
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
    assert sprayer.status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    other = client.post(
        reverse("account_login"),
        {"login": users[1].email, "password": DEFAULT_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert other.status_code == 302
