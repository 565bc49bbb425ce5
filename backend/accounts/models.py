from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from backend.crypto import EncryptedTextField


class Role(models.TextChoices):
    ORGANIZER = "organizer", "Organizer"
    FIELD_LEAD = "field_lead", "Field lead"
    CANVASSER = "canvasser", "Canvasser"


class User(AbstractUser):
    """A person who logs in. Exactly one role; teams come through memberships."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CANVASSER)
    # A staff member's own mobile number, for safety texts (check-in escalations, incident
    # broadcasts): encrypted at rest, found through the keyed hash. Set by the person, with
    # their consent to those texts recorded (`safety_texts_consent_at`).
    # Database defaults too: rows written by code that predates these columns (an old
    # migration's historical model) still insert.
    phone = EncryptedTextField(blank=True, default="", db_default="")
    phone_hash = models.CharField(
        max_length=64, blank=True, default="", db_default="", db_index=True
    )
    language = models.CharField(max_length=8, default="en", db_default="en")
    # The languages this person can canvass in (configured codes, backend/languages.py), set by
    # the person or a field lead of their team; turf assignment prefers those who cover a
    # turf's doors' languages.
    spoken_languages = models.JSONField(default=list, db_default=[], blank=True)
    safety_texts_consent_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_organizer(self) -> bool:
        return self.role == Role.ORGANIZER

    @property
    def is_field_lead(self) -> bool:
        return self.role == Role.FIELD_LEAD

    @property
    def is_canvasser(self) -> bool:
        return self.role == Role.CANVASSER

    @property
    def takes_safety_texts(self) -> bool:
        return bool(self.phone) and self.safety_texts_consent_at is not None


class Team(models.Model):
    """A field team: one or more field leads and their canvassers."""

    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class AuthToken(models.Model):
    """A device's session: a short-lived access token and a rotating refresh token.

    Only SHA-256 digests are stored. Revoking deletes the row, so both stop working at once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart")
    refresh_digest = models.CharField(max_length=64, unique=True)
    device = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="authtoken_user_expiry")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.device or 'device'})"


class LoginFailureCounter(models.Model):
    """Failed-login counter per key ("user:<name>" or "ip:<addr>") in a fixed window.

    Incremented with one atomic UPSERT so concurrent attempts cannot all slip under the limit.
    """

    key = models.CharField(max_length=200, unique=True)
    window_started_at = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
