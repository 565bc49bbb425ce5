"""Reads of caucus sites: the staff list and where a ZIP code lies."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.geo.counties import canonical_county
from events.models import Location


def locations_list(
    *,
    county: str | None = None,
    zip: str | None = None,
    needs_review: bool | None = None,
    placed: bool | None = None,
) -> QuerySet[Location]:
    """Caucus sites (shared by every team), filtered, by county then name. The place of a
    sensitive event (often someone's home) is never listed: it is seen on that event only."""
    locations = Location.objects.exclude(events__is_sensitive=True).order_by("county", "name", "id")
    if county:
        # Counties are stored canonically, so any spelling of one finds it.
        locations = locations.filter(county=canonical_county(county))
    if zip:
        locations = locations.filter(zip_code=zip)
    if needs_review is not None:
        locations = locations.filter(needs_review=needs_review)
    if placed is not None:
        locations = locations.filter(latitude__isnull=not placed)
    return locations


def zip_centroid(*, zip_code: str) -> tuple[float, float] | None:
    """The mean position of the placed sites in this ZIP code, or None when none is known.

    Offline and honest: it is derived from our own geocoded sites, so it lies where the sites
    are, not at a city or postal centre from some other source.
    """
    points: list[tuple[float, float]] = [
        (lat, lon)
        for lat, lon in Location.objects.filter(
            zip_code=zip_code, latitude__isnull=False, longitude__isnull=False
        )
        # A sensitive event's place would be the answer when it is a ZIP's only site.
        .exclude(events__is_sensitive=True)
        .values_list("latitude", "longitude")
        if lat is not None and lon is not None
    ]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
