import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_french_by_default_even_for_an_english_browser(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert "Mon compte" not in response.text  # not signed in
    assert "S'inscrire" in response.text


def test_the_switch_changes_the_language_and_keeps_the_page(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("account_login")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    response = client.get(reverse("account_login"))
    assert response["Content-Language"] == "en"
    assert "Sign up" in response.text
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert client.get(reverse("account_login"))["Content-Language"] == "fr"


def test_an_unknown_language_cookie_falls_back_to_french(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert client.get(reverse("account_login"))["Content-Language"] == "fr"
