"""Caucus sites: create and edit them, place them with the geocoder, import them from CSV."""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import ApplicationError, ErrorCode
from backend.geo.counties import canonical_county
from backend.geo.models import GeocodePrecision
from backend.geo.services import (
    GeocodingUnavailableError,
    geocode_address,
    geocoder_enabled,
    normalize_address_query,
)
from backend.textfiles import LineSource
from events.models import Location

logger = logging.getLogger(__name__)

LOCATION_FIELDS = (
    "name",
    "address",
    "city",
    "county",
    "zip_code",
    "precinct_codes",
    "latitude",
    "longitude",
    "accessibility_notes",
    "capacity",
)

REVIEW_VAGUE = "Address too vague to place (no street, city or ZIP)."
REVIEW_PO_BOX_ONLY = "Only a PO box (a mailing address) was given, no street to place the site."
REVIEW_NO_STREET = "No street address (only a city or ZIP) to place the site."
REVIEW_RURAL_ROUTE = (
    "Rural route address: a route and box number, not a street a geocoder can place; "
    "place it by hand."
)
REVIEW_COARSE = "The geocoder matched only a street, city or county, not the building."
REVIEW_NOT_FOUND = "The geocoder did not find this address."


def location_full_address(location: Location) -> str:
    parts = [location.address, location.city, f"IA {location.zip_code}".strip()]
    return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class PlaceOutcome:
    placed: bool
    note: str


def location_place(*, location: Location) -> PlaceOutcome:
    """Geocode an unplaced location with a street address. A door-level match sets coordinates;
    a coarse or missing match marks it for review and never uses a city or state centre.
    Raises GeocodingUnavailableError when the geocoder is down (nothing changes then)."""
    if location.is_placed:
        return PlaceOutcome(True, "already placed")
    if not location.address or not geocoder_enabled():
        return PlaceOutcome(False, "not geocoded")
    result = geocode_address(location_full_address(location))
    if result is None:
        return PlaceOutcome(False, "not geocoded")
    if result.is_door:
        location.latitude, location.longitude = result.latitude, result.longitude
        location.needs_review, location.review_reason = False, ""
        location.save(
            update_fields=["latitude", "longitude", "needs_review", "review_reason", "updated_at"]
        )
        return PlaceOutcome(True, "geocoded")
    reason = REVIEW_COARSE if result.precision == GeocodePrecision.COARSE else REVIEW_NOT_FOUND
    location.needs_review, location.review_reason = True, reason
    location.save(update_fields=["needs_review", "review_reason", "updated_at"])
    return PlaceOutcome(False, reason)


def _validate_coordinates(fields: dict[str, Any]) -> None:
    lat, lon = fields.get("latitude"), fields.get("longitude")
    if (lat is None) != (lon is None):
        raise ApplicationError(
            "Give both latitude and longitude, or neither.",
            fields={"latitude" if lat is None else "longitude": ["Give both or neither."]},
        )


def location_create(*, actor: User, **fields: Any) -> Location:
    """Create a site; without coordinates it is geocoded (when the geocoder is on)."""
    _validate_coordinates(fields)
    with transaction.atomic():
        location = Location.objects.create(**fields)
        audit_record(actor=actor, action="location.create", target=location)
    if not location.is_placed:
        try:
            location_place(location=location)
        except GeocodingUnavailableError:
            logger.warning("geocoder unavailable; location %s left unplaced", location.pk)
    return location


def location_update(*, actor: User, location: Location, **fields: Any) -> Location:
    """Edit a site. Setting both coordinates places it by hand and clears the review flag."""
    merged = {"latitude": location.latitude, "longitude": location.longitude, **fields}
    _validate_coordinates(merged)
    with transaction.atomic():
        for name, value in fields.items():
            if name not in LOCATION_FIELDS:
                raise TypeError(f"unknown location field: {name}")
            setattr(location, name, value)
        if "latitude" in fields and location.is_placed:
            location.needs_review, location.review_reason = False, ""
        location.save()
        audit_record(
            actor=actor,
            action="location.update",
            target=location,
            details={"fields": sorted(fields)},
        )
    return location


# --- CSV import -----------------------------------------------------------------------------

REQUIRED_COLUMNS = ("county_name", "precinct_id", "name", "address")
_ADDRESS = re.compile(
    r"^(?P<street>.+), (?P<city>[^,]+), IA (?P<zip>\d{5})(?:-\d{4})?$", re.IGNORECASE
)
_PO_BOX = re.compile(r"^P\.?\s*O\.?\s*BOX\b", re.IGNORECASE)
_PO_BOX_PREFIX = re.compile(r"^P\.?\s*O\.?\s*BOX\s+\S+\s*,\s*", re.IGNORECASE)
# "302 WARREN ST PO BOX 114": a street followed by the mailing box; keep the street.
_PO_BOX_SUFFIX = re.compile(r"[\s,]+P\.?\s*O\.?\s*BOX\s+\S+$", re.IGNORECASE)
_RURAL_ROUTE = re.compile(
    r"^(?:RR|R\s+R|RFD|RURAL\s+ROUTE|RURAL\s+RTE)\s*#?\s*\d+\b", re.IGNORECASE
)
_CITY_ZIP = re.compile(r"^(?P<city>[^,]+), IA (?P<zip>\d{5})(?:-\d{4})?$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedAddress:
    street: str
    city: str
    zip_code: str
    extra: str  # a building or grounds name that came on its own line


def parse_site_address(raw: str) -> ParsedAddress | None:
    """Split "STREET, CITY, IA ZIP" (as in the Iowa SOS file) or None when it is too vague.

    The file was exported from Excel: carriage returns inside cells appear as the literal text
    `_x000D_` before a newline. A line that is a PO box is a mailing address, not a place.
    """
    text = raw.replace("_x000D_", "").replace("\r", "")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    # "PO BOX 271, JESUP, IA 50648": keep the city part, drop the mailing box.
    lines = [_PO_BOX_PREFIX.sub("", line) for line in lines]
    lines = [line for line in lines if line and not _PO_BOX.match(line)]
    if not lines:
        return None
    # Re-join "455 6TH ST" + "JESUP, IA 50648" style splits; keep a named-place line apart.
    last = lines[-1]
    match = _ADDRESS.match(last)
    extra_lines = lines[:-1]
    if match is None and len(lines) >= 2:
        match = _ADDRESS.match(", ".join(lines[-2:]))
        extra_lines = lines[:-2]
    if match is None:
        return None
    street = _PO_BOX_SUFFIX.sub("", match["street"].strip()).strip(" ,")
    if not street or _PO_BOX.match(street.split(",")[-1].strip()):
        return None
    return ParsedAddress(
        street=street,
        city=match["city"].strip().upper(),
        zip_code=match["zip"],
        extra=" / ".join(extra_lines),
    )


def site_address_problem(raw: str, parsed: ParsedAddress | None) -> str:
    """Why an address cannot be placed by the geocoder, in the file's own terms; "" when it can.

    A PO box alone is a mailing address; a rural route ("RR 2 BOX 14") is a real address but
    not a street; "IA" alone says nothing."""
    if parsed is not None:
        return REVIEW_RURAL_ROUTE if _RURAL_ROUTE.match(parsed.street) else ""
    text = raw.replace("_x000D_", "").replace("\r", "")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if any(_PO_BOX.match(line) for line in lines):
        return REVIEW_PO_BOX_ONLY
    if lines and _CITY_ZIP.match(lines[-1]):
        return REVIEW_NO_STREET
    return REVIEW_VAGUE


@dataclass
class RowReport:
    row: int  # the data row number, 1 = first row after the header
    status: str  # created | updated | unchanged | merged | error
    location_id: int | None = None
    message: str = ""


@dataclass
class ImportReport:
    rows: list[RowReport] = field(default_factory=list)
    locations_created: int = 0
    locations_updated: int = 0
    locations_unchanged: int = 0
    needs_review: int = 0
    geocoded: int = 0
    geocoder_unavailable: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for row in self.rows if row.status == "error")

    def summary(self) -> dict[str, int | bool]:
        return {
            "rows": len(self.rows),
            "errors": self.errors,
            "locations_created": self.locations_created,
            "locations_updated": self.locations_updated,
            "locations_unchanged": self.locations_unchanged,
            "needs_review": self.needs_review,
            "geocoded": self.geocoded,
            "geocoder_unavailable": self.geocoder_unavailable,
        }


@dataclass
class _Site:
    key: str
    name: str
    county: str
    parsed: ParsedAddress | None
    problem: str = ""
    precincts: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None


def _float_or_none(value: str | None, lo: float, hi: float) -> float | None:
    if value is None or not value.strip():
        return None
    number = float(value)
    if not lo <= number <= hi:
        raise ValueError(f"{value} is out of range")
    return number


def read_sites_csv(stream: IO[str] | IO[bytes]) -> tuple[list[_Site], list[RowReport]]:
    """Group the rows by site: rows at one address (one county) become one location.

    A binary stream is read line by line: a line with a NUL byte or bytes that are not UTF-8
    is reported as an error row naming its physical line, and the rows around it import."""
    errors: list[RowReport] = []
    counter = {"row": 0}
    lines: Any = stream
    if isinstance(stream.read(0), bytes):

        def bad_line(line: int, problem: str) -> None:
            if line == 1:
                errors.append(RowReport(0, "error", message=f"line 1 (the header): {problem}"))
                return
            counter["row"] += 1
            errors.append(RowReport(counter["row"], "error", message=f"line {line}: {problem}"))

        lines = LineSource(stream, bad_line)  # type: ignore[arg-type]
    reader = csv.DictReader(lines)
    missing = [col for col in REQUIRED_COLUMNS if col not in (reader.fieldnames or [])]
    if missing:
        raise ApplicationError(
            f"The CSV lacks the columns: {', '.join(missing)}.",
            code=ErrorCode.INVALID_CSV,
            fields={"file": [f"Missing columns: {', '.join(missing)}"]},
        )
    sites: dict[str, _Site] = {}
    for row in reader:
        counter["row"] += 1
        number = counter["row"]
        name = " ".join((row.get("name") or "").split())
        county = canonical_county(row.get("county_name") or "")
        precinct = (row.get("precinct_id") or "").strip()
        if not name or not county:
            errors.append(RowReport(number, "error", message="name and county_name are required"))
            continue
        try:
            lat = _float_or_none(row.get("latitude"), -90, 90)
            lon = _float_or_none(row.get("longitude"), -180, 180)
        except ValueError as exc:
            errors.append(RowReport(number, "error", message=f"bad coordinates: {exc}"))
            continue
        parsed = parse_site_address(row.get("address") or "")
        if parsed is None:
            # Too vague to be one place: one location per county and site name.
            key = f"VAGUE|{county.upper()}|{normalize_address_query(name)}"
        else:
            key = normalize_address_query(f"{parsed.street} {parsed.city} IA {parsed.zip_code}")
        site = sites.get(key)
        if site is None:
            site = sites[key] = _Site(
                key=key,
                name=name,
                county=county,
                parsed=parsed,
                problem=site_address_problem(row.get("address") or "", parsed),
            )
        if precinct and precinct not in site.precincts:
            site.precincts.append(precinct)
        site.rows.append(number)
        if lat is not None and lon is not None:
            site.latitude, site.longitude = lat, lon
    return list(sites.values()), errors


def _site_values(site: _Site) -> dict[str, Any]:
    parsed = site.parsed
    name = site.name if not parsed or not parsed.extra else f"{site.name} ({parsed.extra})"
    return {
        "name": name[:200],
        "county": site.county,
        "address": parsed.street if parsed else "",
        "city": parsed.city if parsed else "",
        "zip_code": parsed.zip_code if parsed else "",
    }


def _merge_site(location: Location, site: _Site) -> str:
    """Fold the file's facts into an existing location; hand edits (name, notes, capacity,
    coordinates) are kept. Returns "updated" or "unchanged"."""
    status = "unchanged"
    codes = list(location.precinct_codes)
    codes += [code for code in site.precincts if code not in codes]
    if codes != location.precinct_codes:
        location.precinct_codes = codes
        status = "updated"
    if site.latitude is not None and not location.is_placed:
        location.latitude, location.longitude = site.latitude, site.longitude
        location.needs_review, location.review_reason = False, ""
        status = "updated"
    return status


def _upsert_sites(sites: list[_Site]) -> list[tuple[_Site, Location, str]]:
    """Create or update every site in one transaction (a few queries, not one per row)."""
    results: list[tuple[_Site, Location, str]] = []
    with transaction.atomic():
        existing = {
            location.source_key: location
            for location in Location.objects.select_for_update().filter(
                source_key__in=[site.key for site in sites]
            )
        }
        new: list[Location] = []
        for site in sites:
            location = existing.get(site.key)
            if location is None:
                location = Location(
                    source_key=site.key, precinct_codes=site.precincts, **_site_values(site)
                )
                if site.problem:
                    location.needs_review, location.review_reason = True, site.problem
                if site.latitude is not None:
                    location.latitude, location.longitude = site.latitude, site.longitude
                new.append(location)
                results.append((site, location, "created"))
            else:
                status = _merge_site(location, site)
                if status == "updated":
                    location.save()
                results.append((site, location, status))
        Location.objects.bulk_create(new, batch_size=500)
    return results


def sites_import(
    *,
    stream: IO[str] | IO[bytes],
    actor: User | None = None,
    geocode: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import caucus sites from a CSV stream, idempotently, with a report for every row.

    Rows at the same address become one location listing every precinct it serves; importing
    the same file again changes nothing. New unplaced sites are geocoded when the geocoder is
    on; an outage stops geocoding for the rest of the run (the next import retries).
    """
    sites, errors = read_sites_csv(stream)
    report = ImportReport(rows=list(errors))
    upserted = _upsert_sites(sites)
    for done, (site, location, status) in enumerate(upserted, start=1):
        if progress is not None:
            progress(done, len(upserted))
        counter = {"created": "locations_created", "updated": "locations_updated"}.get(
            status, "locations_unchanged"
        )
        setattr(report, counter, getattr(report, counter) + 1)
        note = ""
        if (
            geocode
            and site.parsed
            and not site.problem
            and not location.is_placed
            and not report.geocoder_unavailable
        ):
            try:
                outcome = location_place(location=location)
                note = outcome.note
                report.geocoded += int(outcome.note == "geocoded")
            except GeocodingUnavailableError as exc:
                report.geocoder_unavailable = True
                note = f"geocoder unavailable ({exc}); left unplaced"
        if location.needs_review:
            report.needs_review += 1
            note = note or location.review_reason
        first, *rest = site.rows
        report.rows.append(RowReport(first, status, location.pk, note))
        report.rows.extend(
            RowReport(row, "merged", location.pk, f"same site as row {first}") for row in rest
        )
    report.rows.sort(key=lambda row: row.row)
    audit_record(actor=actor, action="location.import", details=report.summary())
    return report
