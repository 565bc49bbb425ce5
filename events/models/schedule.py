"""Events data (split by feature); every write goes through `events.services`."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from events.models.locations import Location, default_time_zone


class EventKind(models.TextChoices):
    CAUCUS_NIGHT = "caucus_night", "Caucus night"
    CANVASS_LAUNCH = "canvass_launch", "Canvass launch"
    TRAINING = "training", "Training"
    PHONE_BANK = "phone_bank", "Phone bank"
    RALLY = "rally", "Rally"
    OTHER = "other", "Other"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"


class Event(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    description = models.TextField(blank=True)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default=default_time_zone)
    is_public = models.BooleanField(default=True)
    # A sensitive event (accompaniment to an immigration check-in, legal observers, a training in
    # someone's home): its place is never shown to the public or in lists, only its city; the
    # address reaches vetted, confirmed volunteers shortly before their shift (docs/safety.md).
    is_sensitive = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="events")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["status", "is_public", "starts_at"], name="event_public")]

    def __str__(self) -> str:
        return self.title


class ShiftRole(models.TextChoices):
    CANVASSER = "canvasser", "Canvasser"
    PRECINCT_CAPTAIN = "precinct_captain", "Precinct captain"
    GREETER = "greeter", "Greeter"
    DRIVER = "driver", "Driver"
    PHONE_BANKER = "phone_banker", "Phone banker"
    OTHER = "other", "Other"


# A shift's check-in code is read off a text and typed back ("HERE K7MX3"): capitals and digits
# that no screen or hand confuses (no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V).
SHORT_CODE_ALPHABET = "ACEFHJKMNPRTWXY3479"
SHORT_CODE_LENGTH = 5


def new_short_code() -> str:
    """A random check-in code; `shift_create` keeps it unique among shifts not yet over."""
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


class ShiftStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Shift(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    role = models.CharField(max_length=20, choices=ShiftRole.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    requirement = models.CharField(
        max_length=300, blank=True, help_text="Free-text requirement shown to volunteers"
    )
    waitlist_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most people on the waitlist; empty means no limit"
    )
    status = models.CharField(
        max_length=12, choices=ShiftStatus.choices, default=ShiftStatus.SCHEDULED
    )
    # Typed back by text to check in at the site ("HERE K7MX3"); shown in the confirmation and
    # reminder texts and on the roster. Unique among shifts not yet over (`shift_create`).
    short_code = models.CharField(max_length=8, default=new_short_code)
    # Incremented while the shift row is locked: the arrival order of its signups.
    signup_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.event}"
