"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

from django.db import models


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
