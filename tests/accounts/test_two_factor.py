"""Two factors: offered to everyone, required for staff in the CMS and the Django admin."""

from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db


def forget_used_codes():
    # A code works once per 30-second window; a test that signs in twice in the
    # same window starts a fresh window's bookkeeping instead of waiting.
    cache.clear()


def sign_in(client, user, next_url="/cms/"):
    return client.post(
        f"{reverse('account_login')}?next={next_url}",
        {"login": user.email, "password": DEFAULT_PASSWORD},
    )


def open_totp_setup(client) -> str:
    """Open the set-up page (allauth asks for the password again first); return the secret."""
    response = client.get(reverse("mfa_activate_totp"))
    assert urlsplit(response["Location"]).path == reverse("account_reauthenticate")
    response = client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.text  # shown for people who cannot scan the QR code
    return secret


def staff_with_totp():
    staff = StaffFactory()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    codes = RecoveryCodes.activate(staff).get_unused_codes()
    return staff, secret, codes


@pytest.mark.parametrize("url", ["/cms/", "/django-admin/"])
def test_staff_without_two_factor_is_sent_to_set_it_up(client, url):
    staff = StaffFactory()
    assert sign_in(client, staff, url).status_code == 302
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_sets_up_totp_then_reaches_the_cms(client):
    staff = StaffFactory()
    sign_in(client, staff)
    secret = open_totp_setup(client)

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=staff).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/cms/").status_code == 200
    assert client.get("/django-admin/").status_code == 200


def test_staff_with_totp_signs_in_with_password_then_code(client):
    staff, secret, _ = staff_with_totp()
    response = sign_in(client, staff)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/cms/"
    assert client.get("/cms/").status_code == 200


def test_a_recovery_code_replaces_the_app_once(client):
    staff, _, codes = staff_with_totp()
    sign_in(client, staff)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response["Location"] == "/cms/"
    assert client.get("/cms/").status_code == 200

    client.post(reverse("account_logout"))
    forget_used_codes()
    sign_in(client, staff)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/cms/pages/", "/django-admin/"])
def test_a_session_without_the_second_factor_is_asked_for_it(client, url):
    staff, secret, _ = staff_with_totp()
    client.force_login(staff)  # signed in, but no code given in this session

    response = client.get(url)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("mfa_reauthenticate")

    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.get(url).status_code == 200


def test_staff_can_still_sign_out_without_a_second_factor(client):
    client.force_login(StaffFactory())
    response = client.post(reverse("wagtailadmin_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_two_factor_is_offered_to_every_member(client):
    member = UserFactory()
    sign_in(client, member, "/")
    account = client.get(reverse("accounts:dashboard"))
    assert reverse("mfa_index") in account.text
    assert client.get(reverse("mfa_index")).status_code == 200
    secret = open_totp_setup(client)
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()

    client.post(reverse("account_logout"))
    forget_used_codes()
    assert sign_in(client, member, "/")["Location"] == reverse("mfa_authenticate")


def test_members_need_no_second_factor_outside_the_admin(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:dashboard")).status_code == 200
