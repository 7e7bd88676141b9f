"""Emails to the winners of a draw, sent by a task after the draw commits."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assosolos.emails import absolute_url, email_send

from ..guest_links import guest_order_path
from ..models import DrawWinner


def _recipient(winner: DrawWinner) -> str:
    order = winner.ticket.order
    if order is None:
        return ""
    return order.buyer_email or (order.buyer.email if order.buyer else "")


def draw_winner_emails(*, result_id: int) -> int:
    """Email each winner not yet told, one email per person listing every prize they
    won; returns how many emails were sent. Safe to retry: a winner is marked told in
    the transaction that queues their email."""
    sent = 0
    pending = (
        DrawWinner.objects.filter(result_id=result_id, notified_at__isnull=True)
        .select_related("ticket__order__buyer")
        .order_by("slot")
    )
    by_recipient: dict[str, list[int]] = {}
    for winner in pending:
        # A cash sale without an email: the association tells them ("" groups them).
        by_recipient.setdefault(_recipient(winner).strip().lower(), []).append(winner.pk)
    for recipient, winner_ids in by_recipient.items():
        with transaction.atomic():
            winners = list(
                DrawWinner.objects.select_for_update(of=("self",))
                .select_related("prize", "ticket__order__buyer", "result__lottery__association")
                .filter(pk__in=winner_ids, notified_at__isnull=True)
                .order_by("prize__rank", "slot")
            )
            if not winners:
                continue  # another run told them meanwhile
            DrawWinner.objects.filter(pk__in=[w.pk for w in winners]).update(
                notified_at=timezone.now()
            )
            if not recipient:
                continue  # a cash sale without an email: the association tells them
            lottery = winners[0].result.lottery
            # One of the person's orders placed without an account, if any: they are
            # invited to make one, which claims a group seat.
            guest_order = next(
                (
                    w.ticket.order
                    for w in winners
                    if w.ticket.order.buyer_id is None and not w.ticket.order.is_offline
                ),
                None,
            )
            context = {
                "winners": winners,
                "email": recipient,
                "guest_order_url": absolute_url(guest_order_path(order_id=guest_order.pk))
                if guest_order
                else "",
                "signup_url": absolute_url(reverse("account_signup")) if guest_order else "",
                "lottery": lottery,
                "association": lottery.association,
                "result_url": settings.SITE_URL.rstrip("/")
                + reverse("lottery:draw_result", args=[lottery.slug]),
                "tickets_url": settings.SITE_URL.rstrip("/") + reverse("lottery:my_tickets"),
            }
            # Queued in this transaction (assosolos/emails.py): told and emailed together.
            email_send(
                template="lottery/email/draw_won",
                context=context,
                recipients=[_recipient(winners[0])],
            )
            sent += 1
    return sent
