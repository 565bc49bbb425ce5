"""Twilio Programmable Messaging: the only module that imports the twilio package.

Errors are mapped to `SmsError` by what they say about Twilio having accepted the message:

- surely not accepted and worth retrying (HTTP 429 / error 20429, a 5xx answer, connection
  refused or a connect timeout): `SmsError(permanent=False, unknown=False)`;
- refused for good (21211 invalid number, 21610 unsubscribed, 30005 unknown number, 30006
  landline, any other 4xx): `permanent=True`, with the neutral `reason` for the codes that
  say the number cannot take texts;
- the request went out and no answer came back (read timeout, connection reset): `unknown=True`
  — the message may have been accepted, so the caller must not resend it blindly.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from backend.sms.backends.base import (
    BaseSmsBackend,
    FailureReason,
    SendResult,
    SmsError,
    wire_reached,
)
from backend.sms.backends.twilio_webhooks import ERROR_REASONS, TwilioWebhooks

TWILIO_API = "https://api.twilio.com"
# Codes that mean "this number will never take this message": never retried.
PERMANENT_CODES = {21211, 21610, 30005, 30006, 21614, 21612, 21408}
TRANSIENT_CODES = {20429}

# The SDK logs every request at INFO; its URLs and bodies are not personal, but keep its chatter
# (and anything it may add later, such as request bodies with phone numbers) out of our logs.
_quiet_logger = logging.getLogger("backend.sms.twilio_http")
_quiet_logger.setLevel(logging.WARNING)


class _Wired:
    """Says when a request has been written (`wire_reached`), before its answer is read."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)  # type: ignore[misc]
        wire_reached(time.time())


class _WiredHTTPConnection(_Wired, HTTPConnection):
    pass


class _WiredHTTPSConnection(_Wired, HTTPSConnection):
    pass


class _WiredHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WiredHTTPConnection


class _WiredHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WiredHTTPSConnection


class _WiredAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {  # type: ignore[assignment]
            "http": _WiredHTTPPool,
            "https": _WiredHTTPSPool,
        }


class _RebasedHttpClient(TwilioHttpClient):
    """The stock client, sending to TWILIO_API_BASE_URL instead of api.twilio.com (a fake Twilio
    on 127.0.0.1 in tests and benchmarks; unchanged in production), through connections that
    say when each request has left (the rate limiter's departure stamps, `on_wire`)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout, logger=_quiet_logger, max_retries=0)
        self.base_url = base_url.rstrip("/")
        assert self.session is not None
        pool = max(10, settings.SMS_DISPATCH_THREADS)
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, _WiredAdapter(max_retries=0, pool_maxsize=pool))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self.base_url != TWILIO_API and url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def status_callback_url(message_id: str) -> str:
    """Where Twilio reports delivery; our outbox id travels in it so a callback can settle a
    message whose send outcome we never learned."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/api/sms/status?{urlencode({'message': message_id})}"


def _classify(exc: Exception) -> SmsError:
    if isinstance(exc, TwilioRestException):
        code = int(exc.code) if exc.code else 0
        label = str(code or exc.status)
        message = f"Twilio answered {exc.status} (error {label})"
        if exc.status == 429 or code in TRANSIENT_CODES:
            return SmsError(message, code=label, reason=FailureReason.RATE_LIMITED)
        if exc.status >= 500:
            return SmsError(message, code=label)
        failure = ERROR_REASONS.get(label, FailureReason.OTHER)
        return SmsError(message, code=label, reason=failure, permanent=True)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return SmsError("Twilio did not accept the connection in time", code="connect_timeout")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return SmsError("No answer from Twilio after sending", code="timeout", unknown=True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(reason, NewConnectionError | ConnectTimeoutError):
            return SmsError("Could not connect to Twilio", code="connection_refused")
        return SmsError("Connection to Twilio dropped after sending", code="reset", unknown=True)
    if isinstance(exc, requests.exceptions.RequestException | TwilioException):
        return SmsError(f"Twilio request failed: {type(exc).__name__}", code="error", unknown=True)
    raise exc


class SmsBackend(TwilioWebhooks, BaseSmsBackend):
    """Sends through the Twilio REST API with the configured account, sender and callback."""

    def __init__(self) -> None:
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=_RebasedHttpClient(
                settings.TWILIO_API_BASE_URL, settings.TWILIO_TIMEOUT_SECONDS
            ),
        )

    def warm(self) -> None:
        # The client imports its REST resources on first use: ~50-150 ms, once per process.
        self.client.messages  # noqa: B018
        self.client.calls  # noqa: B018

    def send(self, *, to: str, body: str, message_id: str | None = None) -> SendResult:
        params: dict[str, Any] = {"to": to, "body": body}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            params["from_"] = settings.TWILIO_FROM_NUMBER
        if message_id is not None:
            params["status_callback"] = status_callback_url(message_id)
        try:
            message = self.client.messages.create(**params)
        except Exception as exc:
            raise _classify(exc) from exc
        return SendResult(provider_id=message.sid or "", status=message.status or "queued")

    def call(self, *, to: str, url: str, status_callback: str) -> SendResult:
        sender = settings.TWILIO_VOICE_FROM_NUMBER or settings.TWILIO_FROM_NUMBER
        try:
            call = self.client.calls.create(
                to=to, from_=sender, url=url, status_callback=status_callback
            )
        except Exception as exc:
            raise _classify(exc) from exc
        return SendResult(provider_id=call.sid or "", status=call.status or "queued")
