"""Pages of being told when away: the choice, the digest's unsubscribe link, push devices.

Thin: rules in `services`, reads in `selectors`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import NotificationChoiceForm, PushSubscriptionForm

# The service worker lives under /groupes/, so its scope covers every room page.
SERVICE_WORKER_SCOPE = "/groupes/"


@login_required
@require_http_methods(["GET", "POST"])
def notify_settings(request: HttpRequest) -> HttpResponse:
    choice = selectors.notification_choice_of(user_id=request.user.pk)
    if request.method == "POST":
        form = NotificationChoiceForm(request.POST)
        if form.is_valid():
            services.notification_choice_set(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Your choice is saved."))
            return redirect("groups:notify_settings")
    else:
        form = NotificationChoiceForm(
            initial={"digest_email": choice.digest_email, "push": choice.push}
        )
    return render(
        request,
        "groups/notify_settings.html",
        {
            "form": form,
            "push_enabled": selectors.push_enabled(),
            "devices": selectors.push_subscriptions_of(user_id=request.user.pk).count(),
        },
    )


# Mail clients post here without a session or a CSRF token (RFC 8058): the signed
# token is the proof, and all it can do is turn the digest off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        # A link opened (or fetched by a mail scanner) only shows the button: no change.
        valid = services.digest_unsubscribe_check(token=token)
        return render(
            request,
            "groups/digest_unsubscribe.html",
            {"token": token, "valid": valid, "done": False},
            status=200 if valid else 400,
        )
    done = services.digest_unsubscribe(token=token) is not None
    return render(
        request,
        "groups/digest_unsubscribe.html",
        {"token": token, "valid": done, "done": done},
        status=200 if done else 400,
    )


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    form = PushSubscriptionForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("This subscription is not valid.")}, status=400)
    try:
        services.push_subscription_save(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True}, status=201)


@login_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    endpoint = request.POST.get("endpoint", "")[:1000]
    deleted = services.push_subscription_delete(actor=request.user, endpoint=endpoint)
    return JsonResponse({"ok": True, "deleted": deleted})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        render_to_string("groups/push_service_worker.js", request=request),
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = SERVICE_WORKER_SCOPE
    response["Cache-Control"] = "no-cache"
    return response
