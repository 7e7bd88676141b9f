"""Background work for lotteries (django-q2). Every task takes primary keys and is idempotent."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import payment_fees, payments, selectors, services, webhooks

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
    # Emails are sent after each commit that queues one; this catches any whose task
    # was lost (Redis flushed or down) and retries failed deliveries.
    "emails: send the queue": ("assosolos.emails.emails_send_queued", 1),
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
# Stripe reconciliation and refunds of cancelled lotteries.

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
    outcomes.update(payment_fees.fees_reconcile())
    if outcomes["unreachable"]:
        logger.warning("Stripe unreachable during reconciliation: %s", dict(outcomes))
    return dict(outcomes)


def order_fees_record_run(order_id: int) -> str:
    """After a payment is served: keep what it cost (the reconciliation retries)."""
    try:
        return payment_fees.order_fees_record(order_id=order_id)
    except payments.PaymentError as exc:
        logger.warning("Fees of order %s not read, retried later: %s", order_id, exc)
        return "unreachable"


def lottery_refunds_run(lottery_id: int) -> dict[str, int]:
    """After a cancellation: refund each paid order once and email its buyer."""
    counts = payments.lottery_refunds_issue(lottery_id=lottery_id)
    if counts["failed"]:
        logger.warning(
            "Lottery %s: refunds failed, retried by reconciliation: %s", lottery_id, counts
        )
    return counts


# Draws
# The sweep seals closed lotteries with no pending order and runs due draws; a
# one-off schedule made at the seal runs the draw at its time; a stopped cluster's
# misses are caught by the next sweep. Every entry point is idempotent.

SCHEDULES["lottery: seal ledgers and run due draws"] = ("lottery.tasks.draws_sweep_run", 1)


SCHEDULES["lottery: warn of draws with no ticket sold"] = (
    "lottery.tasks.no_sales_warnings_sweep",
    10,
)


def no_sales_warning_run(lottery_id: int) -> bool:
    """At the warning time before the draw: tell the association and staff if nothing sold."""
    return services.lottery_no_sales_warn(lottery_id=lottery_id)


def no_sales_warnings_sweep() -> int:
    return services.lotteries_no_sales_sweep()


def draws_sweep_run() -> dict[str, int]:
    return services.draws_sweep()


def ledger_seal_run(lottery_id: int) -> bool:
    return services.ledger_seal(lottery_id=lottery_id)


def draw_perform_run(lottery_id: int) -> str:
    """Run one lottery's draw; a draw not due yet is left to the sweep."""
    from .drand import BeaconError

    try:
        result = services.draw_perform(lottery_id=lottery_id)
    except services.DrawNotDue as exc:
        return f"not due: {' '.join(exc.messages)}"
    except BeaconError as exc:
        logger.warning("Lottery %s: draw postponed, %s", lottery_id, exc)
        return "beacon unavailable"
    return f"drawn: result {result.pk}"


def draw_winner_emails_send(result_id: int) -> int:
    """Email each winner once: their prize, and where and by when to claim it."""
    from .draw.emails import draw_winner_emails

    return draw_winner_emails(result_id=result_id)


def order_payment_intent_cancel(order_id: int) -> str:
    """After an order is given up (expired, replaced, cancelled): cancel its PaymentIntent.

    So that a page left open can no longer charge the card. Idempotent.
    """
    return payments.payment_intent_cancel(order_id=order_id)
