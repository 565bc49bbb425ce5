"""Events data (split by feature); every write goes through `events.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backend.crypto import EncryptedTextField


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class Volunteer(models.Model):
    """Someone who signs up for shifts. One per phone number (the unique keyed hash)."""

    name = models.CharField(max_length=120)
    phone = EncryptedTextField()
    phone_hash = models.CharField(max_length=64, unique=True)
    phone_last4 = models.CharField(max_length=4)
    email = models.EmailField(blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    # Any configured language (FIELD_LANGUAGES, checked by the serializers and services): no
    # choices here, so a new language needs no migration.
    language = models.CharField(max_length=8, default=Language.ENGLISH)
    # How shift reminders reach this volunteer: a text, or a phone call that speaks it
    # (docs/voice.md).
    reminder_channel = models.CharField(
        max_length=5, choices=[("sms", "Text"), ("voice", "Phone call")], default="sms"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    # Manage links carry the generation they were signed in; only the current one opens the
    # record. Bumped whenever someone signs this number up again without the link
    # (events/links.py explains why).
    manage_link_generation = models.PositiveIntegerField(default=0)
    # An organizer vetted this volunteer (in general, for every sensitive event): their signups
    # to sensitive events are not held, and they may receive a sensitive event's address.
    vetted_at = models.DateTimeField(null=True, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.phone_last4})"


class VolunteerLinkCode(models.Model):
    """A one-time code texted to a phone number so an account can prove it owns the number
    before it is linked to that number's volunteer record.

    Only a keyed hash of the code is stored (bound to the account and the number), never the
    code itself; the number is kept as its keyed hash only.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"link code {self.pk} for user {self.user_id}"


class SecurityCounter(models.Model):
    """A fixed-window counter for security limits (codes per account, per number), taken under
    a row lock so concurrent requests cannot overspend it. `key` holds ids or keyed hashes only."""

    key = models.CharField(max_length=120, unique=True)
    window_started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
