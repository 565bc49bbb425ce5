"""A Redis cache that degrades instead of failing when Redis is down.

The cache only holds throttle counters and other disposable data. If Redis stops, requests must
keep working (a signup must still land, a canvasser must still sync): reads miss, writes are
dropped, and each failure is logged, like django-redis's IGNORE_EXCEPTIONS.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

try:  # redis-py is installed with celery[redis]
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError  # type: ignore[misc,assignment]

FAILURES = (RedisError, OSError)


class ResilientRedisCache(RedisCache):
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
