"""Emails about associations. Services call these inside `transaction.on_commit`.

They are written in the site's default language (French): the people who
receive them are not the ones whose request triggered them.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Association, Invitation


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(*, template: str, context: dict, recipients: list[str]) -> None:
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"associations/email/{template}_subject.txt", context)
        body = render_to_string(f"associations/email/{template}.txt", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=recipients,
    )


def email_registration_received(*, association: Association, recipients: list[str]) -> None:
    _send(
        template="registration_received",
        context={
            "association": association,
            "dashboard_url": absolute_url(association.get_dashboard_url()),
        },
        recipients=recipients,
    )


def email_registration_to_staff(*, association: Association, recipients: list[str]) -> None:
    _send(
        template="registration_to_staff",
        context={
            "association": association,
            "review_url": absolute_url(
                reverse("association_review:inspect", args=[association.pk])
            ),
        },
        recipients=recipients,
    )


def email_status_decision(*, association: Association, recipients: list[str]) -> None:
    _send(
        template=f"status_{association.status}",
        context={
            "association": association,
            "dashboard_url": absolute_url(association.get_dashboard_url()),
            "public_url": absolute_url(association.get_absolute_url()),
        },
        recipients=recipients,
    )


def email_invitation(*, invitation: Invitation, token: str) -> None:
    _send(
        template="invitation",
        context={
            "invitation": invitation,
            "association": invitation.association,
            "inviter": invitation.invited_by,
            "accept_url": absolute_url(
                reverse("associations:invitation_accept", kwargs={"token": token})
            ),
        },
        recipients=[invitation.email],
    )
