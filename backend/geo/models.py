from django.db import models


class GeocodePrecision(models.TextChoices):
    DOOR = "door", "Door (house or building)"
    COARSE = "coarse", "Too coarse to find a door (street, city, county, state)"
    NOT_FOUND = "not_found", "Not found"


class GeocodeCacheEntry(models.Model):
    """One answer per normalized address, so the geocoder is never asked the same thing twice."""

    query = models.CharField(max_length=400, unique=True)
    precision = models.CharField(max_length=16, choices=GeocodePrecision.choices)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    display_name = models.CharField(max_length=500, blank=True)
    provider = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "geocode cache entries"

    def __str__(self) -> str:
        return f"{self.query} → {self.precision}"
