"""Answers to sessions, the facilitator's sheet (answers, places, attendance) and rates.

Thin: who may act from the groups' selectors, the rules in `services.attendance`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assosolos.forms import form_errors_apply

from . import attendance_selectors, selectors, services
from .attendance_forms import AttendanceForm, SessionAnswerForm, SessionCapacityForm
from .models import Group, Session


def _session(pk: int, session_pk: int) -> Session:
    return get_object_or_404(
        Session.objects.select_related("group__association", "group__facilitator"),
        pk=session_pk,
        group_id=pk,
    )


def _require_facilitator(request: HttpRequest, group: Group) -> None:
    membership = selectors.group_membership(user=request.user, group_id=group.pk)
    if not selectors.group_is_moderator(user=request.user, group=group, membership=membership):
        raise PermissionDenied


@login_required
@require_POST
def session_answer(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = _session(pk, session_pk)
    form = SessionAnswerForm(request.POST)
    back = (
        reverse("groups:session", args=[pk, session_pk])
        if request.POST.get("back") == "session"
        else reverse("groups:detail", args=[pk]) + "#sessions-title"
    )
    if not form.is_valid():
        messages.error(request, _("Choose coming, maybe or not coming."))
        return redirect(back)
    try:
        services.session_answer_set(
            session=session, actor=request.user, answer=form.cleaned_data["answer"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your answer has been saved."))
    return redirect(back)


def _sheet_context(session: Session, **forms) -> dict:
    marks = attendance_selectors.session_attendance_marks(session=session)
    roster = attendance_selectors.session_roster(session=session)
    counts = attendance_selectors.session_answer_counts(sessions=[session])[session.pk]
    return {
        "group": session.group,
        "session": session,
        "counts": counts,
        "sheet": attendance_selectors.session_answer_sheet(session=session),
        "answers_open": attendance_selectors.session_answers_open(session=session),
        "attendance_open": attendance_selectors.session_attendance_open(session=session),
        "attendance_taken": bool(marks),
        "capacity_form": forms.get("capacity_form")
        or SessionCapacityForm(initial={"capacity": session.capacity}),
        "attendance_form": forms.get("attendance_form")
        or AttendanceForm(roster=roster, marks=marks),
    }


@login_required
def session_sheet(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """The facilitator's page of a session: answers with names, places, attendance."""
    session = _session(pk, session_pk)
    _require_facilitator(request, session.group)
    if request.method != "POST":
        return render(request, "groups/session_sheet.html", _sheet_context(session))
    roster = attendance_selectors.session_roster(session=session)
    form = AttendanceForm(request.POST, roster=roster)
    if form.is_valid():
        try:
            services.session_attendance_record(
                session=session, actor=request.user, presence=form.presence()
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("Attendance has been saved."))
            return redirect("groups:session_sheet", pk, session_pk)
    return render(
        request,
        "groups/session_sheet.html",
        _sheet_context(session, attendance_form=form),
        status=400,
    )


@login_required
@require_POST
def session_capacity(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = _session(pk, session_pk)
    _require_facilitator(request, session.group)
    form = SessionCapacityForm(request.POST)
    if form.is_valid():
        try:
            services.session_capacity_set(
                session=session, actor=request.user, capacity=form.cleaned_data["capacity"]
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The number of places has been saved."))
            return redirect("groups:session_sheet", pk, session_pk)
    return render(
        request,
        "groups/session_sheet.html",
        _sheet_context(session, capacity_form=form),
        status=400,
    )


@login_required
def group_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator's view of the group's attendance: each member's rate, past sessions."""
    group = get_object_or_404(Group.objects.select_related("association", "facilitator"), pk=pk)
    _require_facilitator(request, group)
    return render(
        request,
        "groups/attendance.html",
        {
            "group": group,
            "rates": attendance_selectors.group_attendance_rates(group=group),
            "held": attendance_selectors.group_sessions_held(group=group),
        },
    )
