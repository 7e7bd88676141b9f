"""Encryption at rest of the networks' credentials (Fernet, key RELAY_CREDENTIALS_KEY)."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    return Fernet(settings.RELAY_CREDENTIALS_KEY)


def secret_encrypt(*, value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def secret_decrypt(*, token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
