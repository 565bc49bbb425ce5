"""The per-sender send schedule every dispatcher shares."""

from __future__ import annotations

from django.db import models


class SmsRateBucket(models.Model):
    """A sender's send schedule, shared by every dispatcher through a row lock: `refilled_at`
    is the next free send slot, `departures` the last ones in epoch seconds, oldest first
    (messaging/services/rates.py)."""

    sender = models.CharField(max_length=64, unique=True)
    refilled_at = models.DateTimeField()
    departures = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "events_smsratebucket"  # created by the events app; kept

    def __str__(self) -> str:
        return self.sender
