"""Background work for groups (django-q2). Tasks take primary keys and are idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from associations.selectors import association_manager_emails

from .emails import absolute_url, email_send
from .models import Group, GroupApplication, GroupInvitation, GroupMembership, Session


def _user(user_id: int):
    return get_user_model().objects.filter(pk=user_id).first()


def seat_won_email_send(group_id: int, user_id: int, outcome: str) -> bool:
    """Tell a winner their seat (or waiting-list place); when full, tell the admins too."""
    group = Group.objects.select_related("association").filter(pk=group_id).first()
    user = _user(user_id)
    if group is None or user is None:
        return False
    context = {
        "group": group,
        "user": user,
        "waiting": outcome == "waiting",
        "group_url": absolute_url(group.get_absolute_url()),
        "account_url": absolute_url(reverse("accounts:dashboard")),
    }
    sent = email_send(template="seat_won", context=context, recipients=[user.email])
    if outcome == "waiting":
        email_send(
            template="seat_waiting_admin",
            context=context,
            recipients=association_manager_emails(association=group.association),
        )
    return sent


def seat_granted_email_send(group_id: int, user_id: int) -> bool:
    group, user = Group.objects.filter(pk=group_id).first(), _user(user_id)
    if group is None or user is None:
        return False
    if not GroupMembership.objects.filter(group=group, user=user).exists():
        return False
    return email_send(
        template="seat_granted",
        context={"group": group, "user": user, "group_url": absolute_url(group.get_absolute_url())},
        recipients=[user.email],
    )


def application_decided_email_send(application_id: int, outcome: str) -> bool:
    application = (
        GroupApplication.objects.select_related("group", "user").filter(pk=application_id).first()
    )
    if application is None:
        return False
    return email_send(
        template="application_decided",
        context={
            "group": application.group,
            "outcome": outcome,
            "group_url": absolute_url(application.group.get_absolute_url()),
        },
        recipients=[application.user.email],
    )


def invitation_email_send(invitation_id: int) -> bool:
    invitation = GroupInvitation.objects.select_related("group__association").filter(
        pk=invitation_id, status=GroupInvitation.Status.PENDING
    )
    invitation = invitation.first()
    if invitation is None:
        return False
    return email_send(
        template="invitation",
        context={
            "group": invitation.group,
            "account_url": absolute_url(reverse("accounts:dashboard")),
        },
        recipients=[invitation.email],
    )


REMINDER_AHEAD = timedelta(hours=24)


def session_reminders_send() -> int:
    """Every 15 minutes: remind members of the sessions starting within a day, once each."""
    now = timezone.now()
    sent = 0
    due = Session.objects.filter(
        starts_at__gt=now, starts_at__lte=now + REMINDER_AHEAD, reminder_sent_at__isnull=True
    ).values_list("pk", flat=True)
    for session_id in list(due):
        with transaction.atomic():
            session = (
                Session.objects.select_for_update(skip_locked=True)
                .filter(pk=session_id, reminder_sent_at__isnull=True)
                .select_related("group")
                .first()
            )
            if session is None:
                continue
            session.reminder_sent_at = now
            session.save(update_fields=["reminder_sent_at"])
            recipients = list(session.group.memberships.values_list("user__email", flat=True))
            context = {
                "session": session,
                "group": session.group,
                "group_url": absolute_url(session.group.get_absolute_url()),
            }
            # Queued with the mark: both commit, or neither.
            email_send(template="session_reminder", context=context, recipients=recipients)
            sent += 1
    return sent


def room_deleted_messages_purge_run() -> int:
    """Every hour: forget deleted messages' texts once their retention has passed."""
    from .services.room_edit import room_deleted_messages_purge

    return room_deleted_messages_purge()


SCHEDULES: dict[str, tuple[str, int]] = {
    "groups: session reminders": ("groups.tasks.session_reminders_send", 15),
    # Each member gets at most one per GROUPS_DIGEST_PERIOD_MINUTES (groups.notify.digest).
    "groups: mention digests": ("groups.notify.digest.mention_digests_send", 5),
    "groups: purge deleted room messages": ("groups.tasks.room_deleted_messages_purge_run", 60),
}


def schedules_ensure() -> list[str]:
    """Create or update the groups' periodic tasks; running it twice changes nothing."""
    from django_q.models import Schedule

    names = []
    with transaction.atomic():
        for name, (func, minutes) in SCHEDULES.items():
            Schedule.objects.update_or_create(
                name=name,
                defaults={
                    "func": func,
                    "schedule_type": Schedule.MINUTES,
                    "minutes": minutes,
                    "repeats": -1,
                },
            )
            names.append(name)
    return names
