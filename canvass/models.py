"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.crypto import EncryptedTextField


class Precinct(models.Model):
    """One precinct boundary. `boundary` is GeoJSON (Polygon or MultiPolygon, lon/lat).

    The bbox columns let SQL narrow point-in-polygon candidates before shapely decides.
    """

    county = models.CharField(max_length=80)
    county_key = models.CharField(max_length=80, db_index=True, help_text="Upper-case, A-Z0-9")
    name = models.CharField(max_length=120)
    name_key = models.CharField(max_length=120)
    district = models.CharField(max_length=80, blank=True)
    boundary = models.JSONField()
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lon = models.FloatField()
    geometry_repaired = models.BooleanField(default=False)
    invalid_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county_key", "name_key"], name="precinct_unique_county_name"
            )
        ]
        indexes = [
            models.Index(fields=["min_lat", "max_lat", "min_lon", "max_lon"], name="precinct_bbox")
        ]

    def __str__(self) -> str:
        return f"{self.county}: {self.name}"


class GeocodeStatus(models.TextChoices):
    PROVIDED = "provided", "Coordinates from the voter file"
    GEOCODED = "geocoded", "Geocoded to the door"
    NEEDS_REVIEW = "needs_review", "Geocoder match too coarse; needs review"
    FAILED = "failed", "Geocoding failed or found nothing"
    PENDING = "pending", "Not geocoded yet (geocoder off)"


class Household(models.Model):
    """One door: the voters at one normalized address share it."""

    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    address_key = models.CharField(max_length=400, unique=True)
    county = models.CharField(max_length=80, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geocode_status = models.CharField(
        max_length=16, choices=GeocodeStatus.choices, default=GeocodeStatus.PENDING
    )
    precinct = models.ForeignKey(
        Precinct, null=True, blank=True, on_delete=models.SET_NULL, related_name="households"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="household_lat_lon")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="household_coordinates_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"household {self.pk}"

    @property
    def one_line_address(self) -> str:
        street = f"{self.street} UNIT {self.unit}" if self.unit else self.street
        return ", ".join(
            part for part in (street, self.city, f"{self.state} {self.zip_code}") if part
        )


class VoterImport(models.Model):
    """One run of the voter-file import, with its report (counts and per-line errors)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    source_name = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"import {self.pk}"


class Voter(models.Model):
    state_voter_id = models.CharField(max_length=40, unique=True)
    first_name = models.CharField(max_length=80)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    party = models.CharField(max_length=40, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    phone = EncryptedTextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=40, blank=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="voters")
    last_import = models.ForeignKey(
        VoterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"voter {self.state_voter_id}"


class TurfStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class Turf(models.Model):
    """A named walkable area owned by a team, with its ordered doors."""

    name = models.CharField(max_length=120)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="turfs")
    precinct = models.ForeignKey(
        Precinct, null=True, blank=True, on_delete=models.SET_NULL, related_name="turfs"
    )
    boundary = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=TurfStatus.choices, default=TurfStatus.DRAFT)
    households = models.ManyToManyField(Household, through="TurfHousehold", related_name="turfs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TurfHousehold(models.Model):
    """A door's place in a turf's walk order. `active` is False once the turf is completed, which
    frees the household for new turf while keeping the history."""

    turf = models.ForeignKey(Turf, on_delete=models.CASCADE, related_name="stops")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="turf_stops")
    position = models.PositiveIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["turf", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["turf", "household"], name="turfhousehold_unique_turf_household"
            ),
            # The database's final word on "a household is in at most one active turf".
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(active=True),
                name="turfhousehold_one_active_turf",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.turf_id}#{self.position}: {self.household_id}"


class TurfAssignment(models.Model):
    """Who walks a turf. Unassigning closes the row; history is kept."""

    turf = models.ForeignKey(Turf, on_delete=models.CASCADE, related_name="assignments")
    canvasser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="turf_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField()
    unassigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unassigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["turf", "canvasser"],
                condition=Q(unassigned_at__isnull=True),
                name="turfassignment_one_open_per_canvasser",
            )
        ]

    def __str__(self) -> str:
        return f"turf {self.turf_id} → user {self.canvasser_id}"
