"""Emails to the winners of a draw, sent by a task after the draw commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from assosolos.emails import absolute_url

from .guest_links import guest_order_path
from .models import DrawWinner


def draw_winner_emails(*, result_id: int) -> int:
    """Email each winner not yet told; returns how many were sent. Safe to retry."""
    sent = 0
    pending = DrawWinner.objects.filter(result_id=result_id, notified_at__isnull=True)
    for winner_id in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            winner = (
                DrawWinner.objects.select_for_update(of=("self",))
                .select_related(
                    "prize",
                    "ticket__order__buyer",
                    "result__lottery__association",
                )
                .get(pk=winner_id)
            )
            if winner.notified_at is not None:
                continue
            order = winner.ticket.order
            recipient = (
                (order.buyer_email or (order.buyer.email if order.buyer else "")) if order else ""
            )
            winner.notified_at = timezone.now()
            winner.save(update_fields=["notified_at"])
            if not recipient:
                continue  # a cash sale without an email: the association tells them
            lottery = winner.result.lottery
            guest = order is not None and order.buyer_id is None and not order.is_offline
            context = {
                "winner": winner,
                "email": recipient,
                # A guest is invited to make an account, which claims a group seat.
                "guest_order_url": absolute_url(guest_order_path(order_id=order.pk))
                if guest
                else "",
                "signup_url": absolute_url(reverse("account_signup")) if guest else "",
                "lottery": lottery,
                "association": lottery.association,
                "result_url": settings.SITE_URL.rstrip("/")
                + reverse("lottery:draw_result", args=[lottery.slug]),
            }
            with translation.override(settings.LANGUAGE_CODE):
                subject = render_to_string("lottery/email/draw_won_subject.txt", context)
                body = render_to_string("lottery/email/draw_won.txt", context)
            send_mail(
                subject=" ".join(subject.split()),
                message=body,
                from_email=None,
                recipient_list=[recipient],
            )
            sent += 1
    return sent
