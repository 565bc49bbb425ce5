"""Twilio's webhooks: the X-Twilio-Signature check and the fields of inbound messages and status
callbacks, turned into neutral records.

Every backend uses this format: the console and locmem backends too, so a development or test
setup answers the same webhooks (signed with TWILIO_AUTH_TOKEN) as production.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from backend.sms.backends.base import (
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    InboundText,
)

# Twilio error codes that say why a number cannot take texts.
ERROR_REASONS: dict[str, FailureReason] = {
    "21211": FailureReason.INVALID_NUMBER,
    "21610": FailureReason.UNSUBSCRIBED,
    "30005": FailureReason.UNKNOWN_NUMBER,
    "30006": FailureReason.LANDLINE,
}

# Twilio's MessageStatus -> ours. Everything before "sent" means Twilio has the message.
STATUSES = {
    "accepted": DeliveryStatus.SENT,
    "scheduled": DeliveryStatus.SENT,
    "queued": DeliveryStatus.SENT,
    "sending": DeliveryStatus.SENT,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "partially_delivered": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}


def signature_valid(*, url: str, params: object, signature: str) -> bool:
    """True when `signature` (X-Twilio-Signature) matches `url` and the POSTed `params` under
    TWILIO_AUTH_TOKEN; False when any of them is missing.

    `params` is the form fields of a form-encoded request, or the raw body as text for any other
    body: then the URL must carry Twilio's `bodySHA256` and it must equal the body's SHA-256
    (checked in constant time by the validator), or the request is not valid."""
    if not (settings.TWILIO_AUTH_TOKEN and signature):
        return False
    if isinstance(params, str) and "bodySHA256" not in parse_qs(urlsplit(url).query):
        return False  # a raw body is only ever signed through its hash in the URL
    from twilio.request_validator import RequestValidator

    return bool(RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature))


class TwilioWebhooks:
    """The webhook half of a backend (mixed into every backend class)."""

    def webhook_signature(self, headers: Mapping[str, str]) -> str:
        return headers.get("X-Twilio-Signature", "")

    def webhook_signature_valid(self, *, url: str, params: object, signature: str) -> bool:
        return signature_valid(url=url, params=params, signature=signature)

    def inbound_parse(self, fields: Mapping[str, str]) -> InboundText:
        return InboundText(
            provider_id=fields["MessageSid"], sender=fields["From"], body=fields.get("Body", "")
        )

    def status_parse(self, fields: Mapping[str, str]) -> DeliveryReport:
        return self.delivery_report(
            provider_id=fields["MessageSid"],
            raw_status=fields["MessageStatus"],
            error_code=fields.get("ErrorCode", ""),
        )

    def delivery_report(
        self, *, provider_id: str, raw_status: str, error_code: str = ""
    ) -> DeliveryReport:
        return DeliveryReport(
            provider_id=provider_id,
            status=STATUSES.get(raw_status),
            raw_status=raw_status,
            error_code=error_code,
            reason=ERROR_REASONS.get(error_code),
        )
