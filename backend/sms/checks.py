"""SMS settings are checked at start: a misconfigured setup stops the process at once.

`sms_settings_validate()` runs in the messaging app's `ready()`, so the web server (gunicorn loads
the WSGI application, which sets Django up), every management command (the `dispatch_sms`
dispatcher, `migrate`, `check`) and the Celery workers refuse to start with an unknown
`SMS_BACKEND` or a twilio backend without its credentials, naming the variable, instead of
failing at the first text. The system checks below report the same problems with ids.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from backend.sms import ALIASES, backend_path
from backend.sms.backends.base import BaseSmsBackend


def sms_settings_problems() -> list[tuple[str, str, str]]:
    """(check id, message, hint) for each problem of the SMS settings; empty when usable."""
    name = str(settings.SMS_BACKEND or "")
    path = backend_path(name) if name else ""
    try:
        backend_class = import_string(path) if path else None
    except ImportError:
        backend_class = None
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSmsBackend)):
        return [
            (
                "sms.E004",
                f"SMS_BACKEND={name!r} is not one of {', '.join(ALIASES)} nor the dotted path "
                "of an SMS backend class.",
                "Set SMS_BACKEND to console, locmem, twilio or a BaseSmsBackend subclass.",
            )
        ]
    if path != backend_path("twilio"):
        return []
    problems = []
    if not settings.TWILIO_AUTH_TOKEN:
        problems.append(
            (
                "sms.E001",
                "SMS_BACKEND is twilio but TWILIO_AUTH_TOKEN is empty: texts cannot be sent and "
                "every webhook would be refused.",
                "Set TWILIO_AUTH_TOKEN (Twilio console, Account info).",
            )
        )
    if not settings.TWILIO_ACCOUNT_SID:
        problems.append(
            (
                "sms.E002",
                "SMS_BACKEND is twilio but TWILIO_ACCOUNT_SID is empty.",
                "Set TWILIO_ACCOUNT_SID (starts with AC).",
            )
        )
    if not (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID):
        problems.append(
            (
                "sms.E003",
                "SMS_BACKEND is twilio but neither TWILIO_FROM_NUMBER nor "
                "TWILIO_MESSAGING_SERVICE_SID is set.",
                "Set one of them to the sender Twilio should use.",
            )
        )
    return problems


def sms_settings_validate() -> None:
    """Raise ImproperlyConfigured naming every misconfigured SMS variable."""
    problems = sms_settings_problems()
    if problems:
        raise ImproperlyConfigured(
            "SMS is misconfigured: "
            + " ".join(f"{message} ({hint})" for _, message, hint in problems)
        )


@register()
def twilio_settings_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [
        Error(message, hint=hint, id=check_id)
        for check_id, message, hint in sms_settings_problems()
    ]
