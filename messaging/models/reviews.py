"""Replies that might mean "stop", held for an organizer's reading."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an organizer (texts to the number held)"
    OPTED_OUT = "opted_out", "Read as a request to stop: opted out"
    RELEASED = "released", "Not a request to stop: texts released"


class SmsReview(models.Model):
    """A reply that might mean "stop": while any review of a number is pending, nothing is sent
    to it (queued texts wait); an organizer resolves it one way or the other."""

    inbound = models.OneToOneField(
        "messaging.InboundSms", on_delete=models.CASCADE, related_name="review"
    )
    phone_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    language = models.CharField(max_length=2, default="en")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "events_smsreview"  # created by the events app; kept
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["phone_hash", "status"], name="sms_review_pending")]

    def __str__(self) -> str:
        return f"review {self.pk}: {self.status}"
