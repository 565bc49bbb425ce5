"""The per-sender send schedule every dispatcher shares."""

from __future__ import annotations

from django.db import models


class SmsRateBucket(models.Model):
    """A sender's send schedule, shared by every dispatcher through a row lock: `refilled_at`
    is the next free send slot, `tokens` the last departure in epoch seconds
    (messaging/services/rates.py)."""

    sender = models.CharField(max_length=64, unique=True)
    tokens = models.FloatField(default=0)
    refilled_at = models.DateTimeField()

    class Meta:
        db_table = "events_smsratebucket"  # created by the events app; kept

    def __str__(self) -> str:
        return self.sender
