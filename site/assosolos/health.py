"""`/healthz`: whether each part the site needs answers, as JSON, for a monitor.

Parts, each checked with a short timeout:
- `database`: a `SELECT 1` on a connection from the pool (or a new one);
- `cache`: a PING to Redis, when REDIS_URL is set (cache, channel layer, task broker);
- `tasks`: the django-q2 cluster's scheduler. Every periodic task (payments reconciled
  every minute, holds expired…) has its next run in the `Schedule` table, which the
  cluster's scheduler moves on each time it queues it; a due run left waiting longer
  than `TASKS_LATE_SECONDS` means no cluster is scheduling (stopped, or its broker
  unreachable). That is the cluster's heartbeat as the database sees it, whichever
  broker it uses;
- what apps register (`health_check_register`): the drand relays, by the lottery app,
  when DRAND_URLS is set (not required: a draw that finds no relay waits and tries
  again, the rest of the site does not need them).

The answer is 200 when every required part is fine, else 503; each part says
`ok`, whether it is `required`, and how long it took. A part that failed names only the
kind of error (the server's log has the details): no address, secret or version.
Not kept by the page cache, not rate limited, not redirected to HTTPS
(SECURE_REDIRECT_EXEMPT). Use it for monitoring and alerts; a load balancer that took
every worker out of rotation on a 503 would turn a Redis outage, which the site
survives, into a full one (see docs/operations.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# Seconds one part may take to answer.
CHECK_TIMEOUT_SECONDS = 2.0
# A periodic task due this long ago and not yet queued: no cluster is scheduling.
TASKS_LATE_SECONDS = 180


@dataclass(frozen=True)
class HealthCheck:
    name: str
    # Returns a short detail (a number, a word) or raises when the part is not fine.
    run: Callable[[], object]
    required: bool = True
    # Whether the part is used at all here (checked on each request: settings may change).
    enabled: Callable[[], bool] = lambda: True


_registry: dict[str, HealthCheck] = {}


def health_check_register(check: HealthCheck) -> None:
    """Add (or replace) a part checked by /healthz; apps call it in `AppConfig.ready`."""
    _registry[check.name] = check


def database_check() -> object:
    connection = connections["default"]
    pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
    if pool is not None:
        # Straight from the pool, with our timeout rather than the pool's (seconds).
        pool.open()
        with pool.connection(timeout=CHECK_TIMEOUT_SECONDS) as conn:
            conn.execute("SELECT 1")
        return "pool"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "connection"


def cache_check() -> object:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ping"


class TasksLate(Exception):
    """A periodic task waits for a scheduler past its due time."""


def tasks_check() -> object:
    from django_q.models import Schedule

    oldest = (
        Schedule.objects.exclude(repeats=0)
        .order_by("next_run")
        .values_list("next_run", flat=True)
        .first()
    )
    if oldest is None:
        return "no schedule"
    late = (timezone.now() - oldest).total_seconds()
    if late > TASKS_LATE_SECONDS:
        raise TasksLate(f"a periodic task is {int(late)} s late")
    return f"on time ({max(0, int(late))} s late at most)"


def _checks() -> list[HealthCheck]:
    checks = [HealthCheck("database", database_check)]
    if settings.REDIS_URL:
        checks.append(HealthCheck("cache", cache_check))
    checks.append(HealthCheck("tasks", tasks_check))
    return checks + [check for check in _registry.values() if check.enabled()]


def health_report() -> tuple[bool, dict[str, dict]]:
    """Run every check; return whether all required ones passed, and each one's result."""
    results: dict[str, dict] = {}
    healthy = True
    for check in _checks():
        started = time.monotonic()
        try:
            detail = check.run()
            ok = True
        except Exception as exc:  # noqa: BLE001 - any failure of the part is its answer
            logger.warning("healthz: %s failed: %s: %s", check.name, type(exc).__name__, exc)
            detail, ok = type(exc).__name__, False
        results[check.name] = {
            "ok": ok,
            "required": check.required,
            "ms": round((time.monotonic() - started) * 1000),
            "detail" if ok else "error": str(detail),
        }
        healthy = healthy and (ok or not check.required)
    return healthy, results


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, results = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )
