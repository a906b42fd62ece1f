"""Django's Redis cache, failing open while Redis cannot be reached.

The shared cache holds the limits (request throttles, the sign-in lockout's
counts) and the discovery catalog's table; nothing in it is the only copy of
anything. When Redis is down, Django's own backend raises on every call, so
every throttled request (the extension's included) would answer 500. This
one logs the outage and answers as an empty cache would: a read finds
nothing, a write is dropped, a count starts again. Limits therefore fail
open for the outage: people keep signing in and the extension keeps
reporting, rather than everyone being locked out because a cache is down.
A brute force during an outage is still slowed by password hashing and
bounded by the outage; the admin's login keeps django-axes' lockout, which
lives in the database. Once Redis answers again, the next call uses it:
nothing needs restarting.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)
# One warning per this many seconds per process, not one per request.
WARNING_INTERVAL_SECONDS = 30.0

T = TypeVar("T")


class FailOpenRedisCache(RedisCache):
    _warned_at = 0.0

    def _or(self, default: T, call: Callable[..., T], *args: Any) -> T:
        try:
            return call(*args)
        except UNREACHABLE as exc:
            now = time.monotonic()
            if now - FailOpenRedisCache._warned_at > WARNING_INTERVAL_SECONDS:
                FailOpenRedisCache._warned_at = now
                logger.warning(
                    "Redis cannot be reached (%s): limits fail open until it is back.",
                    type(exc).__name__,
                )
            return default

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._or(default, super().get, key, default, version)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._or({}, super().get_many, keys, version)

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._or(False, super().has_key, key, version)

    def add(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> bool:
        # As if the key were new: a count added now starts from its value.
        return self._or(True, super().add, key, value, timeout, version)

    def set(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> None:
        self._or(None, super().set, key, value, timeout, version)

    def set_many(
        self, data: Any, timeout: Any = None, version: Any = None
    ) -> list[Any]:
        return self._or([], super().set_many, data, timeout, version)

    def touch(self, key: Any, timeout: Any = None, version: Any = None) -> bool:
        return self._or(False, super().touch, key, timeout, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        return self._or(delta, super().incr, key, delta, version)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._or(False, super().delete, key, version)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._or(None, super().delete_many, keys, version)

    def clear(self) -> None:
        self._or(None, super().clear)
