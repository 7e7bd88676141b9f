from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import session_passed_two_factor, user_has_two_factor, user_needs_two_factor


class StaffTwoFactorMiddleware:
    """The CMS and the Django admin only open after a second factor.

    A person who may use them but has no authenticator is sent to set one up; one who
    has an authenticator but did not use it in this session is asked for a code.
    Signing out stays possible either way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._guarded(request.path_info) and user_needs_two_factor(user=request.user):
            if not user_has_two_factor(user=request.user):
                messages.warning(
                    request,
                    _(
                        "The administration requires two-factor authentication. "
                        "Set up an authenticator app to continue."
                    ),
                )
                return redirect("mfa_activate_totp")
            if not session_passed_two_factor(request=request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _guarded(path: str) -> bool:
        if path in {reverse("wagtailadmin_logout"), reverse("admin:logout")}:
            return False
        return path.startswith((reverse("wagtailadmin_home"), reverse("admin:index")))
