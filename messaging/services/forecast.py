"""The send forecast: when a bulk send will finish, and what waits. A bulk send is an event's
queued texts of the `BULK_KINDS`: its reminders, and its broadcasts (a change or cancellation
notice to everyone signed up, invitations to its shifts, a sensitive event's address).

The forecast replays what the dispatcher will do with the queued rows, in its claim order
(due time, then id): each row takes the next send slot of the limiter (`send_capacity`, slots
1 / capacity apart, no burst), a row whose slot falls in quiet hours waits for the next allowed
moment (`message_quiet_hours_end`: the event's and the recipient's), and the organization's
daily caps (texts and segments, with what was already spent in the last 24 h) send the rest the
next local morning. `sms_bulk_split` writes that plan down: the rows that cannot go before quiet
hours get their `next_attempt_at` moved to the morning, so the rest of the send waits there
rather than being found, row by row, by the dispatcher inside quiet hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from events.models import Event
from messaging.models import BULK_KINDS, SAFETY_KINDS, SmsMessage, SmsStatus
from messaging.services.rates import send_capacity
from messaging.services.sendability import (
    COUNTED_STATUSES,
    in_quiet_hours,
    message_quiet_hours_end,
    message_time_zone,
    next_local_morning,
)


@dataclass(frozen=True)
class SendForecast:
    rows: int
    segments: int
    messages_per_second: float  # 0: no limit
    starts_at: datetime | None
    finishes_at: datetime | None
    # Rows that wait for a morning (quiet hours or the organization's daily caps).
    crosses_quiet_hours: bool
    rows_before_quiet_hours: int
    rows_waiting_for_morning: int
    resumes_at: datetime | None
    # Planned send time of each row, by id (what `sms_bulk_split` writes).
    slots: dict[int, datetime]
    waiting: frozenset[int]


def _resume_at(message: SmsMessage, moment: datetime) -> datetime:
    """The first moment at or after `moment` the recipient may get `message`: the event's and
    the recipient's quiet hours, as the dispatcher applies them."""
    if message.kind in SAFETY_KINDS:
        return moment
    return message_quiet_hours_end(message, moment)


def _spent_today(now: datetime) -> tuple[int, int]:
    spent = SmsMessage.objects.filter(
        Q(status__in=COUNTED_STATUSES, sending_started_at__gte=now - timedelta(days=1))
        | Q(status=SmsStatus.QUEUED, claimed_until__gte=now)
    )
    return spent.count(), spent.aggregate(n=Sum("segments"))["n"] or 0


def sms_forecast(messages: Sequence[SmsMessage], *, now: datetime | None = None) -> SendForecast:
    """Predict when `messages` (queued rows) will have been sent, at the configured capacity.

    Rows are replayed in the dispatcher's claim order; `finishes_at` is the last row's slot."""
    now = now or timezone.now()
    rows = sorted(messages, key=lambda m: (m.next_attempt_at, m.pk or 0))
    capacity = send_capacity()
    gap = timedelta(seconds=1 / capacity) if capacity > 0 else timedelta(0)
    texts, segments = _spent_today(now)
    slots: dict[int, datetime] = {}
    waiting: set[int] = set()
    resumes_at: datetime | None = None
    slot: datetime | None = None
    for row in rows:
        moment = max(row.next_attempt_at, now)
        if slot is not None:
            moment = max(moment, slot + gap)
        allowed = _resume_at(row, moment)
        over_cap = (
            texts >= settings.SMS_DAILY_CAP_ORGANIZATION
            or segments + row.segments > settings.SMS_DAILY_SEGMENT_CAP_PER_ORGANIZATION
        ) and row.kind not in SAFETY_KINDS
        if over_cap:
            allowed = max(allowed, next_local_morning(moment, message_time_zone(row)))
            texts = segments = 0  # a new day's budget (rolling 24 h, approximately)
        if allowed > moment:
            waiting.add(row.pk)
            resumes_at = resumes_at or allowed
        slot = allowed
        slots[row.pk] = slot
        texts += 1
        segments += row.segments
    later = [
        row for row in rows if row.pk in waiting or (resumes_at and slots[row.pk] >= resumes_at)
    ]
    return SendForecast(
        rows=len(rows),
        segments=sum(row.segments for row in rows),
        messages_per_second=round(capacity, 3),
        starts_at=slots[rows[0].pk] if rows else None,
        finishes_at=slot,
        crosses_quiet_hours=bool(later),
        rows_before_quiet_hours=len(rows) - len(later),
        rows_waiting_for_morning=len(later),
        resumes_at=resumes_at,
        slots=slots,
        waiting=frozenset(row.pk for row in later),
    )


def _event_bulk_rows(event: Event) -> list[SmsMessage]:
    return list(
        SmsMessage.objects.filter(event=event, kind__in=BULK_KINDS, status=SmsStatus.QUEUED)
        .select_related("event", "signup__shift", "volunteer")
        .order_by("next_attempt_at", "id")
    )


def event_sms_forecast(*, event: Event, now: datetime | None = None) -> SendForecast:
    """The forecast of an event's queued bulk texts (reminders and broadcasts)."""
    return sms_forecast(_event_bulk_rows(event), now=now)


def sms_bulk_split(*, event: Event, now: datetime | None = None) -> SendForecast:
    """Split an event's bulk texts at quiet hours: the rows the forecast cannot send before
    they start wait (their `next_attempt_at`) for the next allowed morning; the rest goes on.

    Returns the forecast the split followed. Rows are locked (SKIP LOCKED: a row a dispatcher
    holds is its own) so a split never moves a row that is being sent."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            SmsMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(event=event, kind__in=BULK_KINDS, status=SmsStatus.QUEUED)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .select_related("event", "signup__shift", "volunteer")
        )
        forecast = sms_forecast(rows, now=now)
        for row in rows:
            if row.pk in forecast.waiting and forecast.slots[row.pk] > row.next_attempt_at:
                row.next_attempt_at = forecast.slots[row.pk]
                row.save(update_fields=["next_attempt_at", "updated_at"])
    return forecast


def _meets_quiet_hours(start: datetime, end: datetime, time_zone: str) -> bool:
    moment = start
    while moment < end:
        if in_quiet_hours(moment, time_zone):
            return True
        moment += timedelta(hours=1)
    return in_quiet_hours(end, time_zone)


def sms_due_bulk_split(*, now: datetime | None = None) -> int:
    """Split (`sms_bulk_split`) every event whose due bulk texts, sent at capacity from now,
    would run into quiet hours; returns the events split. Called by the dispatcher before it
    claims, so a bulk send is cut at quiet hours as a whole, not row by row.

    Cheap when nothing crosses: one grouped count, and a split only for an event whose due
    rows would still be going when quiet hours start."""
    now = now or timezone.now()
    capacity = send_capacity()
    if capacity <= 0:
        return 0
    due = (
        SmsMessage.objects.filter(
            status=SmsStatus.QUEUED, kind__in=BULK_KINDS, next_attempt_at__lte=now
        )
        .exclude(event=None)
        .values_list("event")
        .annotate(n=Count("id"))
    )
    split = 0
    for event_id, count in due:
        event = Event.objects.get(pk=event_id)
        end = now + timedelta(seconds=count / capacity)
        # Inside quiet hours sendability holds (or skips) each row itself. Quiet hours last
        # whole hours, so a send that meets none of them at hourly steps and at its end does
        # not cross them.
        if in_quiet_hours(now, event.time_zone) or not _meets_quiet_hours(
            now, end, event.time_zone
        ):
            continue
        sms_bulk_split(event=event, now=now)
        split += 1
    return split
