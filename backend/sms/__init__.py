"""Sending SMS through a pluggable backend chosen by settings.SMS_BACKEND (like Django's email).

Business code calls `send_sms()` and never imports a vendor SDK.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from backend.sms.backends.base import BaseSmsBackend, SendResult, SmsError

__all__ = ["BaseSmsBackend", "SendResult", "SmsError", "get_backend", "send_sms"]

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


def webhook_signature_valid(*, url: str, params: object, signature: str) -> bool:
    """True when `signature` (X-Twilio-Signature) matches `url` and the POSTed `params` under
    TWILIO_AUTH_TOKEN; False when any of them is missing.

    `params` is the form fields of a form-encoded request, or the raw body as text for any other
    body: then the URL must carry Twilio's `bodySHA256` and it must equal the body's SHA-256
    (checked in constant time by the validator), or the request is not valid."""
    if not (settings.TWILIO_AUTH_TOKEN and signature):
        return False
    if isinstance(params, str) and "bodySHA256" not in parse_qs(urlsplit(url).query):
        return False  # a raw body is only ever signed through its hash in the URL
    from backend.sms.backends.twilio import signature_valid

    return signature_valid(url=url, params=params, signature=signature)
