"""The send rate: one schedule of send slots per sender, shared by every dispatcher and thread.

Each send reserves the next free slot (`refilled_at` of the sender's `SmsRateBucket` row holds
the time of that slot), then sleeps until it and sends: slots are 1 / rate apart, so no
one-second window ever holds more than SMS_RATE_PER_SECOND sends, whatever the number of
dispatchers and threads, and there is no burst after a quiet spell. Reserving ahead (rather
than polling a bucket that caps at one token) means a thread that wakes a little late does not
push every later send back: the schedule, not the last send, sets the next slot, so the rate is
actually reached under load.
"""

from __future__ import annotations

import time as time_module
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from backend.sms import on_wire
from messaging.models import SmsRateBucket

# Slots are spaced for a little below the configured rate, so that the departure gate below
# rarely has to hold a send back and a send that leaves late is absorbed within the next window.
PACE = 0.965

# Reserving slots is not enough on a busy machine: a thread that wakes (or gets the CPU) late
# leaves late, and the on-time sends after it then bunch, up to 13 in one second at 10/s
# (bench/dispatch.py, capacity rounds). So each send also stamps its departure, right before the
# request, in a log of the sender's last departures: a send may leave only when the
# rate-th departure before it is more than a second (plus WINDOW_SLACK, for the request's own
# way to the provider: 2-10 ms at p99 on loopback, bench/dispatch.py) ago, so no one-second
# window ever holds more than the rate as the provider counts them. Unlike a fixed gap after the
# last departure, a late send costs nothing later: the sends after it may catch up, never
# faster than MIN_GAP of the rate's spacing apart (no bursts).
WINDOW_SLACK = 0.025
MIN_GAP = 0.5

# And a send that stalls between its stamp and the wire (a process descheduled, a slow first
# connection: 150 ms once in 5,000 sends at 40/s) has its stamp moved to when its request was
# written, so the sends a second after it wait for that instead. Within this, the stamp stands
# (no second write for the usual few milliseconds).
RESTAMP_AFTER = 0.005


def send_capacity() -> float:
    """Sends per second the limiter allows (0: no limit): the carriers' rate per sender times
    the senders, paced at PACE. The send forecast predicts with the same figure."""
    return _rate() * PACE


def _rate() -> float:
    """Texts per second the carriers grant in all: the rate per sender times the senders."""
    return settings.SMS_RATE_PER_SECOND * settings.SMS_SENDER_COUNT


def _schedule_locked(sender: str, *, now: datetime | None = None) -> SmsRateBucket:
    """The sender's row (made when missing, its first slot `now`), locked for the rest of the
    transaction.

    The transaction commits without waiting for the WAL flush: the schedule is seconds-old data
    (a crash loses a few stamps, not a text), and a slow flush between the stamp and the
    request would make the send reach the provider later than its stamp says."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
    bucket = SmsRateBucket.objects.select_for_update().filter(sender=sender).first()
    if bucket is None:  # the sender's first send: one query more, once
        SmsRateBucket.objects.get_or_create(
            sender=sender, defaults={"refilled_at": now or timezone.now()}
        )
        bucket = SmsRateBucket.objects.select_for_update().get(sender=sender)
    return bucket


def rate_limit_wait(*, sender: str, now: datetime | None = None) -> float:
    """Reserve the sender's next send slot; returns the seconds until it (0: now).

    The schedule is a PostgreSQL row locked for the few microseconds of the update, so every
    dispatcher process shares it; no Redis needed (and none to be down).
    """
    rate = send_capacity()
    if rate <= 0:
        return 0.0
    with transaction.atomic():
        bucket = _schedule_locked(sender, now=now)
        # The time is read once the row is ours: read before the lock, a sender that waited on
        # it would reserve a slot in the past.
        now = now or timezone.now()
        slot = max(now, bucket.refilled_at)  # `refilled_at`: the next free slot
        bucket.refilled_at = slot + timedelta(seconds=1 / rate)
        bucket.save(update_fields=["refilled_at"])
        return (slot - now).total_seconds()


def departure_window() -> tuple[int, float]:
    """(departures, seconds): at most that many departures in any window that long. A whole
    number of texts per second (a fractional rate rounds down); below 1/s, one per 1 / rate."""
    rate = _rate()
    if rate >= 1:
        return int(rate), 1.0
    return 1, 1 / rate


def rate_limit_depart(*, sender: str, now: datetime | None = None) -> float:
    """Stamp a departure now if the window allows it; returns 0 when stamped, or the seconds to
    wait before asking again."""
    return _depart(sender, now)[0]


def _depart(sender: str, now: datetime | None) -> tuple[float, float]:
    """(seconds to wait, 0 when stamped; the stamp, epoch seconds). The sender's recent
    departures (oldest first) are kept in the bucket's `departures`, under its row lock."""
    if _rate() <= 0:
        return 0.0, (now or timezone.now()).timestamp()
    count, window = departure_window()
    with transaction.atomic():
        bucket = _schedule_locked(sender, now=now)
        stamp = (now or timezone.now()).timestamp()
        recent = [t for t in bucket.departures if t > stamp - window - WINDOW_SLACK]
        earliest = recent[-1] + MIN_GAP * window / count if recent else stamp
        if len(recent) >= count:
            earliest = max(earliest, recent[-count] + window + WINDOW_SLACK)
        if stamp < earliest:
            return earliest - stamp, stamp
        bucket.departures = [*recent, stamp][-count:]
        bucket.save(update_fields=["departures"])
        return 0.0, stamp


def rate_limit_restamp(*, sender: str, stamp: float, at: float) -> bool:
    """Move the departure stamped `stamp` to `at` (epoch seconds) when it is more than
    RESTAMP_AFTER later; returns whether it moved. A stamp already out of the log stays out."""
    if at - stamp <= RESTAMP_AFTER:
        return False
    with transaction.atomic():
        bucket = _schedule_locked(sender)
        if stamp not in bucket.departures:
            return False
        bucket.departures = sorted(at if t == stamp else t for t in bucket.departures)
        bucket.save(update_fields=["departures"])
        return True


@dataclass
class Departure:
    stamp: float
    wire_at: float | None = None


@contextmanager
def departure(sender: str) -> Iterator[Departure]:
    """Wait until the send may leave (`rate_limit_departure`); the request sent inside the block
    corrects the stamp with the moment it reached the wire (`rate_limit_restamp`)."""
    leaving = Departure(stamp=rate_limit_departure(sender))

    def reached(at: float) -> None:
        leaving.wire_at = at
        rate_limit_restamp(sender=sender, stamp=leaving.stamp, at=at)

    if send_capacity() <= 0:  # no limit: nothing to correct
        yield leaving
        return
    with on_wire(reached):
        yield leaving


def rate_limit_slot(sender: str) -> None:
    """Wait for the sender's next send slot."""
    wait = rate_limit_wait(sender=sender)
    if wait > 0:
        time_module.sleep(wait)


def rate_limit_departure(sender: str) -> float:
    """Wait until the departure may be stamped; called right before the request, after any
    other work of the send, so little comes between the stamp and the provider. Returns the
    stamp (epoch seconds)."""
    while True:
        wait, stamp = _depart(sender, None)
        if wait <= 0:
            return stamp
        time_module.sleep(wait)


@contextmanager
def rate_limited(sender: str) -> Iterator[Departure]:
    """Wait for the sender's next send slot, then send inside the block (`departure`)."""
    rate_limit_slot(sender)
    with departure(sender) as leaving:
        yield leaving
