"""Every throttled route family answers 429 with Retry-After; the counters are atomic."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from backend.api.cache import ResilientRedisCache, counter_hit
from tests.redis import redis_url_or_skip

pytestmark = pytest.mark.django_db


def assert_retry_after(response, at_least: int = 1, at_most: int = 86_400) -> int:
    assert response.status_code == 429
    assert "Retry-After" in response.headers, dict(response.headers)
    seconds = int(response.headers["Retry-After"])
    assert at_least <= seconds <= at_most
    assert response.json()["error"]["retry_after_seconds"] == seconds
    return seconds


def test_the_login_throttle_says_when_to_retry(api_client, canvasser_a, settings):
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 1
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    body = {"username": "canvasser_a", "password": "x"}
    api_client.post("/api/auth/login", body)

    response = api_client.post("/api/auth/login", body)

    assert response.json()["error"]["code"] == "login_throttled"
    assert assert_retry_after(response) == 600


def test_the_password_change_throttle_says_when_to_retry(client_for, canvasser_a, settings):
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 1
    client = client_for(canvasser_a)
    body = {"current_password": "x", "new_password": "a-new-Pass-2026!"}
    client.post("/api/me/password", body)

    assert_retry_after(client.post("/api/me/password", body))


def test_the_anonymous_throttle_says_when_to_retry(api_client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})

    answers = [api_client.get("/api/public/events") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert_retry_after(answers[2], at_most=60)


def test_the_user_throttle_says_when_to_retry(client_for, canvasser_a, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    client = client_for(canvasser_a)

    answers = [client.get("/api/me") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert_retry_after(answers[2], at_most=60)


def test_a_throttle_window_ends_on_time(api_client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    start = timezone.now().replace(second=10, microsecond=0)

    with time_machine.travel(start, tick=False):
        first = [api_client.get("/api/public/events").status_code for _ in range(2)]
    with time_machine.travel(start.replace(second=59), tick=False):
        still = api_client.get("/api/public/events").status_code
    with time_machine.travel(start.replace(second=0) + timedelta(minutes=1), tick=False):
        later = api_client.get("/api/public/events").status_code

    assert (first, still, later) == ([200, 429], 429, 200)


def test_the_redis_counter_counts_every_hit_and_expires():
    cache = ResilientRedisCache(redis_url_or_skip(), {})
    key = f"test-counter-{uuid.uuid4()}"

    counts = [counter_hit(cache, key, 30) for _ in range(3)]
    client = cache._cache.get_client(cache.make_and_validate_key(key), write=True)
    ttl = client.ttl(cache.make_and_validate_key(key))
    cache.delete(key)

    assert counts == [1, 2, 3]
    assert 0 < ttl <= 30
