from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from backend.sms.backends.base import BaseSmsBackend, SendResult, wire_reached
from backend.sms.backends.twilio_webhooks import TwilioWebhooks


@dataclass(frozen=True)
class OutboxMessage:
    to: str
    body: str
    message_id: str | None
    provider_id: str


outbox: list[OutboxMessage] = []
# Calls placed: (to, url, status_callback, provider_id).
calls: list[tuple[str, str, str, str]] = []


class SmsBackend(TwilioWebhooks, BaseSmsBackend):
    """Keeps messages in the module-level `outbox` list: for tests."""

    def send(self, *, to: str, body: str, message_id: str | None = None) -> SendResult:
        provider_id = f"SM{uuid.uuid4().hex}"
        wire_reached(time.time())
        outbox.append(
            OutboxMessage(to=to, body=body, message_id=message_id, provider_id=provider_id)
        )
        return SendResult(provider_id=provider_id, status="sent")

    def call(self, *, to: str, url: str, status_callback: str) -> SendResult:
        provider_id = f"CA{uuid.uuid4().hex}"
        wire_reached(time.time())
        calls.append((to, url, status_callback, provider_id))
        return SendResult(provider_id=provider_id, status="queued")
