"""Emails about groups, in the site's default language (no request to take one from).

Services queue them with `transaction.on_commit` through `effects.task_on_commit`,
so a rolled-back change sends nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def email_send(*, template: str, context: dict, recipients: list[str]) -> bool:
    recipients = [r for r in recipients if r]
    if not recipients:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"groups/email/{template}_subject.txt", context)
        body = render_to_string(f"groups/email/{template}.txt", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=recipients,
    )
    return True
