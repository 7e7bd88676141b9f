"""Emails about associations. Services call these inside the transaction of the change.

Each is queued with the change and sent after it commits (see `assosolos.emails`).
"""

from django.urls import reverse

from assosolos.emails import absolute_url, email_send

from .models import Association, Invitation


def _send(*, template: str, context: dict, recipients: list[str]) -> None:
    email_send(template=f"associations/email/{template}", context=context, recipients=recipients)


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
