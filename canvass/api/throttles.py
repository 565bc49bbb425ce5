"""Throttles for public endorsements: per client IP and per phone number, counted atomically
(the same shape as the public signup throttles, with their own buckets and rates)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from backend.api.throttling import AtomicRateThrottle
from backend.api.views import client_ip
from backend.errors import ApplicationError


class EndorsementIpThrottle(AtomicRateThrottle):
    """Public endorsements per client IP (rate: THROTTLE_ENDORSEMENT)."""

    scope = "endorsement"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        # REMOTE_ADDR only (set by the server or the trusted proxy), never X-Forwarded-For.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class EndorsementPhoneThrottle(AtomicRateThrottle):
    """Public endorsements per phone number, by its keyed hash (rate: THROTTLE_ENDORSEMENT_PHONE).
    A refused attempt counts too, which bounds how fast anyone can probe numbers."""

    scope = "endorsement_phone"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        from events.services.volunteers import phone_normalize

        raw = request.data.get("phone") if hasattr(request.data, "get") else None
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            phone = phone_normalize(raw)
        except ApplicationError:
            return None  # the view answers 400 for it
        return self.cache_format % {"scope": self.scope, "ident": phone.hash}
