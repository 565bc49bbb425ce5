"""Caucus sites, events, shifts, volunteers, SMS consent and signups.

Per-row rules live here as database constraints; every write goes through `events.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from backend.crypto import EncryptedTextField


def default_time_zone() -> str:
    return settings.TIME_ZONE


class Location(models.Model):
    """A caucus site (or any place events happen). Coordinates are null until placed at a door."""

    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=10, blank=True, db_index=True)
    precinct_codes = models.JSONField(default=list, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    accessibility_notes = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=200, blank=True)
    # Stable identity of an imported site (normalized address, or county+name when the address is
    # too vague), so a re-import updates instead of duplicating.
    source_key = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["county", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~Q(source_key=""),
                name="location_unique_source_key",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                    & Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                ),
                name="location_coordinates_both_or_none_in_range",
            ),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"], name="location_lat_lon")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_placed(self) -> bool:
        return self.latitude is not None and self.longitude is not None


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
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.phone_last4})"


class ConsentMethod(models.TextChoices):
    WEB = "web", "Web form"
    APP = "app", "Mobile app"
    SMS = "sms", "SMS keyword"
    ORGANIZER = "organizer", "Recorded by an organizer"
    DOOR = "door", "At the door"


class SmsConsent(models.Model):
    """A ledger of SMS consent given or withdrawn; the newest row is the current state."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="sms_consents")
    granted = models.BooleanField()
    method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    wording = models.TextField(blank=True, help_text="The consent text shown to the person")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["volunteer", "-recorded_at"], name="smsconsent_latest")]

    def __str__(self) -> str:
        return f"{'granted' if self.granted else 'withdrawn'} via {self.method}"


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"


# Statuses that hold one of the shift's spots.
SPOT_HOLDING_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW)
# Statuses that block the volunteer from signing up for the same shift (or an overlapping one).
ACTIVE_STATUSES = (*SPOT_HOLDING_STATUSES, SignupStatus.WAITLISTED)


class SignupSource(models.TextChoices):
    APP = "app", "App"
    WEB = "web", "Web"
    SMS = "sms", "SMS"
    ORGANIZER = "organizer", "Organizer"


class Signup(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(max_length=12, choices=SignupStatus.choices)
    source = models.CharField(max_length=12, choices=SignupSource.choices)
    # Arrival order within the shift (the order the shift lock was acquired): the waitlist order.
    position = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shift_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=~Q(status="cancelled"),
                name="signup_one_active_per_volunteer_shift",
            ),
            models.UniqueConstraint(fields=["shift", "position"], name="signup_unique_position"),
        ]
        indexes = [models.Index(fields=["shift", "status", "position"], name="signup_shift_status")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} → shift {self.shift_id}: {self.status}"


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


# The SMS models (outbox, inbound, opt-outs) live in their own module; re-exported here.
from events.models_sms import (  # noqa: E402, F401
    FINAL_STATUSES,
    ON_REQUEST_KINDS,
    SIGNUP_UNIQUE_KINDS,
    InboundAction,
    InboundSms,
    OptOutReason,
    ReviewStatus,
    SmsKind,
    SmsMessage,
    SmsOptOut,
    SmsRateBucket,
    SmsReview,
    SmsStatus,
)
