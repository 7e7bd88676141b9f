"""Every email the site sends: written to an outgoing queue, sent by a task with retries.

Emails are rows of django-post-office's queue (`post_office.Email`), written in the
same transaction as the change they announce: a rolled-back change sends nothing,
and a committed one keeps its email however long SMTP, Redis or the task cluster is
away. Allauth's emails are queued the same way (`message_queue`), and
`EMAIL_BACKEND` is `QueueBackend`, so any other email Django sends is queued too.

Sending (`emails_send_queued`) runs after each commit that queued an email and
every minute from the schedule, so a lost task costs a minute, not an email. Each
email is claimed for a while before it goes out, so two workers never send it
twice; a failed delivery is tried again later (POST_OFFICE's MAX_RETRIES and
RETRY_INTERVAL), then marked failed and shown in the admin.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from post_office.backends import EmailBackend as PostOfficeBackend

from .effects import task_on_commit

logger = logging.getLogger(__name__)

SEND_TASK = "assosolos.emails.emails_send_queued"
# How long a worker owns an email it is sending; past this, another may send it.
CLAIM_DURATION = timedelta(minutes=10)
# Batches per run: a steady stream of new emails cannot keep one task running forever.
MAX_BATCHES = 50


class QueueBackend(PostOfficeBackend):
    """Write messages to the outgoing queue, and have them sent once the transaction commits."""

    def send_messages(self, email_messages):
        queued = super().send_messages(email_messages)
        if email_messages:
            task_on_commit(SEND_TASK)
        return queued


def _site_context() -> dict:
    return {
        "site_url": settings.SITE_URL.rstrip("/"),
        "site_domain": urlsplit(settings.SITE_URL).netloc,
    }


def message_queue(message: EmailMessage) -> None:
    """Put a built message on the outgoing queue, whatever EMAIL_BACKEND says.

    A message without an HTML version gets one in the site's look (`email/base.html`
    around its text). Django's test runner swaps EMAIL_BACKEND for its outbox; going
    through the queue explicitly keeps tests on the production road.
    """
    alternatives = getattr(message, "alternatives", [])
    if not any(mimetype == "text/html" for _content, mimetype in alternatives):
        if not isinstance(message, EmailMultiAlternatives):
            message = EmailMultiAlternatives(
                subject=message.subject,
                body=message.body,
                from_email=message.from_email,
                to=message.to,
                cc=message.cc,
                bcc=message.bcc,
                headers=message.extra_headers,
                reply_to=message.reply_to,
            )
        html = render_to_string(
            "email/base.html", {**_site_context(), "subject": message.subject, "text": message.body}
        )
        message.attach_alternative(html, "text/html")
    QueueBackend().send_messages([message])


@dataclass(frozen=True)
class EmailSite:
    """What allauth's emails call `current_site`: the site's name and SITE_URL's host."""

    name: str
    domain: str


def email_site() -> EmailSite:
    return EmailSite(name=settings.WAGTAIL_SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def absolute_url(path: str) -> str:
    """A link for an email: emails are read outside the site, so every link is absolute."""
    return settings.SITE_URL.rstrip("/") + path


def email_send(
    *, template: str, context: dict, recipients: Iterable[str], headers: dict | None = None
) -> bool:
    """Queue the email `template` for `recipients`; it leaves once the transaction commits.

    `template` names three templates: `<template>_subject.txt`, `<template>.txt` and,
    when it exists, `<template>.html` (extending `email/base.html`; without it, the
    text is shown in that layout). Emails are
    written in the site's language (French): the person who receives one is rarely
    the one whose request caused it. `headers` are added as they are (List-Unsubscribe…).
    Returns whether anything was queued.
    """
    recipients = [address for address in recipients if address]
    if not recipients:
        return False
    context = {**_site_context(), **context}
    with translation.override(settings.EMAIL_LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = ""
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    message_queue(message)
    return True


# --- Sending ---------------------------------------------------------------------


def _write(pk: int, **fields) -> None:
    """Record what happened to an email, reconnecting if the database connection died.

    The email has already left: failing to record it would send it again later.
    """
    from post_office.models import Email

    for attempt in range(4):
        try:
            Email.objects.filter(pk=pk).update(**fields)
            return
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or attempt == 3:
                raise
            logger.warning("Email %s: database connection lost, recording again", pk)
            connection.close()
            time.sleep(0.2 * (attempt + 1))


def _claim(pk: int, now) -> bool:
    """Take an email for this worker only; False when another one has it or it is done."""
    from post_office.models import STATUS, Email

    due = Q(scheduled_time__lte=now) | Q(scheduled_time=None)
    claimed = Email.objects.filter(due, pk=pk, status__in=[STATUS.queued, STATUS.requeued]).update(
        scheduled_time=now + CLAIM_DURATION, last_updated=now
    )
    return claimed == 1


def emails_send_queued() -> dict[str, int]:
    """Send every email that is due, each once. A django-q2 task; safe to run anywhere, often.

    Not to be called inside a transaction: each email's outcome is committed as soon
    as it is known, so a crash later in the run cannot send it a second time.
    """
    from post_office import mail
    from post_office.connections import connections as mailers
    from post_office.models import STATUS, Log
    from post_office.settings import get_default_mailer, get_max_retries, get_retry_timedelta

    counts: Counter[str] = Counter()
    try:
        for _batch in range(MAX_BATCHES):
            emails = list(mail.get_queued())
            if not emails:
                break
            for email in emails:
                now = timezone.now()
                if not _claim(email.pk, now):
                    counts["taken"] += 1
                    continue
                try:
                    email.dispatch(
                        commit=False,
                        disconnect_after_delivery=False,
                        connection=mailers[email.backend_alias or get_default_mailer()],
                    )
                except Exception as exc:  # noqa: BLE001 (any delivery failure is retried)
                    logger.warning("Email %s not delivered: %s", email.pk, exc)
                    retries = (email.number_of_retries or 0) + 1
                    if retries <= get_max_retries():
                        _write(
                            email.pk,
                            status=STATUS.requeued,
                            number_of_retries=retries,
                            scheduled_time=timezone.now() + get_retry_timedelta(),
                            last_updated=timezone.now(),
                        )
                        counts["requeued"] += 1
                    else:
                        _write(email.pk, status=STATUS.failed, last_updated=timezone.now())
                        counts["failed"] += 1
                    Log.objects.create(
                        email_id=email.pk,
                        status=STATUS.failed,
                        message=str(exc)[:2000],
                        exception_type=type(exc).__name__,
                    )
                    continue
                _write(email.pk, status=STATUS.sent, last_updated=timezone.now())
                counts["sent"] += 1
    finally:
        mailers.close()
    return dict(counts)
