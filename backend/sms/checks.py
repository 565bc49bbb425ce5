"""System checks: the twilio backend refuses to start without its credentials."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from backend.sms import backend_path


@register()
def twilio_settings_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if backend_path() != backend_path("twilio"):
        return []
    errors: list[CheckMessage] = []
    if not settings.TWILIO_AUTH_TOKEN:
        errors.append(
            Error(
                "SMS_BACKEND is twilio but TWILIO_AUTH_TOKEN is empty: texts cannot be sent and "
                "every webhook would be refused.",
                hint="Set TWILIO_AUTH_TOKEN (Twilio console, Account info).",
                id="sms.E001",
            )
        )
    if not settings.TWILIO_ACCOUNT_SID:
        errors.append(
            Error(
                "SMS_BACKEND is twilio but TWILIO_ACCOUNT_SID is empty.",
                hint="Set TWILIO_ACCOUNT_SID (starts with AC).",
                id="sms.E002",
            )
        )
    if not (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID):
        errors.append(
            Error(
                "SMS_BACKEND is twilio but neither TWILIO_FROM_NUMBER nor "
                "TWILIO_MESSAGING_SERVICE_SID is set.",
                hint="Set one of them to the sender Twilio should use.",
                id="sms.E003",
            )
        )
    return errors
