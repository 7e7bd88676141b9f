"""A lottery's life cycle: draft, open, closed, cancelled; every change recorded."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assosolos.effects import task_on_commit

from ..locking import lottery_lock
from ..models import Lottery, LotteryTransition, Order, Ticket
from ..selectors.actions import lottery_actions
from .alerts import no_sales_warning_schedule_on_commit
from .draw import draw_commitment_create
from .reservations import orders_give_up, payment_intents_cancel_queue
from .setup import lottery_validate_for_opening

logger = logging.getLogger(__name__)

Status = Lottery.Status

TICKET_BATCH_SIZE = 2000


def _transition(*, lottery: Lottery, to: str, actor: Any = None, note: str = "") -> None:
    """Change the status and record it. Caller holds the lottery row lock."""
    LotteryTransition.objects.create(
        lottery=lottery,
        from_status=lottery.status,
        to_status=to,
        by=actor,
        note=note[:255],
        at=timezone.now(),
    )
    lottery.status = to
    lottery.save(update_fields=["status", "open_requested_at", "updated_at"])


def lottery_request_open(*, lottery: Lottery, actor: Any, now: datetime | None = None) -> bool:
    """Validate and schedule the opening of sales; open at once when the time has come.

    Returns True when the lottery is open on return, False when it will open at
    `sales_open_at` (the sales sweep opens it).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lottery_lock(lottery.pk)
        if not lottery_actions(lottery=locked, actor=actor, now=now).can_open:
            raise ValidationError(_("Only a draft lottery can be opened."))
        lottery_validate_for_opening(lottery=locked, now=now)
        locked.open_requested_at = now
        locked.save(update_fields=["open_requested_at", "updated_at"])
        if locked.sales_open_at <= now:
            _open(locked, actor=actor)
    lottery.refresh_from_db()
    return lottery.status == Status.OPEN


def lottery_open_now(*, lottery: Lottery, actor: Any, now: datetime | None = None) -> None:
    """Open sales at once, before the scheduled time: the opening moves to now.

    The same checks as any opening (`lottery_validate_for_opening`): rules, the
    authorisation, no cash prize... A scheduled opening that comes later finds the
    lottery open and does nothing (`lottery_open` only opens drafts).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lottery_lock(lottery.pk)
        actions = lottery_actions(lottery=locked, actor=actor, now=now)
        if not actions.can_open:
            raise ValidationError(_("Only a draft lottery can be opened."))
        if actions.opens_later:
            locked.sales_open_at = now
        lottery_validate_for_opening(lottery=locked, now=now)
        locked.open_requested_at = now
        locked.save(update_fields=["sales_open_at", "open_requested_at", "updated_at"])
        _open(locked, actor=actor, note="opened now")
    lottery.refresh_from_db()


def lottery_unschedule(*, lottery: Lottery, actor: Any) -> None:
    """Withdraw a request to open: the draft stays a draft."""
    with transaction.atomic():
        locked = lottery_lock(lottery.pk)
        if lottery_actions(lottery=locked, actor=actor, now=timezone.now()).can_open:
            locked.open_requested_at = None
            locked.save(update_fields=["open_requested_at", "updated_at"])
    lottery.refresh_from_db()


def _open(lottery: Lottery, *, actor: Any = None, note: str = "") -> None:
    """Put the tickets on sale. Caller holds the lottery lock and has validated it."""
    Ticket.objects.bulk_create(
        (Ticket(lottery=lottery, number=n) for n in range(1, lottery.ticket_cap + 1)),
        batch_size=TICKET_BATCH_SIZE,
        ignore_conflicts=True,
    )
    draw_commitment_create(lottery=lottery)
    _transition(lottery=lottery, to=Status.OPEN, actor=actor, note=note)
    no_sales_warning_schedule_on_commit(lottery=lottery)


def lottery_open(*, lottery_id: int, actor: Any = None, now: datetime | None = None) -> bool:
    """Open a lottery whose opening was requested and is due. Idempotent.

    Returns True if it opened now. A lottery that no longer passes validation
    (e.g. the association was suspended) loses its request and stays a draft.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lottery = lottery_lock(lottery_id)
        actions = lottery_actions(lottery=lottery, actor=actor, now=now)
        if not (actions.can_open and actions.open_requested and not actions.opens_later):
            return False
        try:
            lottery_validate_for_opening(lottery=lottery, now=now)
        except ValidationError as exc:
            logger.warning("Lottery %s could not open: %s", lottery.pk, exc.messages)
            lottery.open_requested_at = None
            lottery.save(update_fields=["open_requested_at", "updated_at"])
            return False
        _open(lottery, actor=actor)
    return True


def lottery_close(*, lottery_id: int, actor: Any = None, note: str = "") -> bool:
    """Stop sales. Idempotent: returns False if the lottery was not open.

    Reservations still held may be paid until they expire (they never outlive
    the closing time, see `order_reserve`).
    """
    with transaction.atomic():
        lottery = lottery_lock(lottery_id)
        if not lottery_actions(lottery=lottery, actor=actor, now=timezone.now()).can_close:
            return False
        _transition(lottery=lottery, to=Status.CLOSED, actor=actor, note=note)
    return True


def lotteries_sales_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Open the lotteries whose opening is due and close those whose closing is due."""
    now = now or timezone.now()
    opened = closed = 0
    due_open = Lottery.objects.filter(
        status=Status.DRAFT, open_requested_at__isnull=False, sales_open_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due_open):
        opened += lottery_open(lottery_id=pk, now=now)
    due_close = Lottery.objects.filter(status=Status.OPEN, sales_close_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due_close):
        closed += lottery_close(lottery_id=pk)
    return {"opened": opened, "closed": closed}


def lottery_cancel(*, lottery: Lottery, actor: Any, note: str = "") -> None:
    """Cancel a lottery that is not drawn yet; every paid order is then refunded.

    Held reservations are released at once. The refunds run in a task after
    commit (`lottery.tasks.lottery_refunds_run`), which refunds each order once.
    """
    with transaction.atomic():
        locked = lottery_lock(lottery.pk)
        actions = lottery_actions(lottery=locked, actor=actor, now=timezone.now())
        if actions.is_cancelled:
            return
        if not actions.can_cancel:
            if actions.is_drawn:
                raise ValidationError(_("A drawn lottery cannot be cancelled."))
            raise ValidationError(
                _("The ledger is sealed for the draw: it can no longer be cancelled.")
            )
        # Lock order: the lottery (held), then its pending orders by id, then their
        # tickets. No new pending order can appear now: a reservation waits on the
        # lottery row (see `lottery.locking`).
        pending_ids = Order.objects.filter(lottery=locked, status=Order.Status.PENDING)
        given_up = orders_give_up(
            lottery=locked,
            order_ids=list(pending_ids.values_list("pk", flat=True)),
            status=Order.Status.EXPIRED,
        )
        payment_intents_cancel_queue(given_up)
        locked.open_requested_at = None
        _transition(lottery=locked, to=Status.CANCELLED, actor=actor, note=note)
        task_on_commit("lottery.tasks.lottery_refunds_run", locked.pk)
    lottery.refresh_from_db()
