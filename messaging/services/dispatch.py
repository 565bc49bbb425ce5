"""Sending the outbox: claim due rows, send each once, record what the provider said.

Exactly-once, step by step:

1. **Claim** (one short transaction): due `queued` rows are locked with
   `SELECT ... FOR UPDATE SKIP LOCKED` (a second dispatcher skips them), asked `sendability`
   (held numbers, opt-out, consent, the signup still being useful, quiet hours, daily caps),
   and the sendable ones get this batch's `claim_token` and a lease (`claimed_until`). They stay
   `queued`.
2. **Mark sending** (one conditional UPDATE per row, committed): `queued` + our token ->
   `sending`. From here a request may reach the provider, so the row is never sent again on its
   own. A worker killed before this step leaves a `queued` row whose lease runs out: another
   dispatcher claims it (nothing lost).
3. **Send** outside any transaction, then **record** with a conditional UPDATE from `sending`.
   A worker killed between the provider's acceptance and this UPDATE leaves the row `sending`;
   after SMS_SENDING_TIMEOUT_SECONDS the reconciler marks it `unknown` — never resent — and the
   status callback, which carries our id, settles it (nothing sent twice).

Sending is concurrent: a claimed batch is sent by up to SMS_DISPATCH_THREADS worker threads
(each with its own database connection), every send still taking a token from the shared rate
bucket first, so the provider never gets more than SMS_RATE_PER_SECOND in any one-second window
and each row still goes through the one conditional `queued` -> `sending` UPDATE. Threads pay
off because a send mostly waits on the provider (100-300 ms): one thread alone cannot reach 10
texts a second. A dispatcher called inside an open transaction (tests) sends on its own
connection, one at a time: other connections could not see its uncommitted rows.

Claims take safety texts (`SAFETY_KINDS`: an incident broadcast, a missed check-in) before
anything else due, so a freeze is never queued behind a batch of reminders.

Transient errors go back to `queued` with exponential backoff and jitter until SMS_MAX_ATTEMPTS;
permanent errors fail the row at once (and put the number on the opt-out list when the provider
says it cannot take texts); an unknown outcome becomes `unknown`.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from backend.audit.services import audit_record
from backend.db.locks import advisory_xact_lock
from backend.sms import BaseSmsBackend, SmsError, get_backend, sender_key
from events.selectors.sensitive import address_text
from messaging.models import SAFETY_KINDS, SmsKind, SmsMessage, SmsStatus
from messaging.services.forecast import sms_due_bulk_split
from messaging.services.optouts import sms_number_mark_for
from messaging.services.rates import departure, rate_limit_slot, rate_limited
from messaging.services.sendability import Decision, send_facts, sendability
from messaging.services.voice import voice_call_place, voice_wanted
from messaging.templates import address_release_body

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key for the daily-cap bookkeeping of claims (any fixed number).
CAPS_LOCK_KEY = 0x534D53  # "SMS"


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

    def add(self, other: DispatchReport) -> None:
        """Fold in what one sending thread counted."""
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.unknown += other.unknown

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


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter: half fixed, half random, capped."""
    ceiling = min(
        settings.SMS_RETRY_MAX_SECONDS, settings.SMS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not security


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
        error_message="The worker stopped before recording the provider's answer.",
        claim_token="",
        claimed_until=None,
        updated_at=now,
    )


# Safety texts first (0), then everything else (1), each oldest due first.
_SAFETY_FIRST = Case(
    When(kind__in=SAFETY_KINDS, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def _claim(
    batch_size: int, now: datetime, token: str, report: DispatchReport
) -> list[SmsMessage] | None:
    """Lock due rows, skip or postpone what must not go now, claim the rest (None: none due)."""
    with transaction.atomic():
        rows = list(
            SmsMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=SmsStatus.QUEUED, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .select_related("signup__shift__event__location", "signup__volunteer", "event")
            .order_by(_SAFETY_FIRST, "next_attempt_at", "id")[:batch_size]
        )
        if not rows:
            return None
        # Claims take turns on the caps (a transaction-scoped advisory lock, held for the few
        # milliseconds of a claim, never during sends), so two dispatchers cannot both spend
        # the last text of a cap.
        advisory_xact_lock(CAPS_LOCK_KEY)
        facts = send_facts(rows, now=now, with_caps=True)
        claimed: list[SmsMessage] = []
        for row in rows:
            verdict = sendability(row, now, facts)
            if verdict.decision == Decision.WAIT and verdict.until is not None:
                _postpone(row, verdict.until, report)
                continue
            if verdict.decision == Decision.SKIP:
                row.status, row.skip_reason = SmsStatus.SKIPPED, verdict.reason
                row.save(update_fields=["status", "skip_reason", "updated_at"])
                report.skipped[verdict.reason] += 1
                continue
            facts.take(row)
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
    rate_limit_slot(sender_key())
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
    voice = voice_wanted(message)  # a reminder call (docs/voice.md)
    body = "" if voice else _body_to_send(message)
    try:
        with departure(sender_key()):
            if voice:
                result = voice_call_place(message, backend)
            else:
                result = backend.send(to=message.phone, body=body, message_id=str(message_id))
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
        # The provider's status callback got here first (it carries our id): keep its status.
        SmsMessage.objects.filter(pk=message_id, provider_sid="").update(
            provider_sid=result.provider_id, sent_at=done
        )
    report.sent += 1
    logger.info("sms %s sent (%s)", message_id, result.provider_id)


def _body_to_send(message: SmsMessage) -> str:
    """What leaves: the stored body, except that a sensitive address is rendered only now (the
    row keeps a placeholder) and its release audited as it goes (or may go) out."""
    if message.kind != SmsKind.ADDRESS_RELEASE or message.signup is None:
        return message.body
    signup = message.signup
    event = signup.shift.event
    audit_record(
        actor=None,
        action="event.address_released",
        target=signup,
        details={"channel": "sms", "message_id": message.pk, "event_id": event.pk},
    )
    return address_release_body(signup.shift, message.language, address=address_text(event))


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
        if error.permanent:
            sms_number_mark_for(phone_hash=message.phone_hash, failure=error.reason)
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
    """Send what is due now: up to `max_batches` claims of `batch_size` rows each, on up to
    SMS_DISPATCH_THREADS threads.

    Safe to run from any number of processes at once; each row is sent at most once.
    """
    report = DispatchReport()
    backend = backend or get_backend()
    batch_size = batch_size or settings.SMS_DISPATCH_BATCH_SIZE
    report.reconciled = sms_reconcile_stale(now=now)
    # A bulk send that would run into quiet hours waits, from where it would, for the morning.
    sms_due_bulk_split(now=now)
    threaded = settings.SMS_DISPATCH_THREADS > 1 and not connection.in_atomic_block
    senders = _Senders(settings.SMS_DISPATCH_THREADS, backend) if threaded else None
    try:
        for _ in range(max_batches):
            token = uuid.uuid4().hex
            claimed = _claim(batch_size, now or timezone.now(), token, report)
            if claimed is None:
                break
            if senders is None:
                for message in claimed:
                    _send_one(message, token, backend, report)
            elif not senders.send(claimed, token):
                break
    finally:
        if senders is not None:
            senders.finish(report)
    return report


class _Senders:
    """Worker threads sending claimed rows, in claim order, across the batches of one dispatch:
    the next claim is made while the previous batch's last sends still wait on the provider, so
    the threads never idle at a batch's end. Each thread has its own database connection."""

    def __init__(self, count: int, backend: BaseSmsBackend) -> None:
        backend.warm()
        self.pending: queue.Queue[tuple[SmsMessage, str] | None] = queue.Queue()
        self.reports = [DispatchReport() for _ in range(count)]
        self.fatal: list[BaseException] = []
        self.threads = [
            threading.Thread(
                target=self._work, args=(own, backend), name=f"sms-send-{i}", daemon=True
            )
            for i, own in enumerate(self.reports)
        ]
        for thread in self.threads:
            thread.start()

    def _work(self, own: DispatchReport, backend: BaseSmsBackend) -> None:
        try:
            while not self.fatal:
                item = self.pending.get()
                if item is None:
                    return
                message, token = item
                _send_one(message, token, backend, own)
        except BaseException as exc:  # a dying worker stops the dispatch, as it would one thread
            self.fatal.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    def send(self, claimed: list[SmsMessage], token: str) -> bool:
        """Queue a claimed batch; return once at most one row per thread is left to start
        (False: a worker died, claim no more)."""
        for message in claimed:
            self.pending.put((message, token))
        while self.pending.qsize() > len(self.threads) and not self.fatal:
            time.sleep(0.01)
        return not self.fatal

    def finish(self, report: DispatchReport) -> None:
        for _ in self.threads:
            self.pending.put(None)
        for thread in self.threads:
            thread.join()
        for own in self.reports:
            report.add(own)
        if self.fatal:
            # Rows left unsent keep their lease and go back to the queue when it ends.
            raise self.fatal[0]


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

    Sent only when `sendability` lets it go now; otherwise (an opted-out number, one held for
    review) the row is `skipped`: a code is only useful now, so it is never kept for later.
    Errors are recorded on the row and not raised: the caller answers the same whether the text
    left or not.
    """
    now = timezone.now()
    message = SmsMessage(
        volunteer_id=volunteer_id,
        phone=phone,
        phone_hash=phone_hash,
        body=stored_body,
        kind=kind,
        language=language,
        send_after=now,
        next_attempt_at=now,
    )
    verdict = sendability(message, now)
    if verdict.decision != Decision.SEND:
        message.status, message.skip_reason = SmsStatus.SKIPPED, verdict.reason
        message.save()
        return message
    message.status, message.attempts, message.sending_started_at = SmsStatus.SENDING, 1, now
    message.save()
    try:
        with rate_limited(sender_key()):
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
