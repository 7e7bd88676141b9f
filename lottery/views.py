"""Lottery pages: the association dashboard, the public page and buy form, "My tickets".

Views stay thin: permissions from `associations.selectors`, rules in `services`,
reads in `selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations.guards import managed_association_get
from associations.models import Association
from assosolos.cache import CacheUnavailable, cache_required
from assosolos.forms import form_errors_apply
from assosolos.page_cache import page_cache_seconds, page_depends_on, page_versions_token
from assosolos.personal import personal_page
from assosolos.ratelimit import client_address, ratelimit, ratelimit_consume
from assosolos.unavailable import service_unavailable_response
from connect.selectors import payments_readiness

from . import selectors, services
from .forms import (
    BundleFormSet,
    BuyForm,
    GuestBuyForm,
    LotteryForm,
    OfflineSaleForm,
    PrizeFormSet,
)
from .guest_links import guest_order_path
from .models import Lottery
from .selectors.actions import lottery_actions
from .selectors.screens import lottery_manage_page, lottery_public_page

# --- Public --------------------------------------------------------------------------


def lottery_public_context(
    *,
    request: HttpRequest,
    lottery: Lottery,
    data: selectors.LotteryPageData | None = None,
    preview: bool = False,
) -> dict:
    """The public lottery page's context: what `selectors.screens.lottery_public_page`
    gathers, and what belongs to the request (the buy forms, the page cache's keys).

    `data` is the part every visitor sees alike (`selectors.lottery_page_data`, cached);
    without it, it is read now. A `preview` (a draft, for its managers) sells nothing
    and keeps no shared fragment.
    """
    page_depends_on(request, selectors.lottery_page_dependency(lottery.pk))
    context = lottery_public_page(
        lottery=lottery, actor=request.user, now=timezone.now(), data=data, preview=preview
    )
    return context | {
        "buy_form": BuyForm(lottery=lottery, initial={"quantity": 1}),
        "guest_form": GuestBuyForm(lottery=lottery, initial={"quantity": 1}),
        "buy_url": reverse("lottery:buy", args=[lottery.slug]),
        # The template keeps its shared parts this long under this key (see page_cache);
        # a preview shows a draft that changes at every save: never kept.
        "shared_seconds": 0 if preview else page_cache_seconds(),
        "shared_key": f"preview-{lottery.updated_at.timestamp()}"
        if preview
        else page_versions_token(request),
    }


def lottery_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A lottery's public page, at its one address (`selectors.lottery_url`)."""
    data = selectors.lottery_page_data(slug=slug, request=request)
    if data is None:
        raise Http404
    context = lottery_public_context(request=request, lottery=data.lottery, data=data)
    if request.user.is_authenticated:
        # Anonymous visitors get the page cache's copy; a signed-in one gets this
        # process's skeleton of the page with their own parts rendered (personal.py).
        return personal_page(
            request, "lottery/lottery_page.html", context, shared_key=context["shared_key"]
        )
    return render(request, "lottery/lottery_page.html", context)


@require_POST
@ratelimit(
    scope="purchase",
    limit=settings.LOTTERY_PURCHASE_RATE_LIMIT,
    period=settings.LOTTERY_PURCHASE_RATE_PERIOD,
    # Holds tie up numbers for others: no purchase goes unlimited while Redis is away.
    required=True,
)
def buy(request: HttpRequest, slug: str) -> HttpResponse:
    """Reserve tickets: for the signed-in buyer, or for a guest who gives an email.

    One view for both, so a guest meets the same rate limit (per client address),
    the same holds and caps (by email and by address) and the same refusals; a
    guest is also limited per email address and must leave the robots' trap empty.
    """
    lottery = selectors.lottery_public_get(slug=slug)
    if lottery is None:
        raise Http404
    page_url = lottery.get_absolute_url()
    guest = not request.user.is_authenticated
    if guest and "email" not in request.POST:
        return redirect_to_login(page_url)
    if not payments_readiness(association_id=lottery.association_id).ready:
        messages.error(request, _("Online sales are closed for this lottery at the moment."))
        return redirect(page_url)
    form = (GuestBuyForm if guest else BuyForm)(request.POST, lottery=lottery)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(page_url + "#acheter")
    email = selectors.email_normalise(form.cleaned_data.get("email", ""))
    if guest:
        refused = _guest_email_limit(request, email=email)
        if refused is not None:
            return refused
    try:
        order = services.order_reserve(
            lottery=lottery,
            buyer=None if guest else request.user,
            email=email,
            quantity=form.cleaned_data["quantity"],
            client_address=client_address(request),
        )
    except services.PurchaseError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(page_url)
    if guest:
        return redirect(guest_order_path(order_id=order.pk, name="guest_checkout"))
    return redirect("lottery:checkout", order_id=order.pk)


def _guest_email_limit(request: HttpRequest, *, email: str) -> HttpResponse | None:
    """One email address starts so many orders a minute, whatever the client address.

    Like the purchase limit, it fails closed: no guest purchase while Redis is away.
    """
    period = settings.LOTTERY_PURCHASE_RATE_PERIOD
    try:
        with cache_required():
            allowed = ratelimit_consume(
                scope="purchase-email",
                key=email,
                limit=settings.LOTTERY_GUEST_EMAIL_RATE_LIMIT,
                period=period,
            )
    except CacheUnavailable:
        return service_unavailable_response()
    if not allowed:
        return render(request, "429.html", {"retry_after": period}, status=429)
    return None


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "lottery/my_tickets.html",
        {"groups": selectors.tickets_of_user(user=request.user)},
    )


# --- Dashboard -----------------------------------------------------------------------


def _managed_lottery(
    request: HttpRequest, association_slug: str, lottery_slug: str
) -> tuple[Association, Lottery]:
    association = managed_association_get(request, association_slug)
    lottery = get_object_or_404(Lottery, association=association, slug=lottery_slug)
    return association, lottery


def _manage_url(lottery: Lottery) -> str:
    return reverse("lottery:manage", args=[lottery.association.slug, lottery.slug])


def _warn_sales_window(request: HttpRequest, lottery: Lottery) -> None:
    warning = selectors.lottery_sales_window_warning(lottery=lottery)
    if warning:
        messages.warning(request, warning)


@login_required
def manage_list(request: HttpRequest, association_slug: str) -> HttpResponse:
    association = managed_association_get(request, association_slug)
    lotteries = list(selectors.lotteries_of_association(association=association))
    return render(
        request,
        "lottery/manage_list.html",
        {"association": association, "lotteries": lotteries},
    )


@login_required
def manage_create(request: HttpRequest, association_slug: str) -> HttpResponse:
    association = managed_association_get(request, association_slug)
    form = LotteryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lottery = services.lottery_create(
                association=association, actor=request.user, **form.changed_values()
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The lottery is saved as a draft. Now add its prizes."))
            _warn_sales_window(request, lottery)
            return redirect("lottery:manage_prizes", association.slug, lottery.slug)
    return render(
        request,
        "lottery/manage_form.html",
        {"association": association, "form": form, "lottery": None},
    )


@login_required
def manage(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    context = lottery_manage_page(lottery=lottery, actor=request.user, now=timezone.now())
    return render(request, "lottery/manage.html", context | {"association": association})


@login_required
def manage_edit(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    if not lottery_actions(lottery=lottery, actor=request.user, now=timezone.now()).may_edit:
        messages.error(request, _("This lottery can no longer be changed."))
        return redirect(_manage_url(lottery))
    form = LotteryForm(request.POST or None, instance=lottery)
    if request.method == "POST" and form.is_valid():
        try:
            services.lottery_update(lottery=lottery, actor=request.user, **form.changed_values())
        except ValidationError as exc:
            lottery.refresh_from_db()
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The lottery is saved."))
            _warn_sales_window(request, lottery)
            return redirect(_manage_url(lottery))
    return render(
        request,
        "lottery/manage_form.html",
        {"association": association, "form": form, "lottery": lottery},
    )


def _formset_save(request, formset, *, lottery: Lottery, save_all) -> bool:
    """Save every row or none (`save_all`, a service); a refused row gets its error."""
    forms = [
        form for form in formset.forms if form not in formset.deleted_forms and form.has_changed()
    ]
    deleted = [form.instance for form in formset.deleted_forms if form.instance.pk]
    try:
        save_all(lottery, [form.save(commit=False) for form in forms], deleted)
    except services.RowsRefused as exc:
        for index, error in exc.rows.items():
            form_errors_apply(forms[index], error)
        return False
    except ValidationError as exc:  # the lottery itself refuses (e.g. sales opened meanwhile)
        for message in exc.messages:
            messages.error(request, message)
        return False
    return True


def _formset_page(request, association_slug, lottery_slug, *, formset_class, save_all, kind):
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    actions = lottery_actions(lottery=lottery, actor=request.user, now=timezone.now())
    formset = formset_class(request.POST or None, request.FILES or None, lottery=lottery)
    if request.method == "POST":
        if not actions.may_edit_prizes:
            messages.error(request, _("Prizes and bundles can only change before sales open."))
            return redirect(_manage_url(lottery))
        if formset.is_valid() and _formset_save(
            request, formset, lottery=lottery, save_all=save_all
        ):
            messages.success(request, _("Saved."))
            return redirect(request.path)
        messages.error(request, _("Nothing was saved: correct the rows marked below."))
    return render(
        request,
        "lottery/manage_formset.html",
        {
            "association": association,
            "lottery": lottery,
            "formset": formset,
            "kind": kind,
            "actions": actions,
            "warnings": selectors.lottery_warnings(lottery=lottery) if kind == "prizes" else [],
        },
    )


@login_required
def manage_prizes(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    return _formset_page(
        request,
        association_slug,
        lottery_slug,
        formset_class=PrizeFormSet,
        save_all=lambda lottery, rows, deleted: services.prizes_save(
            lottery=lottery, prizes=rows, deleted=deleted
        ),
        kind="prizes",
    )


@login_required
def manage_bundles(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    return _formset_page(
        request,
        association_slug,
        lottery_slug,
        formset_class=BundleFormSet,
        save_all=lambda lottery, rows, deleted: services.bundles_save(
            lottery=lottery, bundles=rows, deleted=deleted
        ),
        kind="bundles",
    )


@login_required
@require_POST
def manage_open(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    _association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    try:
        opened = services.lottery_request_open(lottery=lottery, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if opened:
            messages.success(request, _("Sales are open."))
        else:
            when = date_format(timezone.localtime(lottery.sales_open_at), "DATETIME_FORMAT")
            messages.success(request, _("Sales will open on %(date)s.") % {"date": when})
    return redirect(_manage_url(lottery))


@login_required
@require_POST
def manage_open_now(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    """Open sales at once, though an opening is scheduled later; the same checks apply."""
    _association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    try:
        services.lottery_open_now(lottery=lottery, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Sales are open."))
    return redirect(_manage_url(lottery))


@login_required
def manage_preview(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    """The public page of a lottery as it will look, for its association's managers only."""
    _association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    lottery = selectors.lotteries_with_counts(
        Lottery.objects.filter(pk=lottery.pk).select_related("association")
    ).get()
    response = render(
        request,
        "lottery/lottery_page.html",
        lottery_public_context(request=request, lottery=lottery, preview=True),
    )
    # Never in a search engine, never in a shared cache.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def manage_unschedule(
    request: HttpRequest, association_slug: str, lottery_slug: str
) -> HttpResponse:
    _association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    services.lottery_unschedule(lottery=lottery, actor=request.user)
    messages.success(request, _("The opening is cancelled; the lottery stays a draft."))
    return redirect(_manage_url(lottery))


@login_required
@require_POST
def manage_close(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    _association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    if services.lottery_close(lottery_id=lottery.pk, actor=request.user):
        messages.success(request, _("Sales are closed."))
    else:
        messages.error(request, _("Only an open lottery can be closed."))
    return redirect(_manage_url(lottery))


@login_required
def manage_cancel(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    if request.method == "POST":
        note = request.POST.get("reason", "").strip()
        try:
            services.lottery_cancel(lottery=lottery, actor=request.user, note=note)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The lottery is cancelled. Online payments are being refunded."),
            )
        return redirect(_manage_url(lottery))
    figures = selectors.lottery_figures(lottery=lottery)
    return render(
        request,
        "lottery/manage_cancel.html",
        {"association": association, "lottery": lottery, "figures": figures},
    )


@login_required
def manage_sale(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    """Record a cash or cheque sale while sales are open."""
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    form = OfflineSaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_record_offline(
                lottery=lottery, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            numbers = selectors.ticket_numbers(orders=[order])[order.pk]
            messages.success(
                request,
                _("Sale recorded: tickets %(numbers)s.")
                % {"numbers": ", ".join(str(n) for n in numbers)},
            )
            return redirect(request.path)
    return render(
        request,
        "lottery/manage_sale.html",
        {
            "association": association,
            "lottery": lottery,
            "form": form,
            "actions": lottery_actions(lottery=lottery, actor=request.user, now=timezone.now()),
            "tickets_left": selectors.lottery_counts(lottery=lottery).left,
        },
    )
