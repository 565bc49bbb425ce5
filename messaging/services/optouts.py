"""The opt-out list: numbers put on it (a keyword, a phrase, an organizer's reading, a provider
saying the number cannot take texts) and everything queued for them skipped."""

from __future__ import annotations

from django.utils import timezone

from backend.accounts.models import User
from backend.sms import FailureReason
from events.models import Volunteer
from messaging.models import (
    ConsentMethod,
    OptOutReason,
    ReviewStatus,
    SmsMessage,
    SmsOptOut,
    SmsReview,
    SmsStatus,
)
from messaging.services.consent import consent_record

# What a provider's refusal says about the number, as the opt-out list records it.
OPT_OUT_REASONS = {
    FailureReason.UNSUBSCRIBED: OptOutReason.UNSUBSCRIBED,
    FailureReason.INVALID_NUMBER: OptOutReason.INVALID_NUMBER,
    FailureReason.UNKNOWN_NUMBER: OptOutReason.UNKNOWN_NUMBER,
    FailureReason.LANDLINE: OptOutReason.LANDLINE,
}


def sms_number_mark(*, phone_hash: str, reason: str, keyword: str = "") -> bool:
    """Put a number on the opt-out list (only its keyed hash) and skip what is queued for it.
    True when the number was not on the list before (the unique row decides, under
    concurrency too)."""
    if not phone_hash:
        return False
    now = timezone.now()
    _, created = SmsOptOut.objects.update_or_create(
        phone_hash=phone_hash,
        defaults={"reason": reason, "keyword": keyword, "opted_out_at": now},
    )
    SmsMessage.objects.filter(phone_hash=phone_hash, status=SmsStatus.QUEUED).update(
        status=SmsStatus.SKIPPED, skip_reason="opted_out", updated_at=now
    )
    return created


def sms_number_mark_for(*, phone_hash: str, failure: FailureReason | None) -> bool:
    """Mark the number when the provider's `failure` says it cannot take texts; False (nothing
    done) for any other failure."""
    reason = OPT_OUT_REASONS.get(failure) if failure is not None else None
    if reason is None:
        return False
    return sms_number_mark(phone_hash=phone_hash, reason=reason)


def sms_opt_out_record(
    *,
    phone_hash: str,
    volunteer: Volunteer | None,
    reason: str,
    keyword: str,
    wording: str,
    actor: User | None = None,
) -> bool:
    """Opt the number out of everything (list, consent ledger, queued texts, pending reviews).
    True when it was not opted out before: only then is a confirmation due."""
    created = sms_number_mark(phone_hash=phone_hash, reason=reason, keyword=keyword[:20])
    if volunteer is not None:
        consent_record(
            volunteer=volunteer,
            granted=False,
            method=ConsentMethod.SMS,
            wording=wording[:200],
            actor=actor,
        )
    SmsReview.objects.filter(phone_hash=phone_hash, status=ReviewStatus.PENDING).update(
        status=ReviewStatus.OPTED_OUT, resolved_at=timezone.now(), resolved_by=actor
    )
    return created
