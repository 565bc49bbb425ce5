"""Public endorsements of the Migrant Justice Platform, by people and organizations.

An endorsement counts only once it is confirmed (double opt-in: a YES / SI reply to the text,
or the signed link); a pending one expires and is purged. One endorsement per phone number and
per email (keyed hashes, as volunteers), one per organization (its normalized name and city).
The phone and the email are encrypted at rest. The SMS consent answers, one per scope
(endorsement texts, shift invitations), are a ledger beside it like `messaging.SmsConsent`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.crypto import EncryptedTextField


class EndorserKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"


class OrganizationKind(models.TextChoices):
    COMMUNITY = "community", "Community group"
    FAITH = "faith", "Faith community"
    LABOR = "labor", "Labor union"
    BUSINESS = "business", "Business"
    STUDENT = "student", "Student group"
    ADVOCACY = "advocacy", "Advocacy or legal aid"
    OTHER = "other", "Other"


class EndorsementStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"


class ConfirmationChannel(models.TextChoices):
    SMS = "sms", "Replied YES / SI to the text"
    LINK = "link", "Opened the signed link"


class Endorsement(models.Model):
    kind = models.CharField(max_length=12, choices=EndorserKind.choices)
    status = models.CharField(
        max_length=10, choices=EndorsementStatus.choices, default=EndorsementStatus.PENDING
    )
    # A person's full name, or the organization's name.
    name = models.CharField(max_length=160)
    # Upper-case A-Z0-9 of the name and the city: an organization endorses once per city.
    name_key = models.CharField(max_length=160, blank=True)
    organization_kind = models.CharField(
        max_length=12, choices=OrganizationKind.choices, blank=True
    )
    contact_person = models.CharField(max_length=120, blank=True)
    website = models.URLField(max_length=300, blank=True)
    city = models.CharField(max_length=80, blank=True)
    city_key = models.CharField(max_length=80, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    # Given, or derived from the ZIP (or the city) through the voter file's households.
    county = models.CharField(max_length=80, blank=True)
    phone = EncryptedTextField(blank=True)
    phone_hash = models.CharField(max_length=64, null=True, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True)
    email = EncryptedTextField(blank=True)
    email_hash = models.CharField(max_length=64, null=True, blank=True)
    language = models.CharField(max_length=2, default="en")
    listed_publicly = models.BooleanField(default=False)
    planks = models.ManyToManyField("canvass.Plank", related_name="endorsements")
    expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_via = models.CharField(max_length=4, choices=ConfirmationChannel.choices, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash"],
                condition=Q(phone_hash__isnull=False),
                name="endorsement_one_per_phone",
            ),
            models.UniqueConstraint(
                fields=["email_hash"],
                condition=Q(email_hash__isnull=False),
                name="endorsement_one_per_email",
            ),
            models.UniqueConstraint(
                fields=["name_key", "city_key"],
                condition=Q(kind="organization", erased_at__isnull=True),
                name="endorsement_one_per_organization",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="endorsement_pending"),
        ]

    def __str__(self) -> str:
        return f"endorsement {self.pk} ({self.kind}, {self.status})"

    @property
    def public_name(self) -> str:
        """Organizations by name; people by first name and last initial only."""
        if self.kind == EndorserKind.ORGANIZATION:
            return self.name
        parts = self.name.split()
        if len(parts) < 2:
            return parts[0] if parts else ""
        return f"{parts[0]} {parts[-1][0].upper()}."


class EndorsementConsentScope(models.TextChoices):
    ENDORSEMENT_TEXTS = "endorsement_texts", "Texts about this endorsement"
    SHIFT_INVITATIONS = "shift_invitations", "Texts inviting me to volunteer shifts"


class EndorsementConsent(models.Model):
    """One SMS consent answer for one scope; the newest row per scope is the current state."""

    endorsement = models.ForeignKey(Endorsement, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=20, choices=EndorsementConsentScope.choices)
    granted = models.BooleanField()
    wording = models.TextField(blank=True, help_text="The consent text shown to the person")
    method = models.CharField(max_length=12, default="web")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scope}: {'granted' if self.granted else 'withdrawn'}"
