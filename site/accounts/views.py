from urllib.parse import urlencode

from allauth.account import app_settings as allauth_settings
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import login_limits
from .forms import ProfileForm
from .services import user_profile_update
from .signin_links import signin_link_user


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request):
    """The "my account" page: profile, email, password and what the user takes part in."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_profile_update(user=request.user, display_name=form.cleaned_data["display_name"])
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:dashboard")
    return render(request, "accounts/dashboard.html", {"form": form})


def _safe_next(request, default: str) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _login_door(request, *, default_next: str, may_enter) -> HttpResponse:
    """Send the CMS's and the Django admin's logins to the site's one login page.

    Nothing is checked here: no password is read, so every sign-in goes through the
    site's login with its email verification, rate limits and second factor.
    """
    target = _safe_next(request, default_next)
    if request.user.is_authenticated:
        if not may_enter(request.user):
            # Sending a signed-in person back to the login would loop.
            raise PermissionDenied
        return redirect(target)
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


@require_http_methods(["GET", "POST"])
def cms_login(request):
    return _login_door(
        request,
        default_next=reverse("wagtailadmin_home"),
        may_enter=lambda user: user.has_perm("wagtailadmin.access_admin"),
    )


@require_http_methods(["GET", "POST"])
def django_admin_login(request):
    return _login_door(
        request,
        default_next=reverse("admin:index"),
        may_enter=lambda user: user.is_active and user.is_staff,
    )


def password_reset_door(request, **kwargs):
    """The admins' password reset screens lead to the site's (rate limited) one."""
    return redirect("account_reset_password")


def password_change_door(request, **kwargs):
    return redirect("account_change_password")


@require_http_methods(["GET", "POST"])
def signin_link(request, uidb36: str, token: str) -> HttpResponse:
    """The emailed one-time sign-in link: a page with a button, which signs in on POST.

    Opening the link signs nobody in, so a mail filter that follows links cannot use
    it up before its owner does.
    """
    user = signin_link_user(uidb36=uidb36, token=token)
    if user is None:
        return render(request, "accounts/signin_link.html", {"invalid": True}, status=400)
    if request.method == "GET":
        return render(request, "accounts/signin_link.html", {"account": user})
    login_limits.login_success_record(request=request, login=user.email)
    # Allauth's login: email verification and the second factor still apply.
    return perform_login(
        request,
        user,
        email_verification=allauth_settings.EMAIL_VERIFICATION,
        redirect_url=reverse(settings.LOGIN_REDIRECT_URL),
        email=user.email,
    )
