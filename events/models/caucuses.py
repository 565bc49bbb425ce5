"""Caucuses: a dated occasion, its sites, and which site each precinct caucuses at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from events.models.locations import Location, default_time_zone


class CaucusKind(models.TextChoices):
    PRECINCT = "precinct", "Precinct caucus"
    SATELLITE = "satellite", "Satellite caucus"


class SatelliteKind(models.TextChoices):
    WORKPLACE = "workplace", "Workplace"
    CAMPUS = "campus", "Campus"
    ACCESSIBILITY = "accessibility", "Accessibility"
    LANGUAGE = "language", "Language"
    OUT_OF_STATE = "out_of_state", "Out of state"


class Caucus(models.Model):
    """One caucus night of one party. `starts_at` is stored in UTC; `time_zone` is the zone its
    local time is told in (Iowa's), and `date` is the local date."""

    name = models.CharField(max_length=200)
    party = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=CaucusKind.choices)
    date = models.DateField()
    starts_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default=default_time_zone)
    # The last polling-place match report (every row: matched, ambiguous, unmatched).
    match_report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name_plural = "caucuses"

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class CaucusSite(models.Model):
    """A location where a caucus meets. A satellite site has its kind and eligibility notes and
    serves no precinct; a precinct caucus site serves the precincts linked to it."""

    caucus = models.ForeignKey(Caucus, on_delete=models.CASCADE, related_name="sites")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="caucus_sites")
    satellite_kind = models.CharField(max_length=16, choices=SatelliteKind.choices, blank=True)
    eligibility_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["caucus", "location__county", "location__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["caucus", "location"], name="caucussite_unique_caucus_location"
            )
        ]

    def __str__(self) -> str:
        return f"caucus {self.caucus_id} at location {self.location_id}"


class CaucusPrecinct(models.Model):
    """Where one precinct caucuses for one caucus: exactly one site per (caucus, precinct)."""

    caucus = models.ForeignKey(Caucus, on_delete=models.CASCADE, related_name="precinct_links")
    precinct = models.ForeignKey(
        "canvass.Precinct", on_delete=models.CASCADE, related_name="caucus_links"
    )
    site = models.ForeignKey(CaucusSite, on_delete=models.CASCADE, related_name="precinct_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "matcher" when the polling-place import linked it, "hand" when an organizer did.
    source = models.CharField(max_length=10, default="hand")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["caucus", "precinct__county", "precinct__name", "id"]
        constraints = [
            # The final word on "a precinct has one caucus site per caucus".
            models.UniqueConstraint(
                fields=["caucus", "precinct"], name="caucusprecinct_one_site_per_precinct"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["hand", "matcher"]), name="caucusprecinct_source_known"
            ),
        ]

    def __str__(self) -> str:
        return f"caucus {self.caucus_id}: precinct {self.precinct_id} -> site {self.site_id}"
