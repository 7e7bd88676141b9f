"""A part the site depends on is away: a 503 page that says "try again", never a traceback.

Three ways a request meets an unreachable part:
- the database (restarting, unreachable): Django raises `OperationalError` or
  `InterfaceError`;
- the shared cache inside `cache_required()` (rate limits that protect logins and
  purchases fail closed): `assosolos.cache.CacheUnavailable`.

`ServiceUnavailableMiddleware` turns such an error raised by a view into the 503 page,
and `server_error` (the project's handler500) does the same for one raised in a
middleware (a session read from the database, for instance). The page itself is
standalone: rendering it touches neither the database nor the cache. Everything
else keeps Django's usual 500 page.

The middleware also runs the POSTs of the sign-in forms (login, signup, password
reset and change, the second factor) inside `cache_required()`: their rate limits
count in the cache, and letting them through uncounted while Redis is away would
open the door to password guessing, so they answer 503 until Redis is back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token

from .cache import CacheUnavailable, cache_required

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError, CacheUnavailable)
# Seconds the 503 page asks a client to wait before trying again.
RETRY_AFTER_SECONDS = 10
# Forms whose rate limits must hold: without the cache they are refused (503).
CACHE_REQUIRED_URL_NAMES = frozenset(
    {
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_from_key",
        "account_change_password",
        "account_confirm_email",
        "mfa_authenticate",
        "mfa_reauthenticate",
    }
)


def service_unavailable_response() -> HttpResponse:
    """The 503 page, built without the request: no context processor reads a store."""
    response = HttpResponse(
        render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _log(request: HttpRequest, exc: BaseException) -> None:
    logger.warning(
        "service unavailable for %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        exc,
    )


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and _needs_cache(request):
            with cache_required():
                return self.get_response(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UNAVAILABLE):
            _log(request, exception)
            return service_unavailable_response()
        return None


def _needs_cache(request: HttpRequest) -> bool:
    # This runs before the language middleware: resolve in the address's language, as
    # the `/en/…` addresses only match while English is active.
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.url_name in CACHE_REQUIRED_URL_NAMES


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page for an unreachable part, else the plain 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, UNAVAILABLE):
        _log(request, exc)
        return service_unavailable_response()
    return HttpResponseServerError(render_to_string("500.html"))
