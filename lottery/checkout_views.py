"""Paying for an order: the checkout page, the confirmation page and its status feed.

Only the order's buyer sees any of them; anyone else gets a 404. A guest's order
opens through its signed link instead (`guest_views`), with the same pages. The
tickets are sold by the signed webhook, never by these pages: they only show the order.
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

from . import order_papers, payments, services
from .draw import selectors as draw_selectors
from .guest_links import guest_order_path
from .models import Order
from .selectors import ticket_numbers


def order_links(order: Order, *, guest: bool = False) -> dict[str, str]:
    """The addresses of an order's pages: the account's, or those of the signed guest link."""
    if guest:
        names = {
            "checkout_url": "guest_checkout",
            "confirmation_url": "guest_order",
            "status_url": "guest_order_status",
            "cancel_url": "guest_order_cancel",
            "receipt_url": "guest_order_receipt",
            "calendar_url": "guest_order_calendar",
        }
        return {key: guest_order_path(order_id=order.pk, name=n) for key, n in names.items()}
    names = {
        "checkout_url": "checkout",
        "confirmation_url": "confirmation",
        "status_url": "order_status",
        "cancel_url": "order_cancel",
        "receipt_url": "order_receipt",
        "calendar_url": "order_calendar",
    }
    return {key: reverse(f"lottery:{n}", args=[order.pk]) for key, n in names.items()}


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


def _context(order: Order, *, guest: bool) -> dict:
    return {
        "order": order,
        "lottery": order.lottery,
        "numbers": ticket_numbers(orders=[order])[order.pk],
        "state": _state(order),
        "payable": _payable(order),
        "lottery_url": order.lottery.get_absolute_url(),
        "guest": guest,
        "refund_policy": order_papers.refund_policy(),
        # A guest who won is invited to make an account, which claims a group seat.
        "signup_url": reverse("account_signup") if guest and order.buyer_id is None else "",
        **order_links(order, guest=guest),
    }


@never_cache
@login_required
@require_GET
def checkout(request: HttpRequest, order_id: int) -> HttpResponse:
    return checkout_page(request, _buyer_order(request, order_id), guest=False)


def checkout_page(request: HttpRequest, order: Order, *, guest: bool) -> HttpResponse:
    """The payment page of an order its viewer may pay (the buyer, or the guest link)."""
    context = _context(order, guest=guest)
    if not _payable(order):
        return redirect(context["confirmation_url"])
    context["seconds_left"] = (
        int((order.expires_at - timezone.now()).total_seconds()) if order.expires_at else None
    )
    try:
        intent = payments.payment_intent_create(order=order)
    except payments.PaymentError as exc:
        context["payment_error"] = str(exc)
    else:
        if intent.paid:
            return redirect(context["confirmation_url"])
        context["client_secret"] = intent.client_secret
        context["stripe_account"] = intent.stripe_account
    context.update(
        stripe_publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
        stripe_js_url=settings.STRIPE_JS_URL,
        payment_element=payments.payment_element_enabled(),
    )
    return render(request, "lottery/checkout.html", context)


@never_cache
@login_required
@require_GET
def confirmation(request: HttpRequest, order_id: int) -> HttpResponse:
    return confirmation_page(request, _buyer_order(request, order_id), guest=False)


def confirmation_page(request: HttpRequest, order: Order, *, guest: bool) -> HttpResponse:
    context = _context(order, guest=guest)
    context["settled"] = context["state"] in SETTLED_STATES
    context["won"] = draw_selectors.order_prizes_won(order=order)
    return render(request, "lottery/confirmation.html", context)


@never_cache
@login_required
@require_GET
def order_status(request: HttpRequest, order_id: int) -> JsonResponse:
    return status_response(_buyer_order(request, order_id))


def status_response(order: Order) -> JsonResponse:
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
    cancelled = services.order_cancel(order_id=order.pk, actor=request.user)
    return cancel_response(request, order, cancelled=cancelled, guest=False)


def cancel_response(request: HttpRequest, order: Order, *, cancelled: bool, guest: bool):
    if cancelled:
        messages.success(request, _("Your order is cancelled and its numbers are back on sale."))
        return redirect(order.lottery.get_absolute_url())
    return redirect(order_links(order, guest=guest)["confirmation_url"])


@never_cache
@login_required
@require_GET
def order_receipt(request: HttpRequest, order_id: int) -> HttpResponse:
    """The PDF receipt and ticket of the buyer's paid order."""
    return order_papers.receipt_response(_buyer_order(request, order_id))


@never_cache
@login_required
@require_GET
def order_calendar(request: HttpRequest, order_id: int) -> HttpResponse:
    """The draw of the buyer's lottery, as a calendar file."""
    return order_papers.calendar_response(_buyer_order(request, order_id).lottery)
