"""Staff see the refunds the platform could not make, and record those made elsewhere.

A refund is blocked when the association's Stripe account was disconnected: the
platform may no longer act on it, and only the association can refund from its own
Stripe dashboard. The list says who is owed what, on which account and why; once
the refund is checked on Stripe, staff record it here (with a note) and the order
is marked refunded and the buyer told.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import payments, services


@staff_member_required
@require_http_methods(["GET", "POST"])
def refunds_blocked_view(request: HttpRequest) -> HttpResponse:
    errors: dict[int, str] = {}
    notes: dict[int, str] = {}
    if request.method == "POST":
        order_id = request.POST.get("order", "")
        note = request.POST.get("note", "")
        if order_id.isdigit():
            try:
                order = services.order_refund_made_elsewhere(
                    order_id=int(order_id), actor=request.user, note=note
                )
            except ValidationError as exc:
                errors[int(order_id)] = " ".join(exc.messages)
                notes[int(order_id)] = note
            else:
                messages.success(
                    request,
                    _("Order %(order)s is recorded as refunded; its buyer is told.")
                    % {"order": order.pk},
                )
                return redirect(reverse("lottery_refunds_blocked"))
        else:
            messages.error(request, _("Choose an order."))
    orders = list(payments.refunds_blocked())
    for order in orders:
        order.form_error = errors.get(order.pk, "")
        order.form_note = notes.get(order.pk, "")
    status = 400 if errors else 200
    return render(
        request,
        "lottery/admin/refunds_blocked.html",
        {"orders": orders, "page_title": _("Blocked refunds"), "header_icon": "warning"},
        status=status,
    )
