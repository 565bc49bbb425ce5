"""Throttles for public endorsements: per client IP and per phone number, counted atomically
(the public signups' throttles, with their own buckets and rates)."""

from __future__ import annotations

from backend.api.throttling import ClientIpThrottle, PhoneNumberThrottle


class EndorsementIpThrottle(ClientIpThrottle):
    """Public endorsements per client IP (rate: THROTTLE_ENDORSEMENT)."""

    scope = "endorsement"


class EndorsementPhoneThrottle(PhoneNumberThrottle):
    """Public endorsements per phone number (rate: THROTTLE_ENDORSEMENT_PHONE)."""

    scope = "endorsement_phone"
