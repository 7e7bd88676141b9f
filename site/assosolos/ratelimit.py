"""Fixed-window rate limits counted in the shared cache (Redis in production).

Used for purchases, invitations and room messages; signup and password reset are
limited by allauth's own settings (ACCOUNT_RATE_LIMITS), failed logins by
accounts.login_limits. All of them count a signed-in person per account and anyone
else per client address, which `client_address` alone reads (allauth through the
account adapter): behind a proxy, through TRUSTED_PROXY_COUNT or
TRUSTED_CLIENT_IP_HEADER only (see the README).
"""

import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from functools import wraps

from django.conf import settings
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


def _clean_address(value: str | None) -> str | None:
    """`value` as an IP address, without a port or brackets; None when it is not one."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.5:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's address, believing only what the proxies the settings name wrote.

    Each proxy appends the address it received the request from to X-Forwarded-For,
    so with N trusted proxies the client is the Nth entry from the right; whatever
    stands further left was written by the client and may be anything. A request
    with fewer entries did not pass every proxy, and its leftmost one is the best
    known. Without trusted proxies (the default) the header is ignored and the peer
    address (REMOTE_ADDR) counts. Never fails: an unreadable value falls back to
    REMOTE_ADDR.
    """
    remote = _clean_address(request.META.get("REMOTE_ADDR")) or "unknown"
    header = settings.TRUSTED_CLIENT_IP_HEADER
    if header:
        return _clean_address(request.headers.get(header)) or remote
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    entries = [entry for entry in (e.strip() for e in forwarded.split(",")) if entry]
    if count <= 0 or not entries:
        return remote
    chosen = entries[-count] if len(entries) >= count else entries[0]
    return _clean_address(chosen) or remote


def address_bucket(address: str) -> str:
    """What limits count per address: an IPv6 client owns a whole /64, counted as one."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        prefix = getattr(settings, "ALLAUTH_RATE_LIMIT_IPV6_PREFIX", 64)
        return str(ipaddress.IPv6Network(f"{parsed}/{prefix}", strict=False).network_address)
    return address


def client_key(request: HttpRequest) -> str:
    """Who is acting: the signed-in user, else the client's address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{address_bucket(client_address(request))}"


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
