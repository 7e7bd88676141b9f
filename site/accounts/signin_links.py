"""One-time sign-in links, emailed to an account's owner when its password sign-in pauses.

Allauth's "login by code" cannot serve here: its code belongs to the browser session
that asked for it, which is the attacker's. A link is a signed token instead, in the
manner of Django's password reset tokens: it names the account and when it was made,
and its signature covers the account's password and last login, so it stops working
once it has signed the owner in (the login moves last_login), once the password
changes, and LOGIN_LINK_MAX_AGE seconds after it was made.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from assosolos.emails import absolute_url, email_send

from . import login_limits
from .models import User

KEY_SALT = "accounts.signin_links"


def _signature(*, user: User, issued_at: int) -> str:
    last_login = user.last_login.isoformat() if user.last_login else ""
    value = f"{user.pk}|{user.password}|{last_login}|{user.email.lower()}|{issued_at}"
    return salted_hmac(KEY_SALT, value, algorithm="sha256").hexdigest()[:40]


def signin_link_token(*, user: User) -> str:
    issued_at = int(login_limits.clock())
    return f"{int_to_base36(issued_at)}-{_signature(user=user, issued_at=issued_at)}"


def signin_link_path(*, user: User) -> str:
    return reverse(
        "accounts:signin_link",
        kwargs={"uidb36": int_to_base36(user.pk), "token": signin_link_token(user=user)},
    )


def signin_link_user(*, uidb36: str, token: str) -> User | None:
    """The active account a link signs in to, or None when it is forged, used or expired."""
    try:
        pk = base36_to_int(uidb36)
        issued_b36, signature = token.split("-", 1)
        issued_at = base36_to_int(issued_b36)
    except ValueError:
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        return None
    if not constant_time_compare(signature, _signature(user=user, issued_at=issued_at)):
        return None
    age = login_limits.clock() - issued_at
    if not 0 <= age <= settings.LOGIN_LINK_MAX_AGE:
        return None
    return user


def signin_link_send(*, login: str) -> bool:
    """Email the owner of `login`, if it is an active account, a one-time sign-in link."""
    user = get_user_model().objects.filter(email__iexact=login, is_active=True).first()
    if user is None:
        return False
    return email_send(
        template="accounts/email/signin_link",
        context={
            "user": user,
            "signin_url": absolute_url(signin_link_path(user=user)),
            "reset_url": absolute_url(reverse("account_reset_password")),
            "minutes": max(1, settings.LOGIN_LINK_MAX_AGE // 60),
        },
        recipients=[user.email],
    )
