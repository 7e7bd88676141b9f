"""Warnings before a draw with no ticket sold, to the association and to staff.

A draw with no ticket sold still runs (it publishes a result with no winner and the
prizes stay with the association, as the rules say); one ran that way unnoticed.
LOTTERY_NO_SALES_WARNING_HOURS before the draw, if nothing is sold, the association's
managers and the platform staff get one email: a one-off task is scheduled at that
time when sales open (and again when the draw moves), and a periodic sweep catches
what a stopped cluster missed. The lottery row remembers the warning, written under
its lock with the email, so it goes once whoever runs first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from associations.selectors import association_manager_emails
from assosolos.effects import on_commit
from assosolos.emails import absolute_url, email_send

from ..locking import lottery_lock
from ..models import Lottery, Ticket

Status = Lottery.Status

NO_SALES_TASK = "lottery.tasks.no_sales_warning_run"
# Lotteries whose draw may still come with nothing sold.
WARNED_STATUSES = (Status.OPEN, Status.CLOSED)


def no_sales_warning_lead() -> timedelta:
    return timedelta(hours=settings.LOTTERY_NO_SALES_WARNING_HOURS)


def no_sales_schedule_name(lottery_id: int) -> str:
    return f"lottery {lottery_id}: no-sales warning"


def no_sales_warning_schedule(*, lottery_id: int, draw_at: datetime) -> None:
    """The one-off task at the warning time (now, if that has passed). Caller: on commit."""
    from django_q.models import Schedule

    at = max(draw_at - no_sales_warning_lead(), timezone.now())
    Schedule.objects.update_or_create(
        name=no_sales_schedule_name(lottery_id),
        defaults={
            "func": NO_SALES_TASK,
            "args": repr((lottery_id,)),
            "schedule_type": Schedule.ONCE,
            "next_run": at,
            "repeats": 1,
        },
    )


def no_sales_warning_schedule_on_commit(*, lottery: Lottery) -> None:
    lottery_id, draw_at = lottery.pk, lottery.draw_at
    on_commit(no_sales_warning_schedule, lottery_id=lottery_id, draw_at=draw_at)


def lottery_no_sales_warn(*, lottery_id: int, now: datetime | None = None) -> bool:
    """Warn once that the draw is near and no ticket is sold. Idempotent; True if sent now.

    Nothing happens before the warning time, after the draw time, once warned, or
    when a ticket is sold.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lottery = lottery_lock(lottery_id)
        if lottery.no_sales_warned_at is not None or lottery.status not in WARNED_STATUSES:
            return False
        if not (lottery.draw_at - no_sales_warning_lead() <= now < lottery.draw_at):
            return False
        if Ticket.objects.filter(lottery=lottery, status=Ticket.Status.SOLD).exists():
            return False
        association = lottery.association
        staff = (
            get_user_model()
            .objects.filter(is_staff=True, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        recipients = list(
            dict.fromkeys([*association_manager_emails(association=association), *staff])
        )
        email_send(
            template="lottery/email/no_sales_warning",
            context={
                "lottery": lottery,
                "association": association,
                "manage_url": absolute_url(
                    reverse("lottery:manage", args=[association.slug, lottery.slug])
                ),
            },
            recipients=recipients,
        )
        lottery.no_sales_warned_at = now
        lottery.save(update_fields=["no_sales_warned_at", "updated_at"])
    return True


def lotteries_no_sales_sweep(*, now: datetime | None = None) -> int:
    """Warn for every lottery due a warning (what a lost one-off task missed)."""
    now = now or timezone.now()
    sold = Ticket.objects.filter(lottery=OuterRef("pk"), status=Ticket.Status.SOLD)
    due = (
        Lottery.objects.filter(
            status__in=WARNED_STATUSES,
            no_sales_warned_at__isnull=True,
            draw_at__gt=now,
            draw_at__lte=now + no_sales_warning_lead(),
        )
        .filter(~Exists(sold))
        .values_list("pk", flat=True)
    )
    return sum(lottery_no_sales_warn(lottery_id=pk, now=now) for pk in list(due))
