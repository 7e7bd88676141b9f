"""The association's relay page (accounts and posts) and the author's consent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations.guards import managed_association_get
from associations.models import Association
from assosolos.forms import form_errors_apply
from groups.pitches.models import Pitch

from . import selectors, services
from .forms import BlueskyForm, MastodonForm
from .models import Network

FORMS = {Network.MASTODON: MastodonForm, Network.BLUESKY: BlueskyForm}


def _page(request: HttpRequest, association: Association, bound=None, status: int = 200):
    forms = {key: form_class(prefix=key) for key, form_class in FORMS.items()}
    if bound is not None:
        forms[bound.prefix] = bound
    return render(
        request,
        "relay/manage.html",
        {
            "association": association,
            "accounts": selectors.accounts_of(association=association),
            "forms": forms,
            "posts": selectors.posts_of(association=association),
        },
        status=status,
    )


@login_required
def manage(request: HttpRequest, association_slug: str) -> HttpResponse:
    return _page(request, managed_association_get(request, association_slug))


@login_required
@require_POST
def connect(request: HttpRequest, association_slug: str, network: str) -> HttpResponse:
    association = managed_association_get(request, association_slug)
    if network not in FORMS:
        raise Http404
    form = FORMS[network](request.POST, prefix=network)
    if not form.is_valid():
        return _page(request, association, form, status=400)
    try:
        account = services.account_connect(
            actor=request.user,
            association=association,
            network=network,
            server=form.cleaned_data.get("server") or "",
            handle=form.cleaned_data.get("handle", ""),
            secret=form.cleaned_data["secret"],
        )
    except ValidationError as exc:
        form_errors_apply(form, exc)
        return _page(request, association, form, status=400)
    messages.success(request, _("Connected as @%(handle)s.") % {"handle": account.handle})
    return redirect("relay:manage", association_slug=association.slug)


@login_required
@require_POST
def disconnect(request: HttpRequest, association_slug: str, network: str) -> HttpResponse:
    association = managed_association_get(request, association_slug)
    if network not in FORMS:
        raise Http404
    services.account_disconnect(actor=request.user, association=association, network=network)
    messages.success(request, _("Disconnected."))
    return redirect("relay:manage", association_slug=association.slug)


@login_required
@require_POST
def consent(request: HttpRequest, pitch_pk: int) -> HttpResponse:
    pitch = get_object_or_404(Pitch, pk=pitch_pk)
    if pitch.author_id != request.user.pk:
        raise Http404
    try:
        services.consent_set(
            actor=request.user,
            pitch=pitch,
            network=request.POST.get("network", ""),
            agreed=request.POST.get("agreed") == "on",
        )
    except (ValidationError, PermissionDenied):
        messages.error(request, _("This pitch is not written for that network."))
    else:
        messages.success(request, _("Your choice is saved."))
    return redirect("pitches:detail", pitch.pk)
