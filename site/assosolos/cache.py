"""Django's Redis cache, with one connection pool per process instead of one per request.

Django keeps a cache object per request context, and under ASGI every request runs
in a new context: with the stock backend each request builds its own connection pool
and opens a fresh connection to Redis (a TCP handshake and a greeting) for its first
cache read, then drops it. A page served from the cache costs little more than
those round trips, so this backend shares one client, and so one pool of open
connections, between every request of the process. redis-py's pool is thread-safe
and reopens its connections in a forked child.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property


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
