"""The Redis that tests may use: TEST_REDIS_URL, by default DB index 2 on 127.0.0.1."""

from __future__ import annotations

import os

import pytest

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def redis_url_or_skip() -> str:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5).ping()
    except (redis.RedisError, OSError):
        pytest.skip(f"needs Redis at {TEST_REDIS_URL} (TEST_REDIS_URL)")
    return TEST_REDIS_URL
