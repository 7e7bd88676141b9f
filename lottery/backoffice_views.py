"""The back office of a lottery: its orders one by one, their history, and the exports.

Views stay thin: permissions through `views._managed_lottery`, changes through
`services` (which record them), reads through `selectors`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assosolos.forms import form_errors_apply

from . import exports, selectors, services
from .backoffice_forms import OrderCorrectForm, OrderRefundForm, OrderVoidForm
from .models import Lottery, Order
from .payments import PaymentError
from .views import _managed_lottery

ORDERS_PER_PAGE = 50


def _order_of(lottery: Lottery, order_id: int) -> Order:
    order = (
        Order.objects.select_related("buyer", "recorded_by")
        .filter(pk=order_id, lottery=lottery)
        .first()
    )
    if order is None:
        raise Http404
    return order


def _order_url(lottery: Lottery, order: Order) -> str:
    return reverse("lottery:manage_order", args=[lottery.association.slug, lottery.slug, order.pk])


def _order_page(request, association, lottery, order, *, forms=None, status=200) -> HttpResponse:
    forms = forms or {}
    actions = selectors.order_actions(order=order, lottery=lottery)
    return render(
        request,
        "lottery/manage_order.html",
        {
            "association": association,
            "lottery": lottery,
            "order": order,
            "numbers": selectors.ticket_numbers(orders=[order])[order.pk],
            "events": list(selectors.order_events(order=order)),
            "actions": actions,
            "sealed": selectors.lottery_ledger_sealed(lottery=lottery),
            "refund_form": forms.get("refund") or OrderRefundForm(),
            "void_form": forms.get("void") or OrderVoidForm(),
            "correct_form": forms.get("correct")
            or OrderCorrectForm(
                initial={"buyer_name": order.buyer_name, "receipt_number": order.receipt_number}
            ),
        },
        status=status,
    )


@login_required
def manage_orders(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    """Every order of the lottery, latest first, a page at a time."""
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    page = Paginator(selectors.lottery_orders(lottery=lottery), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    orders = list(page.object_list)
    numbers = selectors.ticket_numbers(orders=orders)
    for order in orders:
        order.numbers = numbers[order.pk]
    return render(
        request,
        "lottery/manage_orders.html",
        {"association": association, "lottery": lottery, "page": page, "orders": orders},
    )


@login_required
def manage_order(
    request: HttpRequest, association_slug: str, lottery_slug: str, order_id: int
) -> HttpResponse:
    """One order: its numbers, what may still be done to it, and its history."""
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    return _order_page(request, association, lottery, _order_of(lottery, order_id))


def _order_action(
    request, association_slug, lottery_slug, order_id, *, kind, form_class, act, done
) -> HttpResponse:
    """Validate the form, make the change through `act`, then back to the order's page."""
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    order = _order_of(lottery, order_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(order_id=order.pk, actor=request.user, lottery=lottery, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        except PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect(_order_url(lottery, order))
    order.refresh_from_db()
    return _order_page(request, association, lottery, order, forms={kind: form}, status=400)


@login_required
@require_POST
def manage_order_refund(
    request: HttpRequest, association_slug: str, lottery_slug: str, order_id: int
) -> HttpResponse:
    return _order_action(
        request,
        association_slug,
        lottery_slug,
        order_id,
        kind="refund",
        form_class=OrderRefundForm,
        act=services.order_refund,
        done=_("The order is refunded and the buyer is told by email."),
    )


@login_required
@require_POST
def manage_order_void(
    request: HttpRequest, association_slug: str, lottery_slug: str, order_id: int
) -> HttpResponse:
    return _order_action(
        request,
        association_slug,
        lottery_slug,
        order_id,
        kind="void",
        form_class=OrderVoidForm,
        act=services.order_void,
        done=_("The sale is voided; its numbers are out of the draw."),
    )


@login_required
@require_POST
def manage_order_correct(
    request: HttpRequest, association_slug: str, lottery_slug: str, order_id: int
) -> HttpResponse:
    return _order_action(
        request,
        association_slug,
        lottery_slug,
        order_id,
        kind="correct",
        form_class=OrderCorrectForm,
        act=services.order_correct,
        done=_("The sale is corrected."),
    )


# --- Exports -------------------------------------------------------------------------

EXPORTS = {"orders": exports.orders_table, "tickets": exports.tickets_table}


@login_required
def export(
    request: HttpRequest, association_slug: str, lottery_slug: str, what: str, fmt: str
) -> HttpResponse:
    """The orders or tickets of a lottery as .xlsx or French CSV."""
    _association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    table = EXPORTS[what](lottery=lottery)
    if fmt == "xlsx":
        response = HttpResponse(exports.table_xlsx(table), content_type=exports.XLSX_CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(
            exports.table_csv_lines(table), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.{fmt}"'
    return response
