"""Pitch pages: write, review, compare versions, approve; the showcase schedule form.

Thin: permissions and rules in `services`, reads in `selectors`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations.models import Association
from associations.selectors import association_can_manage
from assosolos.forms import form_errors_apply
from groups.models import Group
from groups.networks import NETWORKS, networks_for_client, pitch_count, share_url
from groups.selectors import group_membership

from . import selectors, services
from .forms import CommentForm, PitchForm, ScheduleForm
from .models import Pitch, PitchVersion, ShowcaseSchedule


def _pitch_for(request: HttpRequest, pk: int) -> Pitch:
    pitch = get_object_or_404(Pitch.objects.select_related("group__association", "author"), pk=pk)
    if not selectors.pitch_can_view(user=request.user, pitch=pitch):
        raise Http404
    return pitch


@login_required
def group_pitches(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = get_object_or_404(Group.objects.select_related("association"), pk=group_pk)
    member = group_membership(user=request.user, group_id=group.pk) is not None
    if not member and not association_can_manage(user=request.user, association=group.association):
        raise Http404
    return render(
        request,
        "pitches/group_pitches.html",
        {"group": group, "pitches": selectors.pitches_of_group(group=group), "is_member": member},
    )


def _form_context(form: PitchForm, **extra) -> dict:
    return {"form": form, "networks": networks_for_client(), "network_rules": NETWORKS, **extra}


@login_required
def pitch_create(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=group_pk)
    if group_membership(user=request.user, group_id=group.pk) is None:
        raise Http404
    form = PitchForm(request.POST or None, initial={"network": request.GET.get("network")})
    if request.method == "POST" and form.is_valid():
        try:
            pitch = services.pitch_save(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(
                request, _("Your pitch is saved. Ask your group for review when ready.")
            )
            return redirect("pitches:detail", pk=pitch.pk)
    return render(request, "pitches/pitch_form.html", _form_context(form, group=group))


@login_required
def pitch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _pitch_for(request, pk)
    if pitch.author_id != request.user.pk:
        raise PermissionDenied
    version = pitch.versions.order_by("-number").first()
    initial = {"network": pitch.network}
    if version:
        initial.update(text=version.text, audience=version.audience, contact=version.contact)
    form = PitchForm(request.POST or None, initial=initial, network_locked=True)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "network": pitch.network}
        try:
            services.pitch_save(actor=request.user, group=pitch.group, pitch=pitch, **data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("A new version of your pitch is saved."))
            return redirect("pitches:detail", pk=pitch.pk)
    return render(
        request, "pitches/pitch_form.html", _form_context(form, group=pitch.group, pitch=pitch)
    )


@login_required
def pitch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _pitch_for(request, pk)
    versions = list(selectors.pitch_versions_with_comments(pitch=pitch))
    current = versions[0] if versions else None
    return render(
        request,
        "pitches/pitch_detail.html",
        {
            "pitch": pitch,
            "current": current,
            "versions": versions,
            "network": NETWORKS[pitch.network],
            "count": pitch_count(text=current.text, network=pitch.network) if current else None,
            "actions": selectors.pitch_actions(user=request.user, pitch=pitch, version=current),
            "comment_form": CommentForm(),
        },
    )


@login_required
def pitch_compare(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _pitch_for(request, pk)
    numbers = sorted(pitch.versions.values_list("number", flat=True))
    try:
        a = int(request.GET.get("a", numbers[-2] if len(numbers) > 1 else 1))
        b = int(request.GET.get("b", numbers[-1] if numbers else 1))
    except ValueError:
        a = b = 0
    old = pitch.versions.filter(number=a).first()
    new = pitch.versions.filter(number=b).first()
    if old is None or new is None:
        messages.error(request, _("Choose two versions of this pitch to compare."))
        return redirect("pitches:detail", pk=pitch.pk)
    return render(
        request,
        "pitches/pitch_compare.html",
        {
            "pitch": pitch,
            "old": old,
            "new": new,
            "numbers": numbers,
            "diff": selectors.pitch_diff(old=old.text, new=new.text),
        },
    )


def _act(request: HttpRequest, pitch: Pitch, action, success: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You cannot do this."))
    else:
        messages.success(request, success)
    return redirect("pitches:detail", pk=pitch.pk)


@require_POST
@login_required
def pitch_submit(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _pitch_for(request, pk)
    return _act(
        request,
        pitch,
        lambda: services.pitch_submit(actor=request.user, pitch=pitch),
        _("Your group can now review your pitch."),
    )


@require_POST
@login_required
def pitch_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _pitch_for(request, pk)
    return _act(
        request,
        pitch,
        lambda: services.pitch_withdraw(actor=request.user, pitch=pitch),
        _("Your pitch is withdrawn: the showcase no longer shows it."),
    )


@require_POST
@login_required
def pitch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _pitch_for(request, pk)
    return _act(
        request,
        pitch,
        lambda: services.pitch_approve(actor=request.user, pitch=pitch),
        _("Approved: it will appear in the next showcase edition."),
    )


def _version_for(request: HttpRequest, pk: int, number: int) -> PitchVersion:
    pitch = _pitch_for(request, pk)
    return get_object_or_404(
        PitchVersion.objects.select_related("pitch__group"), pitch=pitch, number=number
    )


@require_POST
@login_required
def pitch_ready(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version_for(request, pk, number)
    return _act(
        request,
        version.pitch,
        lambda: services.pitch_mark_ready(actor=request.user, version=version),
        _("You marked this version ready."),
    )


@require_POST
@login_required
def pitch_comment(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version_for(request, pk, number)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("pitches:detail", pk=version.pitch_id)
    return _act(
        request,
        version.pitch,
        lambda: services.pitch_comment_add(
            actor=request.user, version=version, body=form.cleaned_data["body"]
        ),
        _("Your comment is posted."),
    )


@login_required
def my_pitches(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pitches/my_pitches.html",
        {"pitches": selectors.pitches_of_user(user=request.user)},
    )


@login_required
def schedule_edit(request: HttpRequest, association_slug: str) -> HttpResponse:
    association = get_object_or_404(Association, slug=association_slug)
    if not association_can_manage(user=request.user, association=association):
        raise Http404
    current = ShowcaseSchedule.objects.filter(association=association).first()
    initial = (
        {"weekday": current.weekday, "time": current.time}
        if current
        else {"weekday": ShowcaseSchedule.Weekday.FRIDAY, "time": "15:00"}
    )
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.showcase_schedule_set(
                actor=request.user, association=association, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The showcase time is saved."))
            return redirect("pitches:schedule", association_slug=association.slug)
    return render(request, "pitches/schedule_form.html", {"form": form, "association": association})


def mastodon_share(request: HttpRequest, pitch_pk: int) -> HttpResponse:
    """Send the reader to their own Mastodon server's composer, prefilled."""
    entry = selectors.showcase_entry_published(pitch_id=pitch_pk)
    if entry is None:
        raise Http404
    edition_url = request.build_absolute_uri(entry.edition.page.url)
    url = share_url(
        network="mastodon",
        text=entry.version.text,
        page_url=f"{edition_url}#pitch-{pitch_pk}",
        instance=request.GET.get("instance", ""),
    )
    if not url:
        messages.error(
            request, _("Give the name of your Mastodon server, such as mastodon.social.")
        )
        return redirect(f"{entry.edition.page.url}#pitch-{pitch_pk}")
    return redirect(url)
