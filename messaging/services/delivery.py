"""Delivery status callbacks: the provider's word on a text we sent (after the webhook checked
its signature and the backend turned it into a `DeliveryReport`)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from backend.sms import DeliveryReport, DeliveryStatus, get_backend
from messaging.models import FINAL_STATUSES, SmsMessage, SmsStatus
from messaging.services.optouts import sms_number_mark_for

logger = logging.getLogger(__name__)

# The backend's neutral delivery status -> ours.
STATUSES = {
    DeliveryStatus.SENT: SmsStatus.SENT,
    DeliveryStatus.DELIVERED: SmsStatus.DELIVERED,
    DeliveryStatus.UNDELIVERED: SmsStatus.UNDELIVERED,
    DeliveryStatus.FAILED: SmsStatus.FAILED,
}
# Statuses a callback may move a message out of, per target: never backwards, finals final.
MOVABLE_FROM = {
    SmsStatus.SENT: (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN),
    SmsStatus.DELIVERED: (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN, SmsStatus.SENT),
    SmsStatus.UNDELIVERED: (
        SmsStatus.QUEUED,
        SmsStatus.SENDING,
        SmsStatus.UNKNOWN,
        SmsStatus.SENT,
    ),
    SmsStatus.FAILED: (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN, SmsStatus.SENT),
}


def sms_status_record(
    *,
    message_sid: str,
    provider_status: str,
    error_code: str = "",
    message_id: int | None = None,
) -> SmsMessage | None:
    """Apply one status callback given as the provider's own status word and error code."""
    report = get_backend().delivery_report(
        provider_id=message_sid, raw_status=provider_status, error_code=error_code
    )
    return sms_delivery_record(report=report, message_id=message_id)


def _locked_message(*, provider_id: str, message_id: int | None) -> SmsMessage | None:
    message = None
    if message_id is not None:
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is not None and message.provider_sid not in ("", provider_id):
            message = None  # our id with someone else's id: not ours to settle
    if message is None:
        message = SmsMessage.objects.select_for_update().filter(provider_sid=provider_id).first()
    return message


def sms_delivery_record(
    *, report: DeliveryReport, message_id: int | None = None
) -> SmsMessage | None:
    """Apply one delivery report. The message is found by our id (from the callback URL) or by
    the provider's id. Repeats and late arrivals change nothing; returns the message or None."""
    if not report.provider_id:  # every real callback names the message
        return None
    if report.status is None:
        return _unknown_status_record(report=report, message_id=message_id)
    status = STATUSES[report.status]
    with transaction.atomic():
        message = _locked_message(provider_id=report.provider_id, message_id=message_id)
        if message is None:
            return None
        changed: list[str] = ["provider_status"]
        message.provider_status = report.raw_status[:32]
        if not message.provider_sid:
            message.provider_sid = report.provider_id
            changed.append("provider_sid")
        if message.status in MOVABLE_FROM[status]:
            now = timezone.now()
            message.status = status
            message.claim_token, message.claimed_until = "", None
            changed += ["status", "claim_token", "claimed_until"]
            if message.sent_at is None:
                message.sent_at = now
                changed.append("sent_at")
            if status == SmsStatus.DELIVERED:
                message.delivered_at = now
                changed.append("delivered_at")
            if status in (SmsStatus.FAILED, SmsStatus.UNDELIVERED) and report.error_code:
                message.error_code = report.error_code[:40]
                changed.append("error_code")
        message.save(update_fields=[*changed, "updated_at"])
        if message.status in FINAL_STATUSES:
            sms_number_mark_for(phone_hash=message.phone_hash, failure=report.reason)
        return message


def _unknown_status_record(*, report: DeliveryReport, message_id: int | None) -> SmsMessage | None:
    """A status we do not know (providers add some now and then): the message's status, id and
    timestamps stay as they are; only the raw value is kept, for the record."""
    with transaction.atomic():
        message = _locked_message(provider_id=report.provider_id, message_id=message_id)
        if message is None:
            return None
        message.provider_status = report.raw_status[:32]
        message.save(update_fields=["provider_status", "updated_at"])
    logger.warning("sms %s: unknown provider status in a callback; status kept", message.pk)
    return message
