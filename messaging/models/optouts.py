"""The opt-out list: numbers that must not be texted, by keyed hash only (it survives erasure)."""

from __future__ import annotations

from django.db import models


class OptOutReason(models.TextChoices):
    KEYWORD = "keyword", "Replied with an opt-out keyword"
    UNSUBSCRIBED = "unsubscribed", "Provider: recipient unsubscribed"
    INVALID_NUMBER = "invalid_number", "Provider: not a valid number"
    UNKNOWN_NUMBER = "unknown_number", "Carrier: unknown number"
    LANDLINE = "landline", "Carrier: landline or unreachable"
    PHRASE = "phrase", "Asked to stop in their own words"
    REVIEWED = "reviewed", "An organizer read a reply as a request to stop"


class SmsOptOut(models.Model):
    """A number that must not be texted: only its keyed hash is kept (it survives erasure)."""

    phone_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=16, choices=OptOutReason.choices)
    keyword = models.CharField(max_length=20, blank=True)
    opted_out_at = models.DateTimeField()

    class Meta:
        db_table = "events_smsoptout"  # created by the events app; kept
        ordering = ["-opted_out_at", "-id"]

    def __str__(self) -> str:
        return f"opt-out {self.pk}: {self.reason}"
