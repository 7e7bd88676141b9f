"""Emails about follow-ups, through the site's one email module (`assosolos.emails`)."""

from __future__ import annotations

from assosolos.emails import absolute_url
from assosolos.emails import email_send as _email_send

__all__ = ["absolute_url", "email_send"]


def email_send(*, template: str, context: dict, recipients: list[str]) -> bool:
    return _email_send(
        template=f"followups/email/{template}", context=context, recipients=recipients
    )
