"""The papers page of a lottery (its managers), its downloads, and the public funds page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from associations.guards import managed_association_get
from associations.models import Association
from associations.selectors import association_can_read_documents
from assosolos.forms import form_errors_apply
from lottery.models import Lottery
from lottery.selectors.actions import lottery_actions

from . import selectors, services
from .forms import AuthorisationForm, CostLineForm, FundUseForm, RequestForm
from .models import CostLine, FundUse

PUBLIC_STATUSES = (Lottery.Status.OPEN, Lottery.Status.CLOSED, Lottery.Status.DRAWN)


def _managed_lottery(request: HttpRequest, association_slug: str, lottery_slug: str) -> Lottery:
    association = managed_association_get(request, association_slug)
    return get_object_or_404(
        Lottery.objects.select_related("association"), association=association, slug=lottery_slug
    )


def papers_url(lottery: Lottery) -> str:
    return reverse("papers:manage", args=[lottery.association.slug, lottery.slug])


def _forms(lottery: Lottery, papers: selectors.Papers) -> dict:
    return {
        "request_form": RequestForm(instance=papers.request),
        "cost_form": CostLineForm(),
        "authorisation_form": AuthorisationForm(
            initial={
                "reference": lottery.authorisation_reference,
                "date": lottery.authorisation_date,
                "commune": lottery.authorisation_commune or lottery.association.commune,
            }
        ),
        "use_form": FundUseForm(),
    }


def _handle(request: HttpRequest, lottery: Lottery, papers, forms: dict) -> str | None:
    """Apply the posted action; return a success message, or None after a form error."""
    action = request.POST.get("action", "")
    user = request.user
    if action == "request":
        form = forms["request_form"] = RequestForm(request.POST, instance=papers.request)
        if form.is_valid():
            services.request_save(lottery=lottery, actor=user, **form.cleaned_data)
            return _("The request's details are saved.")
        return None
    if action == "cost_add":
        form = forms["cost_form"] = CostLineForm(request.POST)
        if form.is_valid():
            try:
                services.cost_line_add(lottery=lottery, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_apply(form, exc)
                return None
            return _("The cost is recorded.")
        return None
    if action == "cost_delete":
        line = get_object_or_404(CostLine, lottery=lottery, pk=request.POST.get("line") or 0)
        services.cost_line_delete(line=line, actor=user)
        return _("The cost is removed.")
    if action == "authorisation":
        form = forms["authorisation_form"] = AuthorisationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.authorisation_record(
                    lottery=lottery,
                    actor=user,
                    reference=form.cleaned_data["reference"],
                    date=form.cleaned_data["date"],
                    commune=form.cleaned_data["commune"],
                    scan=form.cleaned_data["scan"] or None,
                )
            except ValidationError as exc:
                form_errors_apply(
                    form,
                    exc,
                    fields={
                        "authorisation_reference": "reference",
                        "authorisation_date": "date",
                        "authorisation_commune": "commune",
                        "authorisation_scan": "scan",
                    },
                )
                return None
            return _("The authorisation is recorded.")
        return None
    if action == "use_add":
        form = forms["use_form"] = FundUseForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.fund_use_add(lottery=lottery, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_apply(form, exc)
                return None
            return _("The use of the funds is recorded.")
        return None
    if action == "use_delete":
        use = get_object_or_404(FundUse, lottery=lottery, pk=request.POST.get("use") or 0)
        services.fund_use_delete(use=use, actor=user)
        return _("The use of the funds is removed.")
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    lottery = _managed_lottery(request, association_slug, lottery_slug)
    papers = selectors.lottery_papers(lottery=lottery)
    forms = _forms(lottery, papers)
    status = 200
    if request.method == "POST":
        try:
            done = _handle(request, lottery, papers, forms)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(papers_url(lottery))
        if done is not None:
            messages.success(request, done)
            return redirect(papers_url(lottery) + "#" + request.POST.get("action", ""))
        status = 400
        papers = selectors.lottery_papers(lottery=lottery)
    return render(
        request,
        "papers/manage.html",
        {
            "association": lottery.association,
            "lottery": lottery,
            "actions": lottery_actions(lottery=lottery, actor=request.user, now=timezone.now()),
            "papers": papers,
            "funds": selectors.lottery_funds(lottery=lottery),
            "uses": selectors.lottery_fund_uses(lottery=lottery),
            **forms,
        },
        status=status,
    )


def _attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def request_pdf(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    lottery = _managed_lottery(request, association_slug, lottery_slug)
    papers = selectors.lottery_papers(lottery=lottery)
    from . import documents  # reportlab and openpyxl load only for a download

    return _attachment(
        documents.request_pdf(papers=papers),
        filename=f"demande-autorisation-{lottery.slug}.pdf",
        content_type="application/pdf",
    )


def _drawn_lottery(request, association_slug: str, lottery_slug: str) -> Lottery:
    lottery = _managed_lottery(request, association_slug, lottery_slug)
    if lottery.status != Lottery.Status.DRAWN:
        raise Http404(_("The financial report exists once the draw is made."))
    return lottery


@login_required
@require_GET
def report_pdf(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    lottery = _drawn_lottery(request, association_slug, lottery_slug)
    from . import documents  # reportlab and openpyxl load only for a download

    return _attachment(
        documents.report_pdf(lottery=lottery),
        filename=f"bilan-{lottery.slug}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def report_xlsx(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    lottery = _drawn_lottery(request, association_slug, lottery_slug)
    from . import documents  # reportlab and openpyxl load only for a download

    return _attachment(
        documents.report_xlsx(lottery=lottery),
        filename=f"bilan-{lottery.slug}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _private_file(request: HttpRequest, lottery: Lottery, field) -> FileResponse:
    if not association_can_read_documents(user=request.user, association=lottery.association):
        raise PermissionDenied
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, filename=field.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def authorisation_scan(request: HttpRequest, association_slug: str, lottery_slug: str):
    association = get_object_or_404(Association, slug=association_slug)
    lottery = get_object_or_404(Lottery, association=association, slug=lottery_slug)
    return _private_file(request, lottery, lottery.authorisation_scan)


@login_required
@require_GET
def use_proof(request: HttpRequest, association_slug: str, lottery_slug: str, pk: int):
    association = get_object_or_404(Association, slug=association_slug)
    lottery = get_object_or_404(Lottery, association=association, slug=lottery_slug)
    use = get_object_or_404(FundUse, lottery=lottery, pk=pk)
    return _private_file(request, lottery, use.proof)


@require_GET
def funds(request: HttpRequest, lottery_slug: str) -> HttpResponse:
    """Where the money of a lottery goes, for anyone: live during sales, final after the draw."""
    lottery = get_object_or_404(
        Lottery.objects.select_related("association", "request"),
        slug=lottery_slug,
        status__in=PUBLIC_STATUSES,
    )
    return render(
        request,
        "papers/funds.html",
        {
            "lottery": lottery,
            "association": lottery.association,
            "funds": selectors.lottery_funds(lottery=lottery),
            "uses": selectors.lottery_fund_uses(lottery=lottery)
            if lottery.status == Lottery.Status.DRAWN
            else [],
            "request_details": getattr(lottery, "request", None),
        },
    )
