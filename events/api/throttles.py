"""Throttles for public signups: per client IP and per phone number, counted atomically."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from backend.api.throttling import AtomicRateThrottle
from backend.api.views import client_ip
from backend.errors import ApplicationError


class SignupIpThrottle(AtomicRateThrottle):
    """Public signups per client IP (rate: THROTTLE_SIGNUP)."""

    scope = "signup"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        # REMOTE_ADDR only (set by the server or the trusted proxy), never X-Forwarded-For,
        # which a client could vary to get a fresh bucket for every request.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class SignupPhoneThrottle(AtomicRateThrottle):
    """Public signups per phone number, keyed by its keyed hash (rate: THROTTLE_SIGNUP_PHONE)."""

    scope = "signup_phone"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        from events.services.volunteers import phone_normalize

        raw = request.data.get("phone") if hasattr(request.data, "get") else None
        if not isinstance(raw, str):
            return None
        try:
            phone = phone_normalize(raw)
        except ApplicationError:
            return None  # the view answers 400 for it
        return self.cache_format % {"scope": self.scope, "ident": phone.hash}
