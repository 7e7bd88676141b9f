"""One login door: the CMS and the Django admin sign in through the site's login."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def login_target(response) -> tuple[str, str]:
    """The path a redirect leads to and the `next` it carries."""
    assert response.status_code == 302, response.status_code
    url = urlsplit(response["Location"])
    return url.path, parse_qs(url.query).get("next", [""])[0]


@pytest.mark.parametrize(
    ("url", "expected_next"),
    [
        ("/cms/login/", "/cms/"),
        ("/cms/login/?next=/cms/pages/", "/cms/pages/"),
        ("/django-admin/login/", "/django-admin/"),
        ("/django-admin/login/?next=/django-admin/accounts/user/", "/django-admin/accounts/user/"),
        ("/cms/login/?next=https://evil.example.com/", "/cms/"),
    ],
)
def test_admin_logins_lead_to_the_site_login_keeping_next(client, url, expected_next):
    assert login_target(client.get(url)) == (reverse("account_login"), expected_next)


@pytest.mark.parametrize("url", ["/cms/", "/django-admin/"])
def test_admins_send_anonymous_visitors_to_the_site_login(client, url):
    response = client.get(url, follow=True)
    first_hop_chain = [hop for hop, _ in response.redirect_chain]
    assert urlsplit(first_hop_chain[-1]).path == reverse("account_login")
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/cms/login/", "/django-admin/login/"])
def test_posting_a_password_to_an_admin_login_signs_no_one_in(client, url):
    staff = StaffFactory()
    for password in (DEFAULT_PASSWORD, "not-the-password"):
        response = client.post(url, {"username": staff.email, "password": password})
        # Same answer for a right and a wrong password: the door reads neither.
        assert login_target(response)[0] == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_an_unverified_account_cannot_sign_in_for_the_cms(client):
    staff = StaffFactory(verified=False)
    response = client.post(
        f"{reverse('account_login')}?next=/cms/",
        {"login": staff.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    response = client.get("/cms/", follow=True)
    assert urlsplit(response.redirect_chain[-1][0]).path == reverse("account_login")


@pytest.mark.parametrize(
    "url",
    [
        "/cms/password_reset/",
        "/cms/password_reset/done/",
        "/cms/password_reset/confirm/MQ/set-password/",
        "/django-admin/password_reset/",
    ],
)
def test_admin_password_resets_lead_to_the_site_one(client, url):
    user = UserFactory()
    response = client.post(url, {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password")
    assert mail.outbox == []


def test_password_resets_are_rate_limited_for_staff_too(client, django_capture_on_commit_callbacks):
    staff = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):
            client.post(reverse("account_reset_password"), {"email": staff.email})
    assert 1 <= len(mail.outbox) <= 5


def test_a_signed_in_person_without_admin_access_gets_403_not_a_loop(client):
    client.force_login(UserFactory())
    assert client.get("/cms/login/?next=/cms/").status_code == 403
    assert client.get("/django-admin/login/?next=/django-admin/").status_code == 403


def test_the_cms_no_longer_manages_passwords_or_emails(client):
    from django.conf import settings

    assert settings.WAGTAIL_PASSWORD_MANAGEMENT_ENABLED is False
    assert settings.WAGTAIL_PASSWORD_RESET_ENABLED is False
    assert settings.WAGTAIL_EMAIL_MANAGEMENT_ENABLED is False
