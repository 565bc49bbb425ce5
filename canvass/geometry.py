"""Geometry helpers over shapely: GeoJSON validation, repair, bboxes and point-in-polygon."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep
from shapely.validation import explain_validity

_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")


def shared_data_dir() -> Path:
    """The read-only real public data (settings.SHARED_DATA_DIR, ../shared/data by default)."""
    return Path(settings.SHARED_DATA_DIR)


def match_key(text: str) -> str:
    """Case- and punctuation-insensitive key: "O'Brien" and "Obrien" both give "OBRIEN"."""
    return _NOT_ALNUM.sub("", (text or "").upper())


class GeometryError(ValueError):
    """The GeoJSON is not a usable polygon; the message says why."""


@dataclass(frozen=True)
class AreaGeometry:
    geometry: Polygon | MultiPolygon
    repaired: bool = False
    invalid_reason: str = ""

    @property
    def geojson(self) -> dict[str, Any]:
        return _as_geojson(self.geometry)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(min_lat, max_lat, min_lon, max_lon)."""
        min_lon, min_lat, max_lon, max_lat = self.geometry.bounds
        return min_lat, max_lat, min_lon, max_lon


def _as_geojson(geometry: BaseGeometry) -> dict[str, Any]:
    data = mapping(geometry)
    # mapping() gives tuples; JSON columns and clients want lists.
    return {"type": data["type"], "coordinates": _lists(data["coordinates"])}


def _lists(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value


def _check_ranges(coordinates: Any) -> None:
    if (
        isinstance(coordinates, list | tuple)
        and coordinates
        and isinstance(coordinates[0], int | float)
    ):
        if len(coordinates) < 2:
            raise GeometryError("A position needs longitude and latitude.")
        lon, lat = coordinates[0], coordinates[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeometryError(f"Coordinates out of range: [{lon}, {lat}] (expected [lon, lat]).")
        return
    if not isinstance(coordinates, list | tuple):
        raise GeometryError("Coordinates must be nested arrays of numbers.")
    for item in coordinates:
        _check_ranges(item)


def _check_rings_closed(kind: str, coordinates: Any) -> None:
    """GeoJSON (RFC 7946, 3.1.6) requires each linear ring to end where it starts; shapely would
    silently close it, drawing an edge the author never drew."""
    polygons = [coordinates] if kind == "Polygon" else coordinates
    for polygon in polygons or []:
        for ring in polygon or []:
            # Shorter rings are refused by shapely as malformed, with its own message.
            if len(ring) >= 3 and list(ring[0][:2]) != list(ring[-1][:2]):
                raise GeometryError(
                    "A polygon ring is not closed: its last position must repeat the first."
                )


def _polygonal(geometry: BaseGeometry) -> Polygon | MultiPolygon:
    """Keep the polygonal parts (make_valid may add stray lines or points)."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    polygons: list[Polygon] = []
    for part in getattr(geometry, "geoms", []):
        if isinstance(part, Polygon):
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
    if not polygons:
        raise GeometryError("The geometry has no area.")
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def parse_area(data: Any, *, repair: bool) -> AreaGeometry:
    """Parse a GeoJSON Polygon/MultiPolygon (or a Feature holding one).

    Invalid rings (self-intersections) raise GeometryError unless `repair`, in which case
    shapely's make_valid fixes them and the result records why it was invalid.
    """
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeometryError("Expected a GeoJSON Polygon or MultiPolygon.")
    _check_ranges(data.get("coordinates"))
    _check_rings_closed(data["type"], data.get("coordinates"))
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise GeometryError(f"Malformed GeoJSON coordinates: {exc}") from None
    if geometry.is_empty:
        raise GeometryError("The polygon is empty.")
    if geometry.is_valid:
        return AreaGeometry(_polygonal(geometry))
    reason = explain_validity(geometry)
    if not repair:
        raise GeometryError(f"Invalid polygon: {reason}.")
    repaired = _polygonal(make_valid(geometry))
    if repaired.is_empty or repaired.area == 0:
        raise GeometryError(f"Invalid polygon that cannot be repaired: {reason}.")
    return AreaGeometry(repaired, repaired=True, invalid_reason=reason[:300])


class PreparedAreas:
    """Prepared shapely geometries keyed by id, built once and reused for many points."""

    def __init__(self) -> None:
        self._prepared: dict[int, PreparedGeometry] = {}

    def add(self, key: int, geojson: dict[str, Any]) -> None:
        if key not in self._prepared:
            self._prepared[key] = prep(shape(geojson))

    def __contains__(self, key: int) -> bool:
        return key in self._prepared

    def contains(self, key: int, lon: float, lat: float) -> bool:
        from shapely.geometry import Point

        return bool(self._prepared[key].contains(Point(lon, lat)))


def points_inside(
    geometry: Polygon | MultiPolygon, points: Iterable[tuple[int, float, float]]
) -> list[int]:
    """Ids of (id, lat, lon) points strictly inside the area (holes excluded)."""
    import shapely

    items = list(points)
    if not items:
        return []
    ids = [item[0] for item in items]
    shapely.prepare(geometry)
    inside = shapely.contains_xy(geometry, [item[2] for item in items], [item[1] for item in items])
    return [key for key, flag in zip(ids, inside, strict=True) if flag]
