"""Group pages: public page, room, applying and leaving, invitations, management.

Thin: permissions from `selectors`, rules in `services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from associations.models import Association
from associations.selectors import (
    association_is_active,
    association_manage_check,
)
from assosolos.forms import form_errors_apply

from . import attendance_selectors, calendar, selectors, services
from .attachments import selectors as attachment_selectors
from .forms import (
    ApplicationForm,
    CommitmentForm,
    GroupForm,
    InviteForm,
    MuteForm,
    SeatPrizeForm,
    SessionForm,
)
from .models import Commitment, Group, GroupApplication, GroupInvitation, GroupMembership, Session
from .notify.selectors import push_public_key


def _group(pk: int) -> Group:
    return get_object_or_404(Group.objects.select_related("association", "facilitator"), pk=pk)


def _require_manager(request: HttpRequest, group: Group) -> None:
    if not selectors.group_can_manage(user=request.user, group=group):
        raise PermissionDenied


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    membership = selectors.group_membership(user=request.user, group_id=group.pk)
    is_moderator = selectors.group_is_moderator(
        user=request.user, group=group, membership=membership
    )
    now = timezone.now()
    sessions = list(selectors.group_sessions(group=group))
    upcoming = [s for s in sessions if s.starts_at >= now]
    context = {
        "group": group,
        "membership": membership,
        "is_moderator": is_moderator,
        "can_manage": selectors.group_can_manage(user=request.user, group=group),
        "seats_taken": selectors.group_seats_taken(group=group),
        "upcoming": upcoming,
        "past": [s for s in sessions if s.starts_at < now][-5:],
        "waiting": request.user.is_authenticated
        and group.waiting_list.filter(user=request.user).exists(),
        "application_form": ApplicationForm(),
        "prize_seats": selectors.group_public_prize_seats(group=group),
    }
    if membership is not None or is_moderator:
        context["answer_panels"] = attendance_selectors.session_answer_panels(
            sessions=upcoming, membership=membership, now=now
        )
        context["members"] = list(selectors.group_members(group=group))
        context["record"] = list(selectors.group_commitment_record(group=group))
    return render(request, "groups/detail.html", context)


@login_required
def room(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    try:
        access = services.room_access(group_id=group.pk, actor=request.user)
    except services.RoomError as exc:
        raise PermissionDenied(exc.message) from exc
    context = {"group": group, "is_moderator": access.is_moderator, "membership": access.membership}
    context["push_public_key"] = push_public_key()
    context["attachment_limits"] = attachment_selectors.room_attachment_limits()
    # For the "@" autocomplete: every member but oneself.
    context["member_names"] = [
        name
        for name in selectors.room_member_names(group=group)
        if name != request.user.public_name
    ]
    if access.is_moderator:
        context["room_members"] = [
            m for m in selectors.group_members(group=group) if m.user_id != request.user.pk
        ]
        context["reported"] = selectors.room_open_reports(group=group)
        context["mute_choices"] = ROOM_MUTE_CHOICES
    return render(request, "groups/room.html", context)


@login_required
@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    form = ApplicationForm(request.POST)
    if form.is_valid():
        try:
            services.group_apply(
                group=group, actor=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your application has been sent."))
    return redirect(group.get_absolute_url())


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    services.group_leave(group=group, actor=request.user)
    messages.success(request, _("You have left %(group)s.") % {"group": group.title})
    return redirect("accounts:dashboard")


@login_required
@require_POST
def invitation_respond(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(GroupInvitation.objects.select_related("group"), pk=pk)
    accept = request.POST.get("answer") == "accept"
    try:
        outcome = services.group_invitation_respond(
            invitation=invitation, actor=request.user, accept=accept
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:dashboard")
    if outcome == "waiting":
        messages.info(request, _("The group is full: you are on its waiting list."))
    elif accept:
        messages.success(request, _("Welcome to %(group)s.") % {"group": invitation.group.title})
        return redirect(invitation.group.get_absolute_url())
    return redirect("accounts:dashboard")


# --- Management by the association's admins ------------------------------------------


@login_required
def manage_list(request: HttpRequest, association_slug: str) -> HttpResponse:
    association = get_object_or_404(Association, slug=association_slug)
    association_manage_check(actor=request.user, association=association)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                association=association, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The group has been created."))
            return redirect("groups:manage", group.pk)
    return render(
        request,
        "groups/manage_list.html",
        {
            "association": association,
            "groups": selectors.groups_of_association(association=association),
            "form": form,
            "can_create": association_is_active(association=association),
        },
    )


def _manage_context(group: Group, **forms) -> dict:
    return {
        "group": group,
        "association": group.association,
        "members": list(selectors.group_members(group=group)),
        "seats_taken": selectors.group_seats_taken(group=group),
        "applications": list(selectors.group_pending_applications(group=group)),
        "invitations": list(selectors.group_pending_invitations(group=group)),
        "waiting_list": list(selectors.group_waiting_list(group=group)),
        "reports": list(selectors.group_open_reports(group=group)),
        "sessions": list(selectors.group_sessions(group=group)),
        "form": forms.get("form") or GroupForm(instance=group),
        "invite_form": forms.get("invite_form") or InviteForm(),
        "session_form": forms.get("session_form") or SessionForm(),
        "mute_form": MuteForm(initial={"minutes": 60}),
        "prize_seats": selectors.group_prize_seats(group=group),
        "seat_promises": selectors.group_seat_promises(group=group),
        "seat_prize_form": forms.get("seat_prize_form")
        or SeatPrizeForm(prizes=selectors.group_prizes_attachable(group=group)),
    }


@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    _require_manager(request, group)
    form = GroupForm(request.POST or None, instance=Group.objects.get(pk=group.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=group, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The group has been saved."))
            return redirect("groups:manage", group.pk)
    return render(request, "groups/manage.html", _manage_context(group, form=form))


@login_required
@require_POST
def manage_invite(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    _require_manager(request, group)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.group_invite(group=group, actor=request.user, email=form.cleaned_data["email"])
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The invitation has been sent."))
            return redirect("groups:manage", group.pk)
    return render(
        request, "groups/manage.html", _manage_context(group, invite_form=form), status=400
    )


@login_required
@require_POST
def manage_session(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.session_create(group=group, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The session has been planned."))
            return redirect("groups:manage", group.pk)
    if not selectors.group_can_manage(user=request.user, group=group):
        # The facilitator plans from the group page: say what was wrong there.
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(group.get_absolute_url())
    return render(
        request, "groups/manage.html", _manage_context(group, session_form=form), status=400
    )


@login_required
@require_POST
def manage_application(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    application = get_object_or_404(
        GroupApplication.objects.select_related("group__association", "user"),
        pk=application_pk,
        group_id=pk,
    )
    try:
        outcome = services.group_application_decide(
            application=application,
            actor=request.user,
            accept=request.POST.get("answer") == "accept",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            {
                "member": _("The applicant has joined the group."),
                "waiting": _("The group is full: the applicant is on its waiting list."),
                "refused": _("The application has been refused."),
            }.get(outcome, _("Done.")),
        )
    return redirect("groups:manage", pk)


def _membership(request: HttpRequest, pk: int, membership_pk: int) -> GroupMembership:
    return get_object_or_404(
        GroupMembership.objects.select_related("group__association", "user"),
        pk=membership_pk,
        group_id=pk,
    )


@login_required
@require_POST
def manage_member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _membership(request, pk, membership_pk)
    try:
        services.group_member_remove(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s has been removed.") % {"name": membership.user.public_name}
        )
    return redirect("groups:manage", pk)


@login_required
@require_POST
def manage_member_mute(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _membership(request, pk, membership_pk)
    form = MuteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A mute lasts between 0 minutes and 30 days."))
        return redirect("groups:manage", pk)
    services.group_member_mute(
        membership=membership, actor=request.user, minutes=form.cleaned_data["minutes"]
    )
    messages.success(request, _("Saved."))
    return redirect("groups:manage", pk)


# --- Sessions and commitments --------------------------------------------------------


@login_required
def session_detail(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("group__association"), pk=session_pk, group_id=pk
    )
    group = session.group
    membership = selectors.group_membership(user=request.user, group_id=group.pk)
    if membership is None and not selectors.group_can_manage(user=request.user, group=group):
        raise PermissionDenied
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and membership is not None and form.is_valid():
        try:
            services.commitment_set(
                session=session, actor=request.user, goal=form.cleaned_data["goal"]
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("Your goal has been saved."))
            return redirect("groups:session", pk, session_pk)
    previous_open = Commitment.objects.filter(
        session__group=group,
        session__starts_at__lt=session.starts_at,
        user=request.user,
        outcome=Commitment.Outcome.OPEN,
    ).select_related("session")
    return render(
        request,
        "groups/session.html",
        {
            "group": group,
            "session": session,
            "membership": membership,
            "is_moderator": selectors.group_is_moderator(
                user=request.user, group=group, membership=membership
            ),
            "answer_panel": attendance_selectors.session_answer_panels(
                sessions=[session], membership=membership
            )[0],
            "form": form,
            "commitments": session.commitments.select_related("user"),
            "to_report": list(previous_open),
        },
    )


@login_required
@require_POST
def commitment_report(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment, pk=commitment_pk, session__group_id=pk)
    try:
        services.commitment_report(
            commitment=commitment, actor=request.user, done=request.POST.get("done") == "yes"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: the group sees your record."))
    return redirect("groups:detail", pk)


# --- Calendars -----------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def group_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    membership = selectors.group_membership(user=request.user, group_id=group.pk)
    if membership is None and not selectors.group_can_manage(user=request.user, group=group):
        raise PermissionDenied
    sessions = list(group.sessions.select_related("group"))
    answers = attendance_selectors.calendar_answers(user_id=request.user.pk, sessions=sessions)
    body = calendar.sessions_calendar(
        name=group.title, sessions=sessions, attendee=request.user, answers=answers
    )
    return _ics(body, f"group-{pk}.ics")


def member_calendar(request: HttpRequest, token: str) -> HttpResponse:
    user_id = calendar.member_feed_user_id(token=token)
    if user_id is None:
        raise Http404
    attendee = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if attendee is None:
        raise Http404
    sessions = list(
        Session.objects.filter(group__memberships__user_id=user_id).select_related("group")
    )
    answers = attendance_selectors.calendar_answers(user_id=user_id, sessions=sessions)
    body = calendar.sessions_calendar(
        name="Assosolos", sessions=sessions, attendee=attendee, answers=answers
    )
    return _ics(body, "sessions.ics")


# --- Seats offered as lottery prizes -------------------------------------------------


def _prize_seats_url(group: Group) -> str:
    return reverse("groups:manage", args=[group.pk]) + "#prize-seats"


@login_required
@require_POST
def manage_seat_prize_attach(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    _require_manager(request, group)
    form = SeatPrizeForm(request.POST, prizes=selectors.group_prizes_attachable(group=group))
    if form.is_valid():
        try:
            seat = services.group_seat_prize_attach(
                group=group, actor=request.user, prize_id=form.cleaned_data["prize"]
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(
                request,
                _("The prize “%(prize)s” of %(lottery)s now comes with a seat in the group.")
                % {"prize": seat.prize.name, "lottery": seat.prize.lottery.title},
            )
            return redirect(_prize_seats_url(group))
    return render(
        request, "groups/manage.html", _manage_context(group, seat_prize_form=form), status=400
    )


@login_required
@require_POST
def manage_seat_prize_detach(request: HttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    group = _group(pk)
    _require_manager(request, group)
    try:
        services.group_seat_prize_detach(group=group, actor=request.user, seat_id=seat_pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The prize no longer comes with a seat in the group."))
    return redirect(_prize_seats_url(group))


# --- Room moderation -----------------------------------------------------------------

# What the room's "mute for…" offers, in minutes; the socket accepts any value the
# service allows, these are the ones a moderator reaches for.
ROOM_MUTE_CHOICES = (
    (15, gettext_lazy("15 minutes")),
    (60, gettext_lazy("1 hour")),
    (24 * 60, gettext_lazy("24 hours")),
)


@login_required
@require_POST
def room_reports_dismiss(request: HttpRequest, pk: int, seq: int) -> HttpResponse:
    """Close a message's open reports without hiding it, then back to the room."""
    group = _group(pk)
    try:
        closed = services.room_reports_dismiss(group_id=group.pk, seq=seq, actor=request.user)
    except services.RoomError as exc:
        if exc.code != "not_found":  # not a moderator of this room
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        if closed:
            messages.success(
                request, _("The reports on message #%(seq)d are closed.") % {"seq": seq}
            )
        else:
            messages.info(request, _("These reports were already handled."))
    return redirect("groups:room", group.pk)
