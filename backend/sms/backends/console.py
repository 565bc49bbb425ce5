from __future__ import annotations

import sys
import uuid

from backend.sms.backends.base import BaseSmsBackend, SendResult
from backend.sms.backends.twilio_webhooks import TwilioWebhooks


class SmsBackend(TwilioWebhooks, BaseSmsBackend):
    """Prints each message to stdout: the development default."""

    def send(self, *, to: str, body: str, message_id: str | None = None) -> SendResult:
        sys.stdout.write(f"--- SMS to {to} ---\n{body}\n---\n")
        sys.stdout.flush()
        return SendResult(provider_id=f"console-{uuid.uuid4().hex[:16]}", status="sent")
