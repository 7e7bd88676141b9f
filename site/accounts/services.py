from dataclasses import dataclass

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.db import transaction

from .models import User


def user_profile_update(*, user: User, display_name: str) -> User:
    """Change what other members see of a user."""
    user.display_name = display_name.strip()
    user.full_clean(validate_unique=False)
    user.save(update_fields=["display_name"])
    return user


@dataclass(frozen=True)
class TwoFactorEnrolment:
    """What a person needs to sign in with their second factor."""

    secret: str
    otpauth_uri: str
    recovery_codes: list[str]
    created: bool


@transaction.atomic
def user_two_factor_enrol(*, user: User) -> TwoFactorEnrolment:
    """Give `user` an authenticator-app secret and recovery codes, keeping existing ones.

    For accounts made by a command (the demo staff account): people enrol themselves
    from their account page, where allauth checks a first code before saving.
    """
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    created = totp is None
    if created:
        totp = TOTP.activate(user, generate_totp_secret()).instance
    secret = decrypt(totp.data["secret"])
    codes = RecoveryCodes.activate(user).get_unused_codes()
    return TwoFactorEnrolment(
        secret=secret,
        otpauth_uri=get_mfa_adapter().build_totp_url(user, secret),
        recovery_codes=codes,
        created=created,
    )
