"""Loading precinct boundaries and finding the precinct around a point."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from backend.audit.services import audit_record
from backend.geo.counties import canonical_county
from canvass.geometry import GeometryError, PreparedAreas, match_key, parse_area
from canvass.models import Precinct

PRECINCT_FIELDS = [
    "county",
    "name",
    "district",
    "boundary",
    "min_lat",
    "max_lat",
    "min_lon",
    "max_lon",
    "geometry_repaired",
    "invalid_reason",
]


@dataclass
class PrecinctImportReport:
    features: int = 0
    created: int = 0
    updated: int = 0
    repaired: int = 0
    skipped: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "created": self.created,
            "updated": self.updated,
            "repaired": self.repaired,
            "skipped": self.skipped,
            "problems": self.problems,
        }


def _property(properties: dict[str, Any], *names: str) -> str:
    lowered = {str(key).lower(): value for key, value in properties.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return str(value).strip()
    return ""


def precincts_import(
    *, path: Path, actor: Any | None = None, counties: list[str] | None = None
) -> PrecinctImportReport:
    """Load (or update) precincts from a GeoJSON FeatureCollection.

    County comes from COUNTY/county, name from NAME/PRECINCT. Invalid polygons are repaired
    with make_valid and flagged (`geometry_repaired`, `invalid_reason`); features that cannot
    be used are reported per feature, never silently dropped. `counties` limits the load to
    those counties (matched ignoring case and punctuation). Re-running updates in place.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GeometryError(f"Cannot read GeoJSON: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeometryError("Expected a GeoJSON FeatureCollection.")
    wanted = {match_key(county) for county in counties} if counties else None
    report = PrecinctImportReport()
    existing = {(p.county_key, p.name_key): p for p in Precinct.objects.all()}
    to_create: list[Precinct] = []
    to_update: list[Precinct] = []
    for index, feature in enumerate(data.get("features") or []):
        properties = (feature or {}).get("properties") or {}
        county = canonical_county(_property(properties, "COUNTY", "county_name"))
        if wanted is not None and match_key(county) not in wanted:
            continue
        report.features += 1
        name = _property(properties, "NAME", "PRECINCT", "precinct_name")
        where = {"feature": index, "county": county, "name": name}
        if not county or not name:
            report.skipped += 1
            report.problems.append({**where, "error": "missing county or precinct name"})
            continue
        try:
            area = parse_area((feature or {}).get("geometry"), repair=True)
        except GeometryError as exc:
            report.skipped += 1
            report.problems.append({**where, "error": str(exc)})
            continue
        if area.repaired:
            report.repaired += 1
            report.problems.append({**where, "repaired": area.invalid_reason})
        min_lat, max_lat, min_lon, max_lon = area.bbox
        values = {
            "county": county,
            "name": name,
            "district": _property(properties, "DISTRICT")[:80],
            "boundary": area.geojson,
            "min_lat": min_lat,
            "max_lat": max_lat,
            "min_lon": min_lon,
            "max_lon": max_lon,
            "geometry_repaired": area.repaired,
            "invalid_reason": area.invalid_reason,
        }
        key = (match_key(county), match_key(name))
        precinct = existing.get(key)
        if precinct is None:
            precinct = Precinct(county_key=key[0], name_key=key[1], **values)
            existing[key] = precinct
            to_create.append(precinct)
        else:
            for attr, value in values.items():
                setattr(precinct, attr, value)
            if precinct.pk is not None and precinct not in to_update:
                to_update.append(precinct)
    with transaction.atomic():
        Precinct.objects.bulk_create(to_create, batch_size=200)
        if to_update:
            Precinct.objects.bulk_update(to_update, fields=PRECINCT_FIELDS, batch_size=200)
        report.created = len(to_create)
        report.updated = len(to_update)
        audit_record(
            actor=actor,
            action="precincts.import",
            target_type="canvass.precinct",
            details={k: v for k, v in report.as_dict().items() if k != "problems"},
        )
    return report


class PrecinctLocator:
    """Finds the precinct containing a point: SQL bbox prefilter, then prepared shapely contains.

    Candidate precincts are loaded once per bbox query and their prepared geometries cached, so
    locating many households (an import batch) costs one query per batch.
    """

    def __init__(self) -> None:
        self._areas = PreparedAreas()
        self._boxes: dict[int, tuple[float, float, float, float]] = {}
        self._county: dict[int, str] = {}

    def load_around(self, points: list[tuple[float, float]]) -> None:
        if not points:
            return
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        candidates = Precinct.objects.filter(
            min_lat__lte=max(lats),
            max_lat__gte=min(lats),
            min_lon__lte=max(lons),
            max_lon__gte=min(lons),
        ).exclude(pk__in=list(self._boxes))
        for precinct in candidates.only(
            "id", "county", "boundary", "min_lat", "max_lat", "min_lon", "max_lon"
        ):
            self._areas.add(precinct.pk, precinct.boundary)
            self._boxes[precinct.pk] = (
                precinct.min_lat,
                precinct.max_lat,
                precinct.min_lon,
                precinct.max_lon,
            )
            self._county[precinct.pk] = precinct.county

    def locate(self, lat: float, lon: float) -> int | None:
        for pk, (min_lat, max_lat, min_lon, max_lon) in self._boxes.items():
            inside_box = min_lat <= lat <= max_lat and min_lon <= lon <= max_lon
            if inside_box and self._areas.contains(pk, lon, lat):
                return pk
        return None

    def county_of(self, precinct_id: int) -> str:
        return self._county.get(precinct_id, "")


def precinct_for_point(*, latitude: float, longitude: float) -> Precinct | None:
    """The precinct containing the point, if any."""
    locator = PrecinctLocator()
    locator.load_around([(latitude, longitude)])
    pk = locator.locate(latitude, longitude)
    return Precinct.objects.get(pk=pk) if pk else None
