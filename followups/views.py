"""A member's follow-ups: thin views over `services` and `selectors`.

Another member's follow-up is a 404, never a 403: whether it exists is private too.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assosolos.forms import form_errors_apply
from lottery.exports import table_csv_lines

from . import selectors, services
from .exports import followups_table
from .forms import FollowUpForm, OutcomeForm, StepForm
from .models import FollowUp, Step


def _require_member(request: HttpRequest) -> None:
    if not selectors.actor_may_follow_up(actor=request.user):
        raise PermissionDenied(_("Follow-ups are for members of a group."))


def _followup(request: HttpRequest, pk: int) -> FollowUp:
    return get_object_or_404(
        selectors.followups_of(actor=request.user).select_related("session__group"), pk=pk
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """ "My follow-ups": next steps due and conversations held, and the form to record one."""
    _require_member(request)
    sessions = selectors.sessions_of_member(actor=request.user)
    form = FollowUpForm(request.POST or None, sessions=sessions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                followup = services.followup_record(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, _("The follow-up has been recorded."))
                return redirect("followups:detail", followup.pk)
        status = 400
    page = selectors.member_page(actor=request.user, today=services.paris_today())
    return render(request, "followups/mine.html", {"page": page, "form": form}, status=status)


def _detail_render(request, followup, *, outcome_form=None, step_form=None, status=200):
    steps = selectors.followup_steps(followup=followup)
    open_step = next((s for s in steps if not s.is_done), None)
    return render(
        request,
        "followups/detail.html",
        {
            "followup": followup,
            "steps": steps,
            "open_step": open_step,
            "today": services.paris_today(),
            "outcome_form": outcome_form or OutcomeForm(),
            "step_form": step_form or StepForm(),
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_render(request, _followup(request, pk))


@login_required
@require_POST
def step_done(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    followup = _followup(request, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.step_complete(
                actor=request.user,
                followup_id=followup.pk,
                step_id=step_pk,
                outcome=form.cleaned_data["outcome"],
            )
        except Step.DoesNotExist as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The outcome has been recorded."))
            return redirect("followups:detail", followup.pk)
    return _detail_render(request, followup, outcome_form=form, status=400)


@login_required
@require_POST
def step_new(request: HttpRequest, pk: int) -> HttpResponse:
    followup = _followup(request, pk)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.step_add(actor=request.user, followup_id=followup.pk, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The next step has been planned."))
            return redirect("followups:detail", followup.pk)
    return _detail_render(request, followup, step_form=form, status=400)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST deletes the follow-up and its steps."""
    followup = _followup(request, pk)
    if request.method == "POST":
        services.followup_delete(actor=request.user, followup_id=followup.pk)
        messages.success(request, _("The follow-up has been deleted."))
        return redirect("followups:mine")
    return render(request, "followups/delete.html", {"followup": followup})


@login_required
def delete_all(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST deletes every follow-up of the member."""
    count = selectors.followups_of(actor=request.user).count()
    if request.method == "POST":
        services.followups_delete_all(actor=request.user)
        messages.success(request, _("All your follow-ups have been deleted."))
        return redirect("followups:mine")
    return render(request, "followups/delete_all.html", {"count": count})


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The member's own follow-ups, one line per step, as French CSV."""
    table = followups_table(actor=request.user)
    response = StreamingHttpResponse(table_csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
