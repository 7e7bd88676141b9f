import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "un-mot-de-passe-solide-2026"


def signup(client, email="nadia@example.org", password=STRONG, password2=None, name="Nadia"):
    return client.post(
        reverse("account_signup"),
        {
            "display_name": name,
            "email": email,
            "password1": password,
            "password2": password2 or password,
        },
    )


def verification_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_requires_verification_before_login(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="nadia@example.org")
    assert user.display_name == "Nadia"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1

    # Unverified: logging in sends the person back to the verification notice.
    response = client.post(
        reverse("account_login"), {"login": "nadia@example.org", "password": STRONG}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    link = verification_link(mail.outbox[0])
    response = client.get(link)
    assert response.status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = client.post(
        reverse("account_login"), {"login": "nadia@example.org", "password": STRONG}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_signup_with_taken_email_says_so(client):
    UserFactory(email="taken@example.org")
    response = signup(client, email="TAKEN@example.org")
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    errors = response.context["form"].errors["email"]
    assert errors
    assert "taken@example.org" not in str(errors)  # a message, not an echo
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize(
    ("password", "expected"),
    [("court", "trop court"), ("12345678901", "entièrement numérique"), ("motdepasse", "courant")],
)
def test_signup_with_weak_password_is_refused(client, password, expected):
    response = signup(client, password=password)
    assert response.status_code == 200
    assert not User.objects.filter(email="nadia@example.org").exists()
    assert expected in " ".join(response.context["form"].errors["password1"])


def test_signup_with_mismatched_passwords_is_refused(client):
    response = signup(client, password=STRONG, password2=STRONG + "x")
    assert response.status_code == 200
    assert not User.objects.exists()
    assert response.context["form"].errors


def test_bad_verification_link_says_so(client):
    response = client.get("/accounts/confirm-email/not-a-real-key/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "expiré ou n'est pas valide" in content or "invalide" in content
    response = client.post("/accounts/confirm-email/not-a-real-key/")
    assert response.status_code in {200, 404}
    assert response.status_code != 500


def test_signup_requires_a_display_name(client):
    response = signup(client, name="")
    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
