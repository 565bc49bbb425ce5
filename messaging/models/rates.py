"""The per-sender token bucket every dispatcher shares."""

from __future__ import annotations

from django.db import models


class SmsRateBucket(models.Model):
    """A token bucket per sender, shared by every dispatcher through a row lock."""

    sender = models.CharField(max_length=64, unique=True)
    tokens = models.FloatField(default=0)
    refilled_at = models.DateTimeField()

    class Meta:
        db_table = "events_smsratebucket"  # created by the events app; kept

    def __str__(self) -> str:
        return self.sender
