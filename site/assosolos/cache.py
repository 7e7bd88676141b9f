"""Django's Redis cache, with one connection pool per process instead of one per request,
and that lets the site stay up when Redis is away.

Django keeps a cache object per request context, and under ASGI every request runs
in a new context: with the stock backend each request builds its own connection pool
and opens a fresh connection to Redis (a TCP handshake and a greeting) for its first
cache read, then drops it. A page served from the cache costs little more than
those round trips, so this backend shares one client, and so one pool of open
connections, between every request of the process. redis-py's pool is thread-safe
and reopens its connections in a forked child.

When Redis cannot be reached (refused, timed out: the settings give short connect
and read timeouts), the cache behaves as an empty cache that forgets every write:
a read misses, `add()` succeeds (nothing holds the key), `incr()` finds no counter.
A warning is logged once per outage, and for `RETRY_SECONDS` after a failure every
call fails at once instead of waiting for another timeout. Pages then come from the
database, slower but up. What must not go ahead without the cache (a rate limit that
protects logins or purchases) runs inside `cache_required()`, where the same failure
raises `CacheUnavailable` instead (the site answers 503, see `assosolos.unavailable`).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Seconds after a failure during which calls fail at once, without reaching Redis.
RETRY_SECONDS = 2.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CacheUnavailable(Exception):
    """The shared cache cannot be reached, inside `cache_required()`."""


_required: contextvars.ContextVar[bool] = contextvars.ContextVar("cache_required", default=False)


@contextlib.contextmanager
def cache_required() -> Iterator[None]:
    """Within this block, a cache that cannot be reached raises `CacheUnavailable`."""
    token = _required.set(True)
    try:
        yield
    finally:
        _required.reset(token)


class _SharedClient(RedisCacheClient):
    """Also keeps the redis-py client of each pool: building one per operation (as the
    stock client does) costs more than a round trip to a local Redis."""

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_redis_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


_clients: dict[tuple[str, ...], RedisCacheClient] = {}
_clients_lock = threading.Lock()


class PooledRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (*self._servers, repr(sorted(self._options.items())))
        client = _clients.get(key)
        if client is None:
            with _clients_lock:
                client = _clients.get(key)
                if client is None:
                    client = _clients[key] = self._class(self._servers, **self._options)
        return client

    def close(self, **kwargs: Any) -> None:
        """Keep the shared connections open when a request ends."""


class _Outage:
    """When this process last failed to reach Redis, shared by its cache objects."""

    def __init__(self) -> None:
        self.until = 0.0
        self.warned = False


_outages: dict[tuple[str, ...], _Outage] = {}


class ResilientRedisCache(PooledRedisCache):
    """The pooled Redis cache that misses, instead of failing, while Redis is away."""

    @cached_property
    def _outage(self) -> _Outage:
        return _outages.setdefault(tuple(self._servers), _Outage())

    def _call(self, name: str, fallback: Any, call: Callable[[], Any]) -> Any:
        outage = self._outage
        if time.monotonic() < outage.until:
            return self._unreachable(name, fallback, None)
        try:
            result = call()
        except UNREACHABLE as exc:
            outage.until = time.monotonic() + RETRY_SECONDS
            if not outage.warned:
                outage.warned = True
                logger.warning("cache: Redis unreachable (%s: %s); serving without it", name, exc)
            return self._unreachable(name, fallback, exc)
        if outage.warned:
            outage.warned = False
            logger.warning("cache: Redis reachable again")
        return result

    def _unreachable(self, name: str, fallback: Any, exc: BaseException | None) -> Any:
        if _required.get():
            raise CacheUnavailable(f"the cache is unreachable ({name})") from exc
        if isinstance(fallback, type) and issubclass(fallback, Exception):
            raise fallback(f"no such key while the cache is unreachable ({name})")
        return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Nothing holds the key: the caller goes ahead as the first one.
        return self._call(
            "add", True, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version)
        )

    def get(self, key, default=None, version=None):
        return self._call(
            "get", default, lambda: super(ResilientRedisCache, self).get(key, default, version)
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "set", None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "touch", False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key, version=None):
        return self._call(
            "delete", False, lambda: super(ResilientRedisCache, self).delete(key, version)
        )

    def get_many(self, keys, version=None):
        return self._call(
            "get_many", {}, lambda: super(ResilientRedisCache, self).get_many(keys, version)
        )

    def has_key(self, key, version=None):
        return self._call(
            "has_key", False, lambda: super(ResilientRedisCache, self).has_key(key, version)
        )

    def incr(self, key, delta=1, version=None):
        # Django raises ValueError for a counter that does not exist: none does now.
        return self._call(
            "incr", ValueError, lambda: super(ResilientRedisCache, self).incr(key, delta, version)
        )

    def count(self, key, *, timeout: int, version=None) -> int:
        """Add one to a counter that lives `timeout` seconds from its first count; the new
        value. One round trip (`incr()` takes two, and a missing key a third to create it).

        While Redis is away, every count is the first one (as `add()` succeeds then).
        """
        redis_key = self.make_and_validate_key(key, version=version)

        def call() -> int:
            pipe = self._cache.get_client(redis_key, write=True).pipeline(transaction=False)
            # Created with its expiry only if missing, then counted: any Redis version.
            pipe.set(redis_key, 0, ex=timeout, nx=True)
            pipe.incr(redis_key)
            return int(pipe.execute()[1])

        return self._call("count", 1, call)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "set_many",
            [],
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
        )

    def delete_many(self, keys, version=None):
        return self._call(
            "delete_many",
            None,
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
        )

    def clear(self):
        return self._call("clear", False, lambda: super(ResilientRedisCache, self).clear())
