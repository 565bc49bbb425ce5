"""The send rate: one token bucket per sender, shared by every dispatcher."""

from __future__ import annotations

import time as time_module
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging.models import SmsRateBucket

# One token at most: no burst, so sends are at least 1/rate apart and no one-second window ever
# holds more than SMS_RATE_PER_SECOND of them, whatever the number of dispatchers and threads.
CAPACITY = 1.0


def rate_limit_wait(*, sender: str, now: datetime | None = None) -> float:
    """Take one token from the sender's bucket; returns 0 when taken, else seconds to wait.

    The bucket is a PostgreSQL row locked for the few microseconds of the update, so every
    dispatcher process shares it; no Redis needed (and none to be down).
    """
    rate = settings.SMS_RATE_PER_SECOND
    if rate <= 0:
        return 0.0
    SmsRateBucket.objects.get_or_create(
        sender=sender, defaults={"tokens": CAPACITY, "refilled_at": now or timezone.now()}
    )
    with transaction.atomic():
        bucket = SmsRateBucket.objects.select_for_update().get(sender=sender)
        # The time is read once the row is ours: read before the lock, a sender that waited on
        # it would move the refill time backwards and mint tokens that were already spent.
        now = max(now or timezone.now(), bucket.refilled_at)
        elapsed = (now - bucket.refilled_at).total_seconds()
        tokens = min(CAPACITY, bucket.tokens + elapsed * rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / rate
        bucket.tokens, bucket.refilled_at = tokens, now
        bucket.save(update_fields=["tokens", "refilled_at"])
        return wait


def rate_limit(sender: str) -> None:
    """Wait until the sender's bucket gives a token."""
    while True:
        wait = rate_limit_wait(sender=sender)
        if wait <= 0:
            return
        time_module.sleep(wait)
