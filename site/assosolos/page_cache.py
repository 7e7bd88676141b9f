"""Anonymous visitors get the busiest pages from a copy kept a few seconds in the cache.

When a lottery opens, everyone loads its page at once; most of them are not signed
in, and they all see the same page. A view opts in by naming what its page shows
(`page_depends_on(request, "lottery:12")`); this middleware then keeps the rendered
response for `ANONYMOUS_PAGE_CACHE_SECONDS` and serves it to the next anonymous
visitors asking for the same path in the same language.

Freshness: each dependency has a version in the cache; whatever changes the data
(a sale, a refund, a change of status) calls `page_cache_bump("lottery:12")` after
its transaction commits, and the next request rebuilds the page. A change the code
does not announce (tickets held by a reservation) shows when the copy expires.
One request at a time rebuilds a page; while it does, the other visitors get the
previous copy, so a rush never renders the same page thirty times at once. A copy
is never served once it is more than STALE_GRACE_FACTOR × the setting old (10 s with
the production default of 5 s), and normally not past the setting.

What is never kept: a response for a signed-in visitor, a request with a query string
or with messages waiting to be shown, a response that set a cookie, touched the session,
showed messages or is not a plain 200. The CSRF token a page holds (the language switch
posts a form) is taken out of the copy and each visitor gets their own when it is served,
so no token and no cookie is ever shared between visitors.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from .effects import on_commit

PAGE_KEY = "page-cache:page:{digest}"
REBUILD_KEY = "{key}:rebuild"
# A stale copy is kept this many times ANONYMOUS_PAGE_CACHE_SECONDS in all, and served
# only while another request rebuilds it.
STALE_GRACE_FACTOR = 2
VERSION_KEY = "page-cache:version:{dependency}"
# Versions outlive any copy by far; an evicted version only costs one rebuild.
VERSION_SECONDS = 24 * 3600

CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")([^"]*)(")')
CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
HIT_HEADER = "X-Page-Cache"
# What listing pages (the home page, indexes) depend on: an app bumps it when one of
# its listed items changes, so site/ need not know which apps list things.
LISTINGS = "listings"
_REQUEST_ATTRIBUTE = "_page_cache_dependencies"


# --- What views and services call ----------------------------------------------------


def page_depends_on(request: HttpRequest, *dependencies: str) -> None:
    """Let the anonymous page cache keep this response while `dependencies` do not change.

    The versions are read now, before the view reads the data they cover, so a change
    committed while the page renders makes the copy stale at once rather than keeping
    an old figure under a new version.
    """
    known: dict[str, Any] = getattr(request, _REQUEST_ATTRIBUTE, None) or {}
    new = [d for d in dependencies if d not in known]
    if new:
        known.update(dependency_versions(*new))
    setattr(request, _REQUEST_ATTRIBUTE, known)


def page_depends_on_versions(request: HttpRequest, versions: dict[str, Any]) -> None:
    """As `page_depends_on`, with versions the caller has just read (one round trip less)."""
    known: dict[str, Any] = getattr(request, _REQUEST_ATTRIBUTE, None) or {}
    for dependency, version in versions.items():
        known.setdefault(dependency, version)
    setattr(request, _REQUEST_ATTRIBUTE, known)


def page_cache_bump(*dependencies: str) -> None:
    """Mark every kept page that shows `dependencies` as stale (after the commit, if any)."""

    def bump() -> None:
        token = uuid.uuid4().hex
        cache.set_many(
            {VERSION_KEY.format(dependency=d): token for d in dependencies},
            VERSION_SECONDS,
        )
        # This process's own copies go at once; other processes' expire within seconds.
        local = local_cache()
        if local is not None:
            local.clear()

    on_commit(bump)


def dependency_versions(*dependencies: str) -> dict[str, Any]:
    """The current versions of `dependencies`, to keep with a value built from them."""
    found = cache.get_many([VERSION_KEY.format(dependency=d) for d in dependencies])
    return {d: found.get(VERSION_KEY.format(dependency=d)) for d in dependencies}


def versions_current(versions: dict[str, Any]) -> bool:
    """Whether nothing kept under these versions has been bumped since."""
    if not versions:
        return True
    return dependency_versions(*versions) == versions


def page_versions_token(request: HttpRequest) -> str:
    """A short token of the versions this request's page depends on so far.

    Parts of a page that every visitor sees alike (signed in or not) can be kept under
    it for `page_cache_seconds()`: a bump of any dependency changes the token.
    """
    known: dict[str, Any] = getattr(request, _REQUEST_ATTRIBUTE, None) or {}
    raw = "\n".join(f"{name}={version}" for name, version in sorted(known.items()))
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def page_cache_seconds() -> int:
    return int(getattr(settings, "ANONYMOUS_PAGE_CACHE_SECONDS", 0) or 0)


LOCAL_CACHE = "local"
_MISSING = object()


def local_cache() -> Any:
    """This process's own cache (`CACHES["local"]`), or None where there is none.

    Under ASGI a worker runs its requests' database and cache calls one after the
    other, so each round trip saved on what every request reads alike is throughput.
    """
    return caches[LOCAL_CACHE] if LOCAL_CACHE in settings.CACHES else None


def local_copy(key: str, build: Callable[[], Any]) -> Any:
    """`build()`, kept in this process for `page_cache_seconds()`.

    For what every visitor reads alike and may lag a change by those few seconds, as
    anonymous page copies do (menus, the lottery index's address). A bump in this
    process forgets every local copy at once. Without a page cache, `build()` each time.
    """
    seconds = page_cache_seconds()
    local = local_cache()
    if seconds <= 0 or local is None:
        return build()
    value = local.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        local.set(key, value, seconds)
    return value


# --- The middleware ------------------------------------------------------------------


class AnonymousPageCacheMiddleware:
    """Serves and keeps anonymous copies of the pages that opted in.

    It sits last in MIDDLEWARE, so every other middleware still runs on a copy served
    from the cache (the CSRF cookie of a new visitor, security headers, language).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = page_cache_seconds()
        if seconds <= 0 or not _may_serve(request):
            return self.get_response(request)
        key = _page_key(request)
        entry, fresh = _kept_entry(key, seconds)
        if entry is not None and (fresh or not _rebuild_claim(key, seconds)):
            # Fresh; or stale, but another request is rebuilding it right now: rather
            # than every visitor of a rush rebuilding the same page at once, they get
            # the previous copy for the moment that takes (STALE_GRACE at most).
            return _replay(request, entry)
        claimed = entry is not None or _rebuild_claim(key, seconds)
        started = time.time()
        try:
            response = self.get_response(request)
            if request.method == "GET":
                new_entry = _entry_for(request, response, built_at=started)
                if new_entry is not None:
                    cache.set(key, new_entry, seconds * STALE_GRACE_FACTOR)
        finally:
            if claimed:
                cache.delete(REBUILD_KEY.format(key=key))
        return response


# Paths never looked up in the cache: a monitor's health check must say how the
# site is, not what it was a few seconds ago.
EXEMPT_PATHS = frozenset({"/healthz"})


def _may_serve(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    if request.path in EXEMPT_PATHS:
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    return not messages_waiting(request)


def messages_waiting(request: HttpRequest) -> bool:
    """Whether messages wait to be shown on this request's page (never shared)."""
    storage = getattr(request, "_messages", None)
    return storage is not None and bool(len(storage))


def _page_key(request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    raw = "\n".join((request.get_host(), language, request.path))
    return PAGE_KEY.format(digest=hashlib.sha256(raw.encode()).hexdigest())


# The dependencies of each page's last copy, as this process last saw them, so that a
# hit reads the copy and its dependencies' versions in one round trip to the cache.
_dependencies_seen: dict[str, tuple[str, ...]] = {}
_DEPENDENCIES_SEEN_MAX = 10_000


def _kept_entry(key: str, seconds: int) -> tuple[dict[str, Any] | None, bool]:
    """The kept copy under `key`, if any, and whether it is fresh: younger than
    `seconds` and built under the current version of everything it depends on."""
    expected = _dependencies_seen.get(key, ())
    found = cache.get_many([key, *(VERSION_KEY.format(dependency=d) for d in expected)])
    entry = found.get(key)
    if entry is None:
        return None, False
    young = time.time() - entry["built_at"] < seconds
    versions: dict[str, Any] = entry["versions"]
    if tuple(versions) != expected:  # first sight of this copy in this process
        if len(_dependencies_seen) >= _DEPENDENCIES_SEEN_MAX:
            _dependencies_seen.clear()
        _dependencies_seen[key] = tuple(versions)
        return entry, young and versions_current(versions)
    current = {d: found.get(VERSION_KEY.format(dependency=d)) for d in expected}
    return entry, young and current == versions


def _rebuild_claim(key: str, seconds: int) -> bool:
    """Whether this request may rebuild the page: one request at a time does."""
    return cache.add(REBUILD_KEY.format(key=key), 1, max(seconds, 1))


def _entry_for(
    request: HttpRequest, response: HttpResponse, *, built_at: float
) -> dict[str, Any] | None:
    """What to keep of `response`, or None when it must not be shared."""
    versions = getattr(request, _REQUEST_ATTRIBUTE, None)
    if versions is None:  # the view did not opt in
        return None
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if _cache_control_forbids(response):
        return None
    if request.user.is_authenticated:
        return None
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return None
    if messages_waiting(request):
        return None
    content = response.content
    content, tokens = CSRF_INPUT.subn(rb"\1" + CSRF_PLACEHOLDER + rb"\3", content)
    if not tokens and request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return None  # a token was used in a way this module cannot take out
    headers = {k: v for k, v in response.items() if k.lower() not in ("set-cookie", "vary")}
    return {
        "built_at": built_at,
        "versions": dict(versions),
        "status": response.status_code,
        "headers": headers,
        "content": content,
        "csrf": bool(tokens),
    }


def _cache_control_forbids(response: HttpResponse) -> bool:
    value = response.get("Cache-Control", "").lower()
    return any(word in value for word in ("private", "no-store", "no-cache"))


def _replay(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    content: bytes = entry["content"]
    if entry["csrf"]:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content, status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    response[HIT_HEADER] = "hit"
    return response
