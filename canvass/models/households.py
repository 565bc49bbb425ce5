"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from backend.crypto import EncryptedTextField
from canvass.models.imports import VoterImport
from canvass.models.precincts import Precinct


class GeocodeStatus(models.TextChoices):
    PROVIDED = "provided", "Coordinates from the voter file"
    GEOCODED = "geocoded", "Geocoded to the door"
    NEEDS_REVIEW = "needs_review", "Geocoder match too coarse; needs review"
    FAILED = "failed", "Geocoding failed or found nothing"
    PENDING = "pending", "Not geocoded yet (geocoder off, paused or failing; retried later)"
    PLACED = "placed", "Placed by hand by a field lead"


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
    # Safety flags: only ever set by conversation logs, only cleared by field leads/organizers.
    # db_default: the voter import COPYs households without naming these columns.
    do_not_knock = models.BooleanField(db_default=False)
    moved = models.BooleanField(db_default=False)
    deceased = models.BooleanField(db_default=False)
    change_stamp = models.BigIntegerField(db_default=0, editable=False, db_index=True)

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


class Voter(models.Model):
    state_voter_id = models.CharField(max_length=40, unique=True)
    first_name = models.CharField(max_length=80)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    party = models.CharField(max_length=40, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    phone = EncryptedTextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # A configured language code (backend/languages.py; the import reads "Spanish", "español"
    # or "es" as "es"), empty when the file says none or names no configured language.
    language = models.CharField(max_length=8, blank=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="voters")
    last_import = models.ForeignKey(
        VoterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Hash of the file's cells for this voter as last imported: an identical line in the next
    # file is recognised as unchanged without parsing it, and the row is not written.
    source_hash = models.CharField(max_length=32, blank=True, db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)
    change_stamp = models.BigIntegerField(db_default=0, editable=False, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"voter {self.state_voter_id}"


# Age bands shown instead of a birth year, wherever a person's age is shown (privacy rule).
AGE_BANDS = [(18, 24), (25, 34), (35, 44), (45, 54), (55, 64)]


def age_band(birth_year: int | None) -> str | None:
    """A coarse age band ("25-34", "65+") instead of the birth year."""
    if not birth_year:
        return None
    age = timezone.now().year - birth_year
    if age < 18:
        return "under 18"
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "65+"
