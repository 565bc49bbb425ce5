"""Sending the outbox: claim due rows, send each once, record what Twilio said.

Exactly-once, step by step:

1. **Claim** (one short transaction): due `queued` rows are locked with
   `SELECT ... FOR UPDATE SKIP LOCKED` (a second dispatcher skips them), checked (consent,
   opt-out, quiet hours, daily caps, the signup still being active), and the sendable ones get
   this batch's `claim_token` and a lease (`claimed_until`). They stay `queued`.
2. **Mark sending** (one conditional UPDATE per row, committed): `queued` + our token ->
   `sending`. From here a request may reach Twilio, so the row is never sent again on its own.
   A worker killed before this step leaves a `queued` row whose lease runs out: another
   dispatcher claims it (nothing lost).
3. **Send** outside any transaction, then **record** with a conditional UPDATE from `sending`.
   A worker killed between Twilio's acceptance and this UPDATE leaves the row `sending`;
   after SMS_SENDING_TIMEOUT_SECONDS the reconciler marks it `unknown` — never resent — and the
   status callback, which carries our id, settles it (nothing sent twice).

Transient errors go back to `queued` with exponential backoff and jitter until SMS_MAX_ATTEMPTS;
permanent errors fail the row at once (and put the number on the opt-out list when Twilio says
it cannot take texts); an unknown outcome becomes `unknown`.
"""

from __future__ import annotations

import logging
import random
import time as time_module
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from backend.db.locks import advisory_xact_lock
from backend.sms import BaseSmsBackend, SmsError, get_backend
from events.models import (
    ON_REQUEST_KINDS,
    EventStatus,
    OptOutReason,
    ReviewStatus,
    ShiftStatus,
    SignupStatus,
    SmsConsent,
    SmsKind,
    SmsMessage,
    SmsOptOut,
    SmsRateBucket,
    SmsReview,
    SmsStatus,
)
from events.services.sms_outbox import in_quiet_hours, next_local_morning, quiet_hours_end

logger = logging.getLogger(__name__)

# How often a text held for a pending review is looked at again.
REVIEW_HOLD_RECHECK_SECONDS = 300

# Twilio error codes that say the number cannot take our texts: never retried, number marked.
NUMBER_ERRORS = {
    "21610": OptOutReason.UNSUBSCRIBED,
    "21211": OptOutReason.INVALID_NUMBER,
    "30005": OptOutReason.UNKNOWN_NUMBER,
    "30006": OptOutReason.LANDLINE,
}
# pg_advisory_xact_lock key for the daily-cap bookkeeping of claims (any fixed number).
CAPS_LOCK_KEY = 0x534D53  # "SMS"
# Statuses that count towards the daily caps (a request went, or may have gone, out).
COUNTED_STATUSES = (
    SmsStatus.SENDING,
    SmsStatus.SENT,
    SmsStatus.DELIVERED,
    SmsStatus.UNDELIVERED,
    SmsStatus.UNKNOWN,
)


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    postponed: int = 0
    reconciled: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "unknown": self.unknown,
            "skipped": dict(self.skipped),
            "postponed": self.postponed,
            "reconciled": self.reconciled,
        }


def sender_key() -> str:
    return settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER or "default"


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter: half fixed, half random, capped."""
    ceiling = min(
        settings.SMS_RETRY_MAX_SECONDS, settings.SMS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not security


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


def held_numbers(hashes: set[str]) -> set[str]:
    """The numbers among `hashes` with a reply waiting for an organizer's review."""
    return set(
        SmsReview.objects.filter(phone_hash__in=hashes, status=ReviewStatus.PENDING).values_list(
            "phone_hash", flat=True
        )
    )


# --- Rate limit -----------------------------------------------------------------------------


def rate_limit_wait(*, sender: str, now: datetime | None = None) -> float:
    """Take one token from the sender's bucket; returns 0 when taken, else seconds to wait.

    The bucket is a PostgreSQL row locked for the few microseconds of the update, so every
    dispatcher process shares it; no Redis needed (and none to be down).
    """
    rate = settings.SMS_RATE_PER_SECOND
    if rate <= 0:
        return 0.0
    capacity = max(1.0, rate)
    now = now or timezone.now()
    SmsRateBucket.objects.get_or_create(
        sender=sender, defaults={"tokens": capacity, "refilled_at": now}
    )
    with transaction.atomic():
        bucket = SmsRateBucket.objects.select_for_update().get(sender=sender)
        elapsed = max(0.0, (now - bucket.refilled_at).total_seconds())
        tokens = min(capacity, bucket.tokens + elapsed * rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / rate
        bucket.tokens, bucket.refilled_at = tokens, now
        bucket.save(update_fields=["tokens", "refilled_at"])
        return wait


def _rate_limit(sender: str) -> None:
    while True:
        wait = rate_limit_wait(sender=sender)
        if wait <= 0:
            return
        time_module.sleep(wait)


# --- Claim ----------------------------------------------------------------------------------


def sms_reconcile_stale(*, now: datetime | None = None) -> int:
    """Rows left `sending` too long (their worker died mid-send) become `unknown`, not resent."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SMS_SENDING_TIMEOUT_SECONDS)
    return SmsMessage.objects.filter(
        status=SmsStatus.SENDING, sending_started_at__lt=cutoff
    ).update(
        status=SmsStatus.UNKNOWN,
        error_code="no_result",
        error_message="The worker stopped before recording Twilio's answer.",
        claim_token="",
        claimed_until=None,
        updated_at=now,
    )


def _skip_reason(message: SmsMessage, now: datetime) -> str:
    """Why a signup-related text is no longer useful, or ''."""
    signup = message.signup
    if message.kind in ON_REQUEST_KINDS:
        return ""
    if signup is None:
        return "signup_removed" if message.kind != SmsKind.EVENT_CHANGED else ""
    shift = signup.shift
    event = shift.event
    if message.kind == SmsKind.EVENT_CANCELLED:
        return ""
    if event.status == EventStatus.CANCELLED or shift.status == ShiftStatus.CANCELLED:
        return "event_cancelled"
    if message.kind == SmsKind.WAITLISTED:
        return "" if signup.status == SignupStatus.WAITLISTED else "no_longer_waitlisted"
    if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
        return "signup_cancelled" if signup.status == SignupStatus.CANCELLED else "signup_closed"
    if message.kind in (SmsKind.REMINDER, SmsKind.EVENT_CHANGED) and shift.starts_at <= now:
        return "shift_started"
    if message.kind == SmsKind.REMINDER and signup.status != SignupStatus.CONFIRMED:
        return "signup_not_confirmed"
    return ""


def _claim(
    batch_size: int, now: datetime, token: str, report: DispatchReport
) -> list[SmsMessage] | None:
    """Lock due rows, skip or postpone what must not go now, claim the rest (None: none due)."""
    with transaction.atomic():
        rows = list(
            SmsMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=SmsStatus.QUEUED, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .select_related("signup__shift__event", "event")
            .order_by("next_attempt_at", "id")[:batch_size]
        )
        if not rows:
            return None
        hashes = {row.phone_hash for row in rows}
        opted_out = set(
            SmsOptOut.objects.filter(phone_hash__in=hashes).values_list("phone_hash", flat=True)
        )
        held = held_numbers(hashes)
        consent: dict[int, bool] = {}
        for volunteer_id, granted in (
            SmsConsent.objects.filter(volunteer_id__in={r.volunteer_id for r in rows})
            .order_by("volunteer_id", "-recorded_at", "-id")
            .values_list("volunteer_id", "granted")
        ):
            consent.setdefault(volunteer_id, granted)
        # Claims take turns on the caps (a transaction-scoped advisory lock, held for the few
        # milliseconds of a claim, never during sends), so two dispatchers cannot both spend
        # the last text of a cap.
        advisory_xact_lock(CAPS_LOCK_KEY)
        # Spent: sent (or possibly sent) in the last 24 h, plus claimed by a live dispatcher.
        spent = Q(status__in=COUNTED_STATUSES, sending_started_at__gte=now - timedelta(days=1)) | Q(
            status=SmsStatus.QUEUED, claimed_until__gte=now
        )
        per_phone = dict(
            SmsMessage.objects.filter(spent, phone_hash__in=hashes)
            .values_list("phone_hash")
            .annotate(n=Count("id"))
            .values_list("phone_hash", "n")
        )
        organization = SmsMessage.objects.filter(spent).count()
        claimed: list[SmsMessage] = []
        for row in rows:
            time_zone = row.event.time_zone if row.event is not None else settings.TIME_ZONE
            reason = ""
            # The opt-out confirmation is the one text that goes to an opted-out number.
            confirmation = row.kind == SmsKind.OPT_OUT_CONFIRMATION
            if row.phone_hash in held and not confirmation:
                # A reply that might mean "stop" waits for an organizer: late, not lost.
                _postpone(row, now + timedelta(seconds=REVIEW_HOLD_RECHECK_SECONDS), report)
                continue
            if row.phone_hash in opted_out and not confirmation:
                reason = "opted_out"
            elif row.kind not in ON_REQUEST_KINDS and not consent.get(row.volunteer_id or 0, False):
                reason = "no_consent"
            elif not row.phone:
                reason = "no_phone"
            else:
                reason = _skip_reason(row, now)
            if not reason and row.kind not in ON_REQUEST_KINDS and in_quiet_hours(now, time_zone):
                resume = quiet_hours_end(now, time_zone)
                starts_at = row.signup.shift.starts_at if row.signup is not None else None
                if row.kind == SmsKind.REMINDER and starts_at is not None and starts_at <= resume:
                    reason = "quiet_hours"
                else:
                    _postpone(row, resume, report)
                    continue
            if (
                not reason
                and not confirmation
                and per_phone.get(row.phone_hash, 0) >= (settings.SMS_DAILY_CAP_PER_VOLUNTEER)
            ):
                reason = "daily_cap_volunteer"
            if reason:
                row.status, row.skip_reason = SmsStatus.SKIPPED, reason
                row.save(update_fields=["status", "skip_reason", "updated_at"])
                report.skipped[reason] += 1
                continue
            if organization >= settings.SMS_DAILY_CAP_ORGANIZATION:
                # Late, not never: the bill is protected and tomorrow's budget sends it.
                _postpone(row, next_local_morning(now, time_zone), report)
                continue
            per_phone[row.phone_hash] = per_phone.get(row.phone_hash, 0) + 1
            organization += 1
            claimed.append(row)
        SmsMessage.objects.filter(pk__in=[row.pk for row in claimed]).update(
            claim_token=token,
            claimed_until=now + timedelta(seconds=settings.SMS_CLAIM_LEASE_SECONDS),
        )
        report.claimed += len(claimed)
        return claimed


def _postpone(row: SmsMessage, until: datetime, report: DispatchReport) -> None:
    row.next_attempt_at = until
    row.save(update_fields=["next_attempt_at", "updated_at"])
    report.postponed += 1


# --- Send and record ------------------------------------------------------------------------


def _send_one(
    message: SmsMessage, token: str, backend: BaseSmsBackend, report: DispatchReport
) -> None:
    message_id = message.pk
    _rate_limit(sender_key())
    now = timezone.now()
    marked = SmsMessage.objects.filter(
        pk=message_id, claim_token=token, status=SmsStatus.QUEUED
    ).update(
        status=SmsStatus.SENDING,
        attempts=F("attempts") + 1,
        sending_started_at=now,
        updated_at=now,
    )
    if not marked:  # our lease ran out and another dispatcher took it
        return
    message.attempts += 1  # as the UPDATE above did; the row was ours since the claim
    try:
        result = backend.send(to=message.phone, body=message.body, message_id=str(message_id))
    except SmsError as error:
        _record_error(message, error, report)
        return
    except Exception:
        logger.exception("sms %s: unexpected error while sending", message_id)
        _record_error(
            message, SmsError("Unexpected error while sending", code="error", unknown=True), report
        )
        return
    done = timezone.now()
    updated = SmsMessage.objects.filter(pk=message_id, status=SmsStatus.SENDING).update(
        status=SmsStatus.SENT,
        provider_sid=result.provider_id,
        sent_at=done,
        error_code="",
        error_message="",
        claim_token="",
        claimed_until=None,
        updated_at=done,
    )
    if not updated:
        # Twilio's status callback got here first (it carries our id): keep its status.
        SmsMessage.objects.filter(pk=message_id, provider_sid="").update(
            provider_sid=result.provider_id, sent_at=done
        )
    report.sent += 1
    logger.info("sms %s sent (%s)", message_id, result.provider_id)


def _record_error(message: SmsMessage, error: SmsError, report: DispatchReport) -> None:
    now = timezone.now()
    fields: dict[str, object] = {
        "error_code": error.code[:40],
        "error_message": str(error)[:300],
        "claim_token": "",
        "claimed_until": None,
        "updated_at": now,
    }
    if error.unknown:
        fields["status"] = SmsStatus.UNKNOWN
        report.unknown += 1
        outcome = "unknown"
    elif error.permanent or message.attempts >= settings.SMS_MAX_ATTEMPTS:
        fields["status"] = SmsStatus.FAILED
        report.failed += 1
        outcome = "failed"
    else:
        fields["status"] = SmsStatus.QUEUED
        fields["next_attempt_at"] = now + timedelta(seconds=retry_delay(message.attempts))
        report.retried += 1
        outcome = "retry"
    with transaction.atomic():
        SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(**fields)
        if error.permanent and error.code in NUMBER_ERRORS:
            sms_number_mark(phone_hash=message.phone_hash, reason=NUMBER_ERRORS[error.code])
    logger.warning(
        "sms %s: %s (%s, code %s)", message.pk, outcome, type(error).__name__, error.code
    )


def sms_dispatch_due(
    *,
    batch_size: int | None = None,
    now: datetime | None = None,
    backend: BaseSmsBackend | None = None,
    max_batches: int = 1,
) -> DispatchReport:
    """Send what is due now: up to `max_batches` claims of `batch_size` rows each.

    Safe to run from any number of processes at once; each row is sent at most once.
    """
    report = DispatchReport()
    backend = backend or get_backend()
    batch_size = batch_size or settings.SMS_DISPATCH_BATCH_SIZE
    report.reconciled = sms_reconcile_stale(now=now)
    for _ in range(max_batches):
        token = uuid.uuid4().hex
        claimed = _claim(batch_size, now or timezone.now(), token, report)
        if claimed is None:
            break
        for message in claimed:
            _send_one(message, token, backend, report)
    return report


def sms_send_now(
    *,
    kind: str,
    phone: str,
    phone_hash: str,
    body: str,
    stored_body: str,
    volunteer_id: int | None = None,
    language: str = "en",
) -> SmsMessage:
    """Send one on-request text at once (a one-time code), outside the queue, and keep a row of
    it for the record with `stored_body` (the code blanked) instead of what was sent.

    Never sent to an opted-out number (the row is `skipped`). Errors are recorded on the row
    and not raised: the caller answers the same whether the text left or not.
    """
    now = timezone.now()
    opted_out = SmsOptOut.objects.filter(phone_hash=phone_hash).exists()
    held = bool(held_numbers({phone_hash}))
    message = SmsMessage.objects.create(
        volunteer_id=volunteer_id,
        phone=phone,
        phone_hash=phone_hash,
        body=stored_body,
        kind=kind,
        language=language,
        send_after=now,
        next_attempt_at=now,
        status=SmsStatus.SKIPPED if opted_out or held else SmsStatus.SENDING,
        skip_reason="opted_out" if opted_out else "held_for_review" if held else "",
        attempts=0 if opted_out or held else 1,
        sending_started_at=None if opted_out or held else now,
    )
    if opted_out or held:
        return message
    _rate_limit(sender_key())
    try:
        result = get_backend().send(to=phone, body=body, message_id=str(message.pk))
    except SmsError as error:
        _record_error(message, error, DispatchReport())
        message.refresh_from_db()
        if message.status == SmsStatus.QUEUED:
            # A code is only useful now: never retried later by the dispatcher.
            SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.FAILED)
        return message
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        status=SmsStatus.SENT, provider_sid=result.provider_id, sent_at=timezone.now()
    )
    logger.info("sms %s sent now (%s)", message.pk, result.provider_id)
    return message
