"""Throttles for public signups: per client IP and per phone number, counted atomically."""

from __future__ import annotations

from backend.api.throttling import ClientIpThrottle, PhoneNumberThrottle


class SignupIpThrottle(ClientIpThrottle):
    """Public signups per client IP (rate: THROTTLE_SIGNUP)."""

    scope = "signup"


class SignupPhoneThrottle(PhoneNumberThrottle):
    """Public signups per phone number (rate: THROTTLE_SIGNUP_PHONE)."""

    scope = "signup_phone"
