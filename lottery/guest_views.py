"""A guest's order pages, opened by the signed link instead of an account.

The same pages as the signed-in buyer's (`checkout_views`): payment, the order and
its numbers, its status feed, cancelling it, its receipt and calendar file. A link
whose signature does not verify reads as no order at all (404).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import checkout_views, order_papers, services
from .guest_links import guest_order_id
from .models import Order


def guest_order_get(token: str) -> Order:
    """The online order a signed link names; 404 for an altered or foreign link."""
    order_id = guest_order_id(token)
    if order_id is None:
        raise Http404
    return get_object_or_404(
        Order.objects.select_related("lottery__association"),
        pk=order_id,
        channel=Order.Channel.ONLINE,
    )


@never_cache
@require_GET
def guest_checkout(request: HttpRequest, token: str) -> HttpResponse:
    return checkout_views.checkout_page(request, guest_order_get(token), guest=True)


@never_cache
@require_GET
def guest_order(request: HttpRequest, token: str) -> HttpResponse:
    return checkout_views.confirmation_page(request, guest_order_get(token), guest=True)


@never_cache
@require_GET
def guest_order_status(request: HttpRequest, token: str) -> JsonResponse:
    return checkout_views.status_response(guest_order_get(token))


@never_cache
@require_POST
def guest_order_cancel(request: HttpRequest, token: str) -> HttpResponse:
    order = guest_order_get(token)
    cancelled = services.order_cancel(order_id=order.pk, actor=None, by_guest_link=True)
    return checkout_views.cancel_response(request, order, cancelled=cancelled, guest=True)


@never_cache
@require_GET
def guest_order_receipt(request: HttpRequest, token: str) -> HttpResponse:
    return order_papers.receipt_response(guest_order_get(token))


@never_cache
@require_GET
def guest_order_calendar(request: HttpRequest, token: str) -> HttpResponse:
    return order_papers.calendar_response(guest_order_get(token).lottery)
