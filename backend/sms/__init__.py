"""Sending SMS through a pluggable backend chosen by settings.SMS_BACKEND (like Django's email).

Business code calls `send_sms()` and the backend's webhook methods, and never imports a vendor
SDK nor reads a vendor's codes: backends speak in `SmsError.reason`, `DeliveryReport` and
`InboundText`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from backend.sms.backends.base import (
    NUMBER_REASONS,
    BaseSmsBackend,
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    InboundText,
    SendResult,
    SmsError,
    on_wire,
)

__all__ = [
    "NUMBER_REASONS",
    "BaseSmsBackend",
    "DeliveryReport",
    "DeliveryStatus",
    "FailureReason",
    "InboundText",
    "SendResult",
    "SmsError",
    "get_backend",
    "on_wire",
    "send_sms",
    "sender_key",
    "webhook_signature_valid",
]

# Short aliases accepted in SMS_BACKEND besides a dotted path.
ALIASES = {
    "console": "backend.sms.backends.console.SmsBackend",
    "locmem": "backend.sms.backends.locmem.SmsBackend",
    "twilio": "backend.sms.backends.twilio.SmsBackend",
}


def backend_path(name: str | None = None) -> str:
    name = name or settings.SMS_BACKEND
    return ALIASES.get(name, name)


def get_backend(name: str | None = None) -> BaseSmsBackend:
    backend_class = import_string(backend_path(name))
    return backend_class()


def send_sms(
    *, to: str, body: str, message_id: str | None = None, backend: BaseSmsBackend | None = None
) -> SendResult:
    """Send one text; returns the provider's id and status or raises SmsError."""
    return (backend or get_backend()).send(to=to, body=body, message_id=message_id)


def sender_key() -> str:
    """Who sends, as the rate limiter counts it (one bucket per configured sender)."""
    return settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER or "default"


def webhook_signature_valid(*, url: str, params: object, signature: str) -> bool:
    """True when `signature` proves the provider POSTed `params` to `url` (see
    `BaseSmsBackend.webhook_signature_valid`); False when any of them is missing."""
    from backend.sms.backends.twilio_webhooks import signature_valid

    return signature_valid(url=url, params=params, signature=signature)
