"""Texts people sent us; the number and the free text are stored encrypted."""

from __future__ import annotations

from django.db import models

from backend.crypto import EncryptedTextField


class InboundAction(models.TextChoices):
    OPTED_OUT = "opted_out", "Opted out"
    OPTED_IN = "opted_in", "Opted back in"
    HELP = "help", "Help sent"
    CONFIRMED = "confirmed", "Confirmed a signup"
    CANCELLED = "cancelled", "Cancelled a signup"
    NO_SIGNUP = "no_signup", "Yes/No without an upcoming signup"
    STORED = "stored", "Stored for organizers"
    REVIEW = "review", "Might mean stop: texts held for an organizer's review"
    ENDORSED = "endorsed", "Confirmed a public endorsement"
    CHECKED_IN = "checked_in", "Safety check-in (or end of a field session)"
    SHIFTS = "shifts", "Listed open shifts (SHIFTS / TURNOS)"
    JOINED = "joined", "Signed up for a shift by text (JOIN / UNIR)"
    MY_SHIFTS = "my_shifts", "Listed their own shifts (MY / MIS)"
    ARRIVED = "arrived", "Checked in at a shift's site (HERE / LLEGUE)"
    KEYWORD = "keyword", "A keyword that could not be carried out (the reply says why)"


class InboundSms(models.Model):
    """A text someone sent us; idempotent by the provider's message id."""

    message_sid = models.CharField(max_length=64, unique=True)
    phone = EncryptedTextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    volunteer = models.ForeignKey(
        "events.Volunteer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = EncryptedTextField(blank=True)
    body_purged = models.BooleanField(default=False)
    action = models.CharField(max_length=12, choices=InboundAction.choices)
    signup = models.ForeignKey(
        "events.Signup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()

    class Meta:
        db_table = "events_inboundsms"  # created by the events app; kept
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"inbound {self.pk}: {self.action}"
