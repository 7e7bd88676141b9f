"""The language is in the address: French at the root, English under /en/."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation

from tests.factories import en

pytestmark = pytest.mark.django_db


def test_french_at_the_root_whatever_the_browser_or_an_old_cookie_says(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert "S'inscrire" in response.text
    # The same address is the same page for everyone: nothing varies by the browser.
    assert "Accept-Language" not in response.get("Vary", "")


def test_english_under_en_with_links_that_stay_in_english(client):
    response = client.get(en(reverse("account_login")))
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "Sign up" in response.text
    assert 'href="/en/accounts/signup/"' in response.text
    assert 'href="/accounts/signup/"' not in response.text


def test_the_switch_links_the_same_page_in_the_other_language(client):
    french = client.get(reverse("account_login")).text
    to_english = 'href="http://testserver/en/accounts/login/" hreflang="en" lang="en">English</a>'
    assert to_english in french
    english = client.get("/en/accounts/login/?next=/compte/").text
    back = "http://testserver/accounts/login/?next=/compte/"
    assert f'href="{back}" hreflang="fr" lang="fr">Français</a>' in english
    here = "http://testserver/en/accounts/login/?next=/compte/"
    assert f'<link rel="alternate" hreflang="en" href="{here}">' in english


def test_an_unknown_language_prefix_is_not_found(client):
    assert client.get("/de/accounts/login/").status_code == 404


def test_english_dates_are_british():
    with translation.override("en"):
        assert formats.date_format(date(2026, 12, 6), "DATE_FORMAT") == "6 December 2026"
        assert formats.date_format(date(2026, 12, 6), "SHORT_DATE_FORMAT") == "06/12/2026"
        moment = datetime(2026, 12, 6, 15, 5)
        assert formats.date_format(moment, "DATETIME_FORMAT") == "6 December 2026, 15:05"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "06/12/2026 15:05"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
    with translation.override("fr"):
        assert formats.date_format(date(2026, 12, 6), "DATE_FORMAT") == "6 décembre 2026"
