"""Events data (split by feature); every write goes through `events.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


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
