"""Factories shared by every app's tests."""

import factory
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose email address is verified, so they can log in at once."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("first_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        if extracted is False:
            return
        EmailAddress.objects.update_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def staff_sign_in(client, user, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in the way the admins require: password, then a code from an authenticator.

    Gives `user` an authenticator first if they have none. A code works once per
    30-second window per person, so sign one person in once per test.
    """
    from django.urls import reverse

    from accounts.services import user_two_factor_enrol

    secret = user_two_factor_enrol(user=user).secret
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content


# Addresses outside the languages (urls.py): the staff screens, files, monitors.
UNPREFIXED = ("/en/", "/cms/", "/django-admin/", "/static/", "/media/", "/i18n/", "/healthz")


def en(url: str) -> str:
    """The English address of a page of the site (`/en/…`); `url` is its French one."""
    if url.startswith(("http://", "https://")) or url.startswith(UNPREFIXED) or url == "/en":
        return url
    return "/en" + url


class EnglishClient(Client):
    """A test client that reads the English site: `/en` before each address of the site."""

    def generic(self, method, path, *args, **kwargs):
        return super().generic(method, en(path), *args, **kwargs)


def english_client(client: Client) -> EnglishClient:
    """An English-reading client signed in as `client` is (they share their cookies)."""
    english = EnglishClient()
    english.cookies = client.cookies
    return english


def outbox_clear() -> None:
    """Send what the email queue holds, then forget it: the emails a test checks next
    are only those its next steps queue (a test transaction never commits, so queued
    emails wait until something sends the queue)."""
    from django.core import mail

    from assosolos.emails import emails_send_queued

    emails_send_queued()
    mail.outbox.clear()
