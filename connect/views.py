"""Connecting, refreshing and disconnecting an association's Stripe account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from associations.guards import managed_association_get

from . import services
from .models import ConnectState
from .stripe_api import PaymentError


@login_required
@require_POST
def connect_start(request: HttpRequest, slug: str) -> HttpResponse:
    association = managed_association_get(request, slug)
    try:
        url = services.connect_start(association=association, actor=request.user)
    except (PaymentError, services.ConnectRefused) as exc:
        messages.error(request, str(exc))
        return redirect(association.get_dashboard_url())
    return redirect(url)


@login_required
@require_GET
def connect_return(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("state", "")
    attempt = ConnectState.objects.select_related("association").filter(token=token).first()
    # Back to the dashboard of the association the attempt was for, when it is theirs.
    if attempt is not None and attempt.actor_id == request.user.pk:
        back = attempt.association.get_dashboard_url()
    else:
        back = "/"
    try:
        account = services.connect_finish(
            actor=request.user,
            state=token,
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
        )
    except (PaymentError, services.ConnectRefused) as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if account.ready:
        messages.success(request, _("The Stripe account is connected: online sales can open."))
    else:
        messages.warning(
            request,
            _(
                "The Stripe account is connected, but Stripe needs more information "
                "before it can take payments."
            ),
        )
    return redirect(back)


@login_required
@require_POST
def account_refresh(request: HttpRequest, slug: str) -> HttpResponse:
    association = managed_association_get(request, slug)
    try:
        services.account_refresh(association=association)
    except PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The account's state was read again from Stripe."))
    return redirect(association.get_dashboard_url())


@login_required
@require_POST
def account_disconnect(request: HttpRequest, slug: str) -> HttpResponse:
    association = managed_association_get(request, slug)
    try:
        done = services.account_disconnect(association=association, actor=request.user)
    except (PaymentError, services.ConnectRefused) as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(
                request, _("The Stripe account is disconnected: online sales are closed.")
            )
    return redirect(association.get_dashboard_url())
