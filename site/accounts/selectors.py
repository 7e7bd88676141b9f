"""Reads about accounts: who needs a second factor and whether this session gave it."""

from datetime import UTC, datetime

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest

from .models import User


def user_needs_two_factor(*, user: User) -> bool:
    """Staff, superusers and anyone who may open the CMS must use a second factor."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")


def user_has_two_factor(*, user: User) -> bool:
    return is_mfa_enabled(user)


def session_passed_two_factor(*, request: HttpRequest) -> bool:
    """True once the signed-in person gave a second factor in this session.

    Either they answered a code at login or when asked again (allauth records it), or
    they set up their authenticator after signing in: activating one takes a valid code.
    """
    user = request.user
    if not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    if any(record.get("method") == "mfa" for record in records):
        return True
    if not records:
        return False
    signed_in_at = min(record["at"] for record in records)
    return Authenticator.objects.filter(
        user_id=user.pk,
        type=Authenticator.Type.TOTP,
        created_at__gte=datetime.fromtimestamp(signed_in_at, tz=UTC),
    ).exists()
