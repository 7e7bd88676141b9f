"""Emails about groups, through the site's one email module (`assosolos.emails`).

They go to the outgoing queue in the database (django-post-office) and leave once
the transaction commits.
"""

from __future__ import annotations

from assosolos.emails import absolute_url
from assosolos.emails import email_send as _email_send

__all__ = ["absolute_url", "email_send"]


def email_send(
    *, template: str, context: dict, recipients: list[str], headers: dict | None = None
) -> bool:
    return _email_send(
        template=f"groups/email/{template}", context=context, recipients=recipients, headers=headers
    )
