"""A Redis cache that degrades instead of failing when Redis is down.

The cache only holds throttle counters and other disposable data. If Redis stops, requests must
keep working (a signup must still land, a canvasser must still sync): reads miss, writes are
dropped, and each failure is logged, like django-redis's IGNORE_EXCEPTIONS.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

try:  # redis-py is installed with celery[redis]
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError  # type: ignore[misc,assignment]

FAILURES = (RedisError, OSError)


# INCR and, if the key has no expiry yet, EXPIRE: one script, so Redis runs both as one step and
# no key can be left counting forever.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class ResilientRedisCache(RedisCache):
    def incr_with_expiry(self, key: Any, timeout: int, version: int | None = None) -> int:
        """Add one to a counter that expires `timeout` seconds after its first hit; the new
        count. Atomic across processes. 0 while Redis is down (the caller lets the request in)."""
        key = self.make_and_validate_key(key, version=version)
        try:
            client = self._cache.get_client(key, write=True)
            return int(client.eval(_HIT_SCRIPT, 1, key, int(timeout)))
        except FAILURES:
            return self._degrade("incr_with_expiry", 0)

    def _degrade(self, operation: str, default: Any) -> Any:
        logger.warning("cache unavailable (%s); continuing without it", operation)
        return default

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except FAILURES:
            return self._degrade("get", default)

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:  # type: ignore[override]
        try:
            super().set(key, value, timeout, version)
        except FAILURES:
            self._degrade("set", None)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:  # type: ignore[override]
        try:
            return super().add(key, value, timeout, version)
        except FAILURES:
            return self._degrade("add", False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except FAILURES:
            return self._degrade("delete", False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except FAILURES:
            return self._degrade("incr", delta)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except FAILURES:
            return self._degrade("get_many", {})

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> list[Any]:  # type: ignore[override]
        try:
            return super().set_many(data, timeout, version)
        except FAILURES:
            return self._degrade("set_many", [])

    def clear(self) -> None:
        try:
            super().clear()
        except FAILURES:
            self._degrade("clear", None)


def counter_hit(cache: BaseCache, key: str, timeout: int) -> int:
    """Count one hit on `key` atomically and return the count since the key was created; the key
    lives `timeout` seconds. Redis: one INCR script; other backends (locmem in tests and local
    runs, whose incr holds a lock): add-then-incr."""
    if isinstance(cache, ResilientRedisCache):
        return cache.incr_with_expiry(key, timeout)
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout)
        return 1
