"""Paying for an order: the checkout page, the confirmation page and its status feed.

Only the order's buyer sees any of them; anyone else gets a 404. The tickets are
sold by the signed webhook, never by these pages: they only show the order.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import payments, services
from .models import Order
from .selectors import ticket_numbers


def _buyer_order(request: HttpRequest, order_id: int) -> Order:
    return get_object_or_404(
        Order.objects.select_related("lottery__association"),
        pk=order_id,
        buyer=request.user,
        channel=Order.Channel.ONLINE,
    )


def _payable(order: Order) -> bool:
    return order.status == Order.Status.PENDING and (
        order.expires_at is None or order.expires_at > timezone.now()
    )


# States after which nothing more happens to an order without someone acting.
SETTLED_STATES = frozenset({"paid", "expired", "failed", "refunded", "cancelled"})


def _state(order: Order) -> str:
    """What the buyer should be told about an order.

    A pending order with a PaymentIntent is "confirming" until it settles: a
    payment (or a retry after a declined card) may be on its way.
    """
    if order.status == Order.Status.PENDING:
        if order.stripe_payment_intent_id:
            return "confirming"
        return "unpaid" if _payable(order) else "expired"
    return str(order.status)


def _context(order: Order) -> dict:
    return {
        "order": order,
        "lottery": order.lottery,
        "numbers": ticket_numbers(orders=[order])[order.pk],
        "state": _state(order),
        "payable": _payable(order),
        "lottery_url": order.lottery.get_absolute_url(),
    }


@never_cache
@login_required
@require_GET
def checkout(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _buyer_order(request, order_id)
    if not _payable(order):
        return redirect("lottery:confirmation", order_id=order.pk)
    context = _context(order)
    context["seconds_left"] = (
        int((order.expires_at - timezone.now()).total_seconds()) if order.expires_at else None
    )
    try:
        intent = payments.payment_intent_create(order=order)
    except payments.PaymentError as exc:
        context["payment_error"] = str(exc)
    else:
        if intent.paid:
            return redirect("lottery:confirmation", order_id=order.pk)
        context["client_secret"] = intent.client_secret
        context["stripe_account"] = intent.stripe_account
    context.update(
        stripe_publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
        stripe_js_url=settings.STRIPE_JS_URL,
        confirmation_url=reverse("lottery:confirmation", args=[order.pk]),
        status_url=reverse("lottery:order_status", args=[order.pk]),
    )
    return render(request, "lottery/checkout.html", context)


@never_cache
@login_required
@require_GET
def confirmation(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _buyer_order(request, order_id)
    context = _context(order)
    context["status_url"] = reverse("lottery:order_status", args=[order.pk])
    context["settled"] = context["state"] in SETTLED_STATES
    return render(request, "lottery/confirmation.html", context)


@never_cache
@login_required
@require_GET
def order_status(request: HttpRequest, order_id: int) -> JsonResponse:
    order = _buyer_order(request, order_id)
    state = _state(order)
    return JsonResponse(
        {
            "state": state,
            "status": order.status,
            "settled": state in SETTLED_STATES,
            "payable": _payable(order),
            "tickets": ticket_numbers(orders=[order])[order.pk] if state == "paid" else [],
        }
    )


@never_cache
@login_required
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    """The buyer gives up a pending order: its numbers go back on sale at once."""
    order = _buyer_order(request, order_id)
    if services.order_cancel(order_id=order.pk, actor=request.user):
        messages.success(request, _("Your order is cancelled and its numbers are back on sale."))
        return redirect(order.lottery.get_absolute_url())
    return redirect("lottery:confirmation", order_id=order.pk)
