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
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging.models import SmsRateBucket

# Slots are spaced for a little below the configured rate: a slot is reserved a few
# milliseconds before its request leaves (marking the row `sending` comes between) and threads
# wake with some jitter, which must not put one text too many in a second as the provider
# counts them. 5% leaves ~50 ms per one-second window.
PACE = 0.95

# Reserving slots is not enough on a busy machine: a thread that wakes (or gets the CPU) late
# leaves late, and the on-time sends after it then bunch, up to 13 in one second at 10/s
# (bench/dispatch.py, capacity rounds). So each send also stamps its departure, right before the
# request, no sooner than this fraction of 1 / rate after the last one: any rate + 1 departures
# then span more than a second (2.5% slack for the request's own way out), while the slot
# schedule (at PACE, wider) rarely makes a send wait for it.
DEPARTURE_SPACING = 0.975


def send_capacity() -> float:
    """Sends per second the limiter allows (0: no limit): the carriers' rate per sender times
    the senders, paced at PACE. The send forecast predicts with the same figure."""
    return settings.SMS_RATE_PER_SECOND * settings.SMS_SENDER_COUNT * PACE


def rate_limit_wait(*, sender: str, now: datetime | None = None) -> float:
    """Reserve the sender's next send slot; returns the seconds until it (0: now).

    The schedule is a PostgreSQL row locked for the few microseconds of the update, so every
    dispatcher process shares it; no Redis needed (and none to be down).
    """
    rate = send_capacity()
    if rate <= 0:
        return 0.0
    SmsRateBucket.objects.get_or_create(
        sender=sender, defaults={"tokens": 0, "refilled_at": now or timezone.now()}
    )
    with transaction.atomic():
        bucket = SmsRateBucket.objects.select_for_update().get(sender=sender)
        # The time is read once the row is ours: read before the lock, a sender that waited on
        # it would reserve a slot in the past.
        now = now or timezone.now()
        slot = max(now, bucket.refilled_at)  # `refilled_at`: the next free slot
        bucket.refilled_at = slot + timedelta(seconds=1 / rate)
        bucket.save(update_fields=["refilled_at"])
        return (slot - now).total_seconds()


def rate_limit_depart(*, sender: str, now: datetime | None = None) -> float:
    """Stamp a departure now if the last one was long enough ago; returns 0 when stamped, or
    the seconds to wait before asking again. The last departure is kept (epoch seconds) in the
    bucket's `tokens`, under the same row lock."""
    rate = settings.SMS_RATE_PER_SECOND * settings.SMS_SENDER_COUNT * DEPARTURE_SPACING
    if rate <= 0:
        return 0.0
    with transaction.atomic():
        bucket = SmsRateBucket.objects.select_for_update().get(sender=sender)
        stamp = (now or timezone.now()).timestamp()
        earliest = bucket.tokens + 1 / rate
        if stamp < earliest:
            return earliest - stamp
        bucket.tokens = stamp
        bucket.save(update_fields=["tokens"])
        return 0.0


def rate_limit_slot(sender: str) -> None:
    """Wait for the sender's next send slot."""
    wait = rate_limit_wait(sender=sender)
    if wait > 0:
        time_module.sleep(wait)


def rate_limit_departure(sender: str) -> None:
    """Wait until the departure may be stamped; called right before the request, after any
    other work of the send, so little comes between the stamp and the provider."""
    while (wait := rate_limit_depart(sender=sender)) > 0:
        time_module.sleep(wait)


def rate_limit(sender: str) -> None:
    """Wait for the sender's next send slot, then until its departure may be stamped."""
    rate_limit_slot(sender)
    rate_limit_departure(sender)
