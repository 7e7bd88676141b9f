"""Background work for lotteries (django-q2). Every task takes primary keys and is idempotent."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import payment_emails, payments, selectors, services, webhooks
from .models import Order

logger = logging.getLogger(__name__)


def sales_sweep() -> dict[str, int]:
    """Every minute: open the lotteries that are due, close those past their closing time."""
    return services.lotteries_sales_sweep()


def reservations_expire_run() -> int:
    """Every minute: give back the numbers of reservations nobody paid in time."""
    return services.reservations_expire()


def lottery_open_run(lottery_id: int) -> bool:
    return services.lottery_open(lottery_id=lottery_id)


def lottery_close_run(lottery_id: int) -> bool:
    return services.lottery_close(lottery_id=lottery_id)


# Periodic tasks created by `schedules_ensure` (after every migrate, and by the
# `lottery_schedules` command). name → (function path, minutes between runs).
SCHEDULES: dict[str, tuple[str, int]] = {
    "lottery: open and close sales": ("lottery.tasks.sales_sweep", 1),
    "lottery: expire reservations": ("lottery.tasks.reservations_expire_run", 1),
}


def schedules_ensure() -> list[str]:
    """Create or update the periodic tasks; running it twice changes nothing."""
    from django_q.models import Schedule

    names = []
    with transaction.atomic():
        for name, (func, minutes) in SCHEDULES.items():
            schedule, created = Schedule.objects.get_or_create(
                name=name,
                defaults={
                    "func": func,
                    "schedule_type": Schedule.MINUTES,
                    "minutes": minutes,
                    "repeats": -1,
                },
            )
            if not created and (schedule.func, schedule.minutes) != (func, minutes):
                schedule.func, schedule.minutes = func, minutes
                schedule.schedule_type, schedule.repeats = Schedule.MINUTES, -1
                schedule.save()
            names.append(name)
    return names


# Payments
# Stripe reconciliation, refunds of cancelled lotteries, payment emails.

RECONCILE_AFTER = timedelta(minutes=1)
# Replaying a few hours of Stripe events covers any outage of this task.
RECONCILE_EVENTS_LOOKBACK = timedelta(hours=6)

SCHEDULES["lottery: reconcile payments"] = ("lottery.tasks.payments_reconcile", 1)


def payments_reconcile() -> dict[str, int]:
    """Every minute: settle with Stripe what its webhooks should have told us.

    Pending orders are checked one by one; recent `succeeded`/`refunded` events
    are replayed (orders that expired meanwhile are served or refunded); refunds
    of cancelled lotteries that failed are tried again.
    """
    if not settings.STRIPE_SECRET_KEY:
        # Online payment is off: no PaymentIntent exists to settle.
        return {"not_configured": 1}
    now = timezone.now()
    outcomes: Counter[str] = Counter()
    for order in selectors.orders_pending_for_reconcile(older_than=now - RECONCILE_AFTER):
        try:
            outcomes[payments.payment_reconcile(order=order)] += 1
        except payments.PaymentError:
            outcomes["unreachable"] += 1
    try:
        outcomes.update(webhooks.stripe_events_replay(since=now - RECONCILE_EVENTS_LOOKBACK))
    except payments.PaymentError:
        outcomes["unreachable"] += 1
    for lottery_id in payments.lotteries_with_refunds_due():
        outcomes.update(payments.lottery_refunds_issue(lottery_id=lottery_id))
    if outcomes["unreachable"]:
        logger.warning("Stripe unreachable during reconciliation: %s", dict(outcomes))
    return dict(outcomes)


def lottery_refunds_run(lottery_id: int) -> dict[str, int]:
    """After a cancellation: refund each paid order once and email its buyer."""
    counts = payments.lottery_refunds_issue(lottery_id=lottery_id)
    if counts["failed"]:
        logger.warning(
            "Lottery %s: refunds failed, retried by reconciliation: %s", lottery_id, counts
        )
    return counts


def _order_for_email(order_id: int) -> Order | None:
    return Order.objects.select_related("lottery__association", "buyer").filter(pk=order_id).first()


def order_paid_email_send(order_id: int) -> bool:
    order = _order_for_email(order_id)
    if order is None or order.status != Order.Status.PAID:
        return False
    return payment_emails.order_paid_email(order=order)


def order_refund_email_send(order_id: int) -> bool:
    order = _order_for_email(order_id)
    if order is None or order.status != Order.Status.REFUNDED:
        return False
    return payment_emails.order_refund_email(order=order)


def order_payment_intent_cancel(order_id: int) -> str:
    """After an order is given up (expired, replaced, cancelled): cancel its PaymentIntent.

    So that a page left open can no longer charge the card. Idempotent.
    """
    return payments.payment_intent_cancel(order_id=order_id)
