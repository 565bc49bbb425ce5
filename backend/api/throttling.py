"""Throttles that hold under concurrency: one atomic counter increment per request.

DRF's SimpleRateThrottle reads a list of timestamps from the cache, checks it and writes it back,
so requests arriving together on several workers all read the same list and all pass (23 of 30
simultaneous signups got through a 20/hour limit). Here each request is one atomic increment of
a counter for the current fixed window (`window = now // duration`, aligned to the clock), so
exactly `num_requests` get through per window whatever the concurrency. With Redis down the
counter reads 0 and requests pass (backend/api/cache.py): a cache outage must not stop signups.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework import throttling
from rest_framework.request import Request

from backend.api.cache import counter_hit
from backend.errors import ApplicationError
from backend.phones import phone_normalize


class AtomicRateThrottleMixin:
    """Replaces SimpleRateThrottle's read-check-write with one atomic counter per window."""

    cache: Any
    rate: str | None
    num_requests: int
    duration: int
    timer: Any

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)  # type: ignore[attr-defined]
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self._seconds_left = (window + 1) * self.duration - now
        # A refused request counts too: hammering does not earn a fresh window, and the window's
        # end (when the key expires) does not move.
        count = counter_hit(self.cache, f"{key}:{window}", self.duration + 1)
        return count <= self.num_requests

    def wait(self) -> float | None:
        return max(1, math.ceil(self._seconds_left))


class AtomicRateThrottle(AtomicRateThrottleMixin, throttling.SimpleRateThrottle):
    """Base for the project's scoped throttles (subclasses set `scope` and `get_cache_key`)."""


class AnonRateThrottle(AtomicRateThrottleMixin, throttling.AnonRateThrottle):
    """DRF's anonymous throttle (rate: THROTTLE_ANON), counted atomically."""


class UserRateThrottle(AtomicRateThrottleMixin, throttling.UserRateThrottle):
    """DRF's per-user throttle (rate: THROTTLE_USER), counted atomically."""


class ClientIpThrottle(AtomicRateThrottle):
    """Requests per client IP; subclasses name the `scope` (and so the rate setting)."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        from backend.api.views import client_ip  # the views module reads DRF's settings

        # REMOTE_ADDR only (set by the server or the trusted proxy), never X-Forwarded-For,
        # which a client could vary to get a fresh bucket for every request.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class PhoneNumberThrottle(AtomicRateThrottle):
    """Requests per phone number in the body's `phone`, keyed by its keyed hash. A refused
    attempt counts too, which bounds how fast anyone can probe numbers. A missing or malformed
    number is not throttled here: the view answers 400 for it."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        raw = request.data.get("phone") if hasattr(request.data, "get") else None
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            phone = phone_normalize(raw)
        except ApplicationError:
            return None
        return self.cache_format % {"scope": self.scope, "ident": phone.hash}
