"""Fixed-window rate limits counted in the shared cache (Redis in production).

Used for purchases here and for room messages later; login and signup are limited
by allauth's own settings (ACCOUNT_RATE_LIMITS). Both count a signed-in person per
account and anyone else per client address, read the same way behind a proxy
(ALLAUTH_TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER, see the README).
"""

import hashlib
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .cache import CacheUnavailable, cache_required
from .unavailable import service_unavailable_response

logger = logging.getLogger(__name__)


def ratelimit_consume(*, scope: str, key: str, limit: int, period: int) -> bool:
    """Count one attempt for `key`; return False once `limit` attempts were made in the window."""
    window = int(time.time() // period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    # add() is atomic: only the first attempt of a window creates the counter.
    if cache.add(cache_key, 1, timeout=period + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=period + 1)
        return True
    return count <= limit


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting only the proxies the settings name."""
    from allauth.core.internal.ratelimit import get_ip

    return get_ip(request)


def client_key(request: HttpRequest) -> str:
    """Who is acting: the signed-in user, else the client's address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_address(request)}"


def ratelimit(
    *,
    scope: str,
    limit: int,
    period: int,
    methods: tuple[str, ...] = ("POST",),
    required: bool = False,
):
    """Refuse a view with 429 and a readable page once the client exceeds the limit.

    While the cache (Redis) is unreachable, a limit counts nothing: the view goes ahead
    (fails open), unless `required`, when it is refused with the 503 page ("try again")
    rather than run without its limit (fails closed).
    """

    def decorator(view: Callable[..., HttpResponse]):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method in methods:
                try:
                    with cache_required() if required else nullcontext():
                        allowed = ratelimit_consume(
                            scope=scope, key=client_key(request), limit=limit, period=period
                        )
                except CacheUnavailable:
                    logger.warning("rate limit %s: the cache is unreachable; refused", scope)
                    return service_unavailable_response()
                if not allowed:
                    return render(request, "429.html", {"retry_after": period}, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
