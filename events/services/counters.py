"""Atomic fixed-window counters for security limits, kept in the database.

A limit counted in the cache with a read and a later write lets concurrent requests through
together; here every take locks the counter's row (`SELECT ... FOR UPDATE`), so exactly `limit`
takes succeed per window however many arrive at once. The database is already needed by every
caller, so a cache outage cannot switch the limit off.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import SecurityCounter


def counter_take(*, key: str, limit: int, window_seconds: int) -> float | None:
    """Count one more use of `key`. Returns None when it was allowed, or the seconds until the
    window ends when the limit was already reached (nothing is counted then).

    `key` must hold ids or keyed hashes only, never a phone number or an address.
    """
    now = timezone.now()
    window = timedelta(seconds=window_seconds)
    with transaction.atomic():
        counter = SecurityCounter.objects.select_for_update().filter(key=key).first()
        if counter is None:
            try:
                with transaction.atomic():
                    SecurityCounter.objects.create(key=key, window_started_at=now, count=1)
                return None
            except IntegrityError:
                # Another request created it between our read and our insert: lock that row.
                counter = SecurityCounter.objects.select_for_update().get(key=key)
        if counter.window_started_at + window <= now:
            counter.window_started_at, counter.count = now, 1
            counter.save(update_fields=["window_started_at", "count"])
            return None
        if counter.count >= limit:
            return max(1.0, math.ceil((counter.window_started_at + window - now).total_seconds()))
        counter.count += 1
        counter.save(update_fields=["count"])
        return None
