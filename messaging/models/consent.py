"""The SMS consent ledger: every answer given or withdrawn; the newest row is the current state."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ConsentMethod(models.TextChoices):
    WEB = "web", "Web form"
    APP = "app", "Mobile app"
    SMS = "sms", "SMS keyword"
    ORGANIZER = "organizer", "Recorded by an organizer"
    DOOR = "door", "At the door"
    CALL = "call", "Keypress on a reminder call"


class Channel(models.TextChoices):
    """How a message reaches a person: a text, or a call that speaks it (docs/voice.md)."""

    SMS = "sms", "Text"
    VOICE = "voice", "Phone call"


class SmsConsent(models.Model):
    """A ledger of SMS consent given or withdrawn; the newest row is the current state."""

    volunteer = models.ForeignKey(
        "events.Volunteer", on_delete=models.CASCADE, related_name="sms_consents"
    )
    # Texts and calls are consented to separately; the newest row per channel is its state.
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.SMS)
    granted = models.BooleanField()
    method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    wording = models.TextField(blank=True, help_text="The consent text shown to the person")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "events_smsconsent"  # created by the events app; kept
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["volunteer", "-recorded_at"], name="smsconsent_latest")]

    def __str__(self) -> str:
        return f"{'granted' if self.granted else 'withdrawn'} via {self.method}"
