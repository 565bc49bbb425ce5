"""The voter-file import: stream a CSV, group voters into households, geocode, upsert in bulk.

Memory stays bounded: rows are read one at a time and written BATCH_SIZE at a time; nothing
grows with the file except the capped list of error lines. Duplicate voter ids across batches
are caught through `Voter.last_import` (the run that last wrote the row) and, for rows found
unchanged (which are not written), the run's `ImportSeenVoter` scratch rows; not an in-memory
set.
Each batch commits on its own, so a problem late in the file never loses what came before.
"""

from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.audit.services import audit_record
from backend.crypto import keyed_hash
from backend.errors import ErrorCode
from backend.geo.counties import canonical_county
from backend.geo.services import (
    GeocoderPausedError,
    GeocodingUnavailableError,
    geocode_address,
    geocoder_enabled,
)
from backend.languages import language_from_text
from backend.textfiles import LineSource
from canvass.errors import ImportFileError
from canvass.geometry import match_key
from canvass.models import (
    GeocodeStatus,
    Household,
    ImportSeenVoter,
    Precinct,
    Voter,
    VoterImport,
)
from canvass.services.addresses import AddressError, NormalizedAddress, normalize_address
from canvass.services.bulk import (
    NewHousehold,
    households_insert,
    matching,
    seen_forget,
    seen_lookup,
    seen_record,
    voters_known,
    voters_upsert,
)
from canvass.services.precincts import PrecinctLocator

BATCH_SIZE = 5000
# Part of every row hash: change it when parsing or normalization changes, so the next import
# of an unchanged file re-parses every row once.
HASH_VERSION = "1"
MAX_REPORTED_PROBLEMS = 1000
HEAD_BYTES = 64 * 1024

# Canonical column -> accepted header spellings (compared lower-case, punctuation as "_").
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "voter_id": (
        "voter_id",
        "state_voter_id",
        "voterid",
        "voter_number",
        "registration_number",
        "regnum",
        "sos_voter_id",
    ),
    "first_name": ("first_name", "firstname", "first", "fname", "given_name"),
    "middle_name": ("middle_name", "middlename", "middle", "mname", "middle_initial"),
    "last_name": ("last_name", "lastname", "last", "lname", "surname", "family_name"),
    "party": ("party", "party_code", "party_affiliation", "political_party"),
    "birth_year": ("birth_year", "year_of_birth", "birthyear", "yob", "birth_date", "dob"),
    "phone": ("phone", "phone_number", "telephone", "cell", "cell_phone", "mobile"),
    "language": ("language", "preferred_language", "language_preference", "lang"),
    "street": (
        "street",
        "address",
        "address1",
        "address_1",
        "address_line_1",
        "street_address",
        "residential_address",
        "res_address",
    ),
    "unit": ("unit", "apt", "apartment", "address2", "address_2", "address_line_2", "unit_number"),
    "city": ("city", "res_city", "town", "municipality"),
    "state": ("state", "st", "res_state", "state_code"),
    "zip": ("zip", "zip_code", "zipcode", "zip5", "postal_code", "postalcode", "res_zip"),
    "county": ("county", "county_name"),
    "precinct": ("precinct", "precinct_name"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
}
REQUIRED_COLUMNS = ("voter_id", "first_name", "last_name", "street")
_HEADER_CLEAN = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"\D+")
_YEAR = re.compile(r"(19|20)\d{2}")


# What a re-import compares (never the encrypted phone itself: its keyed hash stands in).
VOTER_COMPARED = (
    "state_voter_id",
    "first_name",
    "middle_name",
    "last_name",
    "party",
    "birth_year",
    "phone_hash",
    "language",
    "household_id",
    "last_import_id",
)


class RowError(ValueError):
    pass


@dataclass
class ImportReport:
    import_id: int | None = None
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    households_created: int = 0
    households_updated: int = 0
    geocoding: dict[str, int] = field(
        default_factory=lambda: {
            "geocoded": 0,
            "cached": 0,
            "needs_review": 0,
            "not_found": 0,
            "failed": 0,
            "pending": 0,
        }
    )
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    problems_not_listed: int = 0
    aborted: str | None = None
    geocoder_paused: bool = False

    def _note(self, bucket: list[dict[str, Any]], entry: dict[str, Any]) -> None:
        if len(self.errors) + len(self.warnings) < MAX_REPORTED_PROBLEMS:
            bucket.append(entry)
        else:
            self.problems_not_listed += 1

    def skip(self, line: int, reason: str) -> None:
        self.skipped += 1
        self._note(self.errors, {"line": line, "reason": reason})

    def warn(self, line: int, reason: str) -> None:
        self._note(self.warnings, {"line": line, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "geocoding": dict(self.geocoding),
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "problems_not_listed": self.problems_not_listed,
            "aborted": self.aborted,
            "geocoder_paused": self.geocoder_paused,
            "geocoder_note": (
                "The geocoder failed repeatedly and was paused; doors without coordinates are "
                "stored pending and geocoded later (geocode_pending)."
                if self.geocoder_paused
                else ""
            ),
        }

    def counts(self) -> dict[str, Any]:
        data = self.as_dict()
        data["errors"] = len(self.errors)
        data["warnings"] = len(self.warnings)
        return data


@dataclass
class ParsedRow:
    line: int
    voter_id: str
    first_name: str
    middle_name: str
    last_name: str
    party: str
    birth_year: int | None
    phone: str
    language: str
    address: NormalizedAddress
    county: str
    precinct: str
    latitude: float | None
    longitude: float | None
    source_hash: str = ""


def _header_key(name: str) -> str:
    return _HEADER_CLEAN.sub("_", name.strip().lower()).strip("_")


def map_header(header: list[str]) -> dict[str, int]:
    """Canonical column -> index. Raises ImportFileError when required columns are missing."""
    positions = {_header_key(name): index for index, name in reversed(list(enumerate(header)))}
    columns: dict[str, int] = {}
    for canonical, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in positions:
                columns[canonical] = positions[alias]
                break
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            "This is not a voter-file CSV: missing column(s) " + ", ".join(missing) + ".",
            code=ErrorCode.MISSING_COLUMNS,
        )
    return columns


def normalize_phone(text: str) -> str:
    """US phone number in E.164, or '' when blank. Raises RowError when it cannot be one.

    Row errors never quote personal values (phone, coordinates, birth year): the report is
    stored with the import and shown to whoever uploads."""
    text = text.strip()
    if not text:
        return ""
    digits = _DIGITS.sub("", text)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    # NANP: area code and exchange cannot start with 0 or 1. A fast path that covers voter files;
    # anything else goes through phonenumbers.
    if len(digits) == 10 and digits[0] not in "01" and digits[3] not in "01":
        return "+1" + digits
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise RowError("bad phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise RowError("bad phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _coordinate(text: str, name: str, low: float, high: float) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"bad coordinates: {name} is not a number") from None
    if not (low <= value <= high) or value != value:
        raise RowError(f"bad coordinates: {name} out of range")
    return value


def _birth_year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    match = _YEAR.search(text)
    if not match:
        raise RowError("bad birth year")
    return int(match.group(0))


# The columns parse_row reads, in the order of `_cells`' result.
PARSED_COLUMNS = (
    "voter_id",
    "first_name",
    "middle_name",
    "last_name",
    "party",
    "birth_year",
    "phone",
    "language",
    "street",
    "unit",
    "city",
    "state",
    "zip",
    "county",
    "precinct",
    "latitude",
    "longitude",
)
# A column the file lacks reads from this index, past the end of any row: "".
_ABSENT = 1 << 30


@lru_cache(maxsize=4096)
def _county(text: str) -> str:
    # A voter file spells a few hundred counties at most: look each spelling up once.
    return canonical_county(text)[:80]


@lru_cache(maxsize=256)
def _language(text: str, configured: tuple[str, ...]) -> str:
    # The configured code ("Spanish", "español", "es" -> "es"), empty when it names none; a file
    # spells a handful of languages, each looked up once (per language setting).
    return language_from_text(text) or ""


def column_indices(columns: dict[str, int]) -> tuple[int, ...]:
    """Where each of PARSED_COLUMNS is in a row (computed once per file, not per row)."""
    return tuple(columns.get(name, _ABSENT) for name in PARSED_COLUMNS)


def parse_row(
    line: int, row: list[str], columns: dict[str, int], indices: tuple[int, ...] | None = None
) -> ParsedRow:
    size = len(row)
    (
        voter_id,
        first_name,
        middle_name,
        last_name,
        party,
        birth_year,
        phone,
        language,
        street,
        unit,
        city,
        state,
        zip_code,
        county,
        precinct,
        latitude_text,
        longitude_text,
    ) = [
        row[index].strip() if index < size else "" for index in (indices or column_indices(columns))
    ]
    if not voter_id:
        raise RowError("missing voter id")
    if len(voter_id) > 40:
        raise RowError("voter id longer than 40 characters")
    if not first_name and not last_name:
        raise RowError("missing name")
    try:
        address = normalize_address(
            street=street, unit=unit, city=city, state=state, zip_code=zip_code
        )
    except AddressError as exc:
        raise RowError(f"unparseable address: {exc}") from None
    latitude = _coordinate(latitude_text, "latitude", -90, 90) if latitude_text else None
    longitude = _coordinate(longitude_text, "longitude", -180, 180) if longitude_text else None
    if (latitude is None) != (longitude is None):
        raise RowError("bad coordinates: latitude and longitude must come together")
    return ParsedRow(
        line=line,
        voter_id=voter_id,
        first_name=first_name[:80],
        middle_name=middle_name[:80],
        last_name=last_name[:80],
        party=party[:40],
        birth_year=_birth_year(birth_year) if birth_year else None,
        phone=normalize_phone(phone) if phone else "",
        language=_language(language, tuple(settings.FIELD_LANGUAGES)) if language else "",
        address=address,
        county=_county(county) if county else "",
        precinct=precinct,
        latitude=latitude,
        longitude=longitude,
    )


def check_file_head(stream: IO[bytes]) -> None:
    """Refuse what is not a UTF-8 text file at all, then rewind: empty, UTF-16, or a file in
    another encoding (the start has bytes that are not UTF-8 and not one valid multi-byte UTF-8
    character, as a Latin-1 or Windows-1252 export does). A stray bad byte in a UTF-8 file is a
    problem of its line, not of the file (see backend.textfiles), and so is a NUL byte."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head or not head.strip():
        raise ImportFileError("The file is empty.", code=ErrorCode.EMPTY_FILE)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            "The file is UTF-16; save it as UTF-8 (with or without BOM).",
            code=ErrorCode.BAD_ENCODING,
        )
    lines = head.split(b"\n")
    if len(head) == HEAD_BYTES:
        lines = lines[:-1]  # the last one may be cut mid-character
    first_bad: int | None = None
    bad_lines = 0
    valid_multibyte = False
    for number, raw in enumerate(lines[1:], start=2):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            first_bad = first_bad or number
            bad_lines += 1
            continue
        valid_multibyte = valid_multibyte or not text.isascii()
    # More than 1 line in 20 not UTF-8, and no UTF-8 accent anywhere: another encoding.
    data_lines = max(len(lines) - 1, 1)
    if first_bad is not None and not valid_multibyte and bad_lines * 20 > data_lines:
        raise ImportFileError(
            f"The file is not UTF-8 (first at line {first_bad}); save it as UTF-8.",
            code=ErrorCode.BAD_ENCODING,
        )


def read_header(stream: IO[bytes]) -> dict[str, int]:
    """Map the first line's columns; the stream is left after it. Raises ImportFileError."""
    problems: list[tuple[int, str]] = []
    source = LineSource(stream, lambda line, problem: problems.append((line, problem)))
    reader = csv.reader(source)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty.", code=ErrorCode.EMPTY_FILE) from None
    except csv.Error as exc:
        raise ImportFileError(
            f"The file is not a readable CSV: {exc}", code=ErrorCode.NOT_CSV
        ) from None
    if problems and problems[0][0] == 1:
        raise ImportFileError(
            f"This is not a CSV text file: line 1 (the header): {problems[0][1]}.",
            code=ErrorCode.NOT_CSV,
        )
    return map_header(header)


class _Batcher:
    """Per-import lookups that do not grow with the file: precincts by name and the locator."""

    def __init__(self, run: VoterImport, report: ImportReport, columns: dict[str, int]) -> None:
        self.run = run
        self.report = report
        self.columns = columns
        shape = ",".join(f"{name}={index}" for name, index in sorted(columns.items()))
        self.hash_prefix = f"{HASH_VERSION}|{shape}|"
        self.indices = column_indices(columns)
        # A resumed run may have found unchanged lines before it was interrupted.
        self.seen_any = ImportSeenVoter.objects.filter(import_run=run).exists()
        self.precinct_ids: dict[tuple[str, str], int] = {
            (county_key, name_key): pk
            for pk, county_key, name_key in Precinct.objects.values_list(
                "id", "county_key", "name_key"
            )
        }
        self.locator = PrecinctLocator()
        self.geocoding = geocoder_enabled()

    def _geocode(self, row: ParsedRow, household: Household) -> None:
        counts = self.report.geocoding
        if not self.geocoding:
            counts["pending"] += 1
            household.geocode_status = GeocodeStatus.PENDING
            return
        try:
            result = geocode_address(row.address.building_line)
        except GeocoderPausedError:
            # The breaker is open: store the door now, heal it later (geocode_pending).
            counts["pending"] += 1
            household.geocode_status = GeocodeStatus.PENDING
            self.report.geocoder_paused = True
            return
        except GeocodingUnavailableError as exc:
            counts["failed"] += 1
            household.geocode_status = GeocodeStatus.FAILED
            # Only the error's class: geopy's messages can quote the request URL, i.e. the address.
            self.report.warn(row.line, f"geocoder unavailable: {str(exc).split(':')[0]}")
            return
        if result is None:
            counts["pending"] += 1
            return
        if result.cached:
            counts["cached"] += 1
        if result.is_door and result.latitude is not None and result.longitude is not None:
            counts["geocoded"] += 1
            household.latitude, household.longitude = result.latitude, result.longitude
            household.geocode_status = GeocodeStatus.GEOCODED
        elif result.precision == "coarse":
            counts["needs_review"] += 1
            household.geocode_status = GeocodeStatus.NEEDS_REVIEW
            self.report.warn(row.line, "geocoder match too coarse for a door; needs review")
        else:
            counts["not_found"] += 1
            household.geocode_status = GeocodeStatus.FAILED
            self.report.warn(row.line, "geocoder found no match for the address")

    def _households(self, rows: list[ParsedRow]) -> dict[str, Household]:
        now = timezone.now()
        keys = {row.address.key for row in rows}
        existing = {h.address_key: h for h in matching(Household, "address_key", keys)}
        new: dict[str, Household] = {}
        changed: dict[str, Household] = {}
        by_key: dict[str, ParsedRow] = {}
        for row in rows:
            # The first row of an address describes it, unless a later one brings coordinates.
            current = by_key.get(row.address.key)
            if current is None or (current.latitude is None and row.latitude is not None):
                by_key[row.address.key] = row
        for key, row in by_key.items():
            household: Any = existing.get(key)
            if household is None:
                address = row.address
                household = NewHousehold(
                    street=address.street,
                    unit=address.unit,
                    city=address.city,
                    state=address.state,
                    zip_code=address.zip_code,
                    address_key=key,
                    county=row.county,
                )
                new[key] = household
            elif row.county and household.county != row.county:
                household.county = row.county
                changed[key] = household
            if row.latitude is not None and row.longitude is not None:
                if (household.latitude, household.longitude) != (row.latitude, row.longitude) or (
                    household.geocode_status != GeocodeStatus.PROVIDED
                ):
                    household.latitude, household.longitude = row.latitude, row.longitude
                    household.geocode_status = GeocodeStatus.PROVIDED
                    household.precinct_id = None
                    if key not in new:
                        changed[key] = household
            elif household.latitude is None and (
                key in new
                or (
                    self.geocoding
                    and household.geocode_status in (GeocodeStatus.PENDING, GeocodeStatus.FAILED)
                )
            ):
                before = household.geocode_status
                self._geocode(row, household)
                if key not in new and household.geocode_status != before:
                    changed[key] = household
            if row.precinct:
                precinct_id = self.precinct_ids.get(
                    (match_key(row.county or household.county), match_key(row.precinct))
                )
                if precinct_id is None:
                    self.report.warn(row.line, "precinct not found; located by coordinates")
                elif household.precinct_id != precinct_id:
                    household.precinct_id = precinct_id
                    if key not in new:
                        changed[key] = household
        self._locate([*new.values(), *changed.values()])
        if new:
            households_insert(list(new.values()), now)
            self.report.households_created += len(new)
        if changed:
            for household in changed.values():
                household.updated_at = now
            Household.objects.bulk_update(
                list(changed.values()),
                fields=[
                    "county",
                    "latitude",
                    "longitude",
                    "geocode_status",
                    "precinct",
                    "updated_at",
                ],
            )
            self.report.households_updated += len(changed)
        return {**existing, **new}

    def _locate(self, households: list[Household]) -> None:
        """Point-in-polygon for households with coordinates but no precinct."""
        todo = [
            h
            for h in households
            if h.precinct_id is None and h.latitude is not None and h.longitude is not None
        ]
        if not todo or not self.precinct_ids:
            return
        self.locator.load_around([(h.latitude, h.longitude) for h in todo])  # type: ignore[misc]
        for household in todo:
            precinct_id = self.locator.locate(household.latitude, household.longitude)  # type: ignore[arg-type]
            if precinct_id is not None:
                household.precinct_id = precinct_id
                if not household.county:
                    household.county = self.locator.county_of(precinct_id)

    def write(self, rows: list[ParsedRow], known: Collection[str] | None = None) -> None:
        """Write parsed rows. `known`, when given, holds the voter ids of the batch found in the
        table just before (in this transaction): only those are loaded to compare."""
        report = self.report
        unique: dict[str, ParsedRow] = {}
        for row in rows:
            if row.voter_id in unique:
                report.skip(
                    row.line,
                    f"duplicate voter id in this file (first at line {unique[row.voter_id].line})",
                )
            else:
                unique[row.voter_id] = row
        lookup = list(unique) if known is None else [i for i in unique if i in known]
        existing = {
            voter.state_voter_id: voter
            for voter in (matching(Voter, "state_voter_id", lookup) if lookup else ())
        }
        rows = []
        for voter_id, row in unique.items():
            found = existing.get(voter_id)
            if found is not None and found.last_import_id == self.run.pk:
                report.skip(row.line, "duplicate voter id in this file (an earlier line)")
                continue
            rows.append(row)
        if not rows:
            return
        with transaction.atomic():
            households = self._households(rows)
            upserts: list[tuple[Any, ...]] = []
            unchanged_ids: list[str] = []
            now = timezone.now()
            run_id = self.run.pk
            hashes: dict[str, str] = {}
            for row in rows:
                phone = row.phone
                phone_hash = ""
                if phone:
                    phone_hash = hashes.get(phone) or hashes.setdefault(phone, keyed_hash(phone))
                household_id = households[row.address.key].pk
                found = existing.get(row.voter_id)
                if found is not None:
                    if (
                        found.first_name == row.first_name
                        and found.middle_name == row.middle_name
                        and found.last_name == row.last_name
                        and found.party == row.party
                        and found.birth_year == row.birth_year
                        and found.phone_hash == phone_hash
                        and found.language == row.language
                        and found.household_id == household_id
                    ):
                        # Same facts, spelled differently in the file: still not written.
                        unchanged_ids.append(row.voter_id)
                        report.unchanged += 1
                        continue
                    report.updated += 1
                else:
                    report.created += 1
                upserts.append(
                    (
                        row.voter_id,
                        row.first_name,
                        row.middle_name,
                        row.last_name,
                        row.party,
                        row.birth_year,
                        phone,
                        phone_hash,
                        row.language,
                        household_id,
                        run_id,
                        row.source_hash,
                        now,
                        now,
                    )
                )
            voters_upsert(upserts, all_new=not any(r[0] in existing for r in upserts))
            if unchanged_ids:
                self.seen_any = True
                seen_record(self.run.pk, unchanged_ids)

    def write_raw(self, lines: list[tuple[int, list[str]]]) -> None:
        """Write a batch of CSV records. A line whose cells hash as they did when its voter was
        last imported is unchanged: counted, remembered for the duplicate check, and neither
        parsed nor written (unless its door still waits for geocoding and the geocoder is on).
        The rest is parsed and written by `write`."""
        report = self.report
        voter_index = self.columns["voter_id"]
        ids = {row[voter_index].strip() for _, row in lines if voter_index < len(row)}
        ids.discard("")
        known = voters_known(ids, with_geocoding=self.geocoding)
        # Ids found unchanged earlier in this run: only worth asking once there are some.
        seen = seen_lookup(self.run.pk, ids) if self.seen_any else set()
        first_line: dict[str, int] = {}
        unchanged: list[str] = []
        parsed: list[ParsedRow] = []
        for line, row in lines:
            voter_id = row[voter_index].strip() if voter_index < len(row) else ""
            if voter_id and voter_id in first_line:
                report.skip(
                    line, f"duplicate voter id in this file (first at line {first_line[voter_id]})"
                )
                continue
            found = known.get(voter_id)
            if voter_id in seen or (found is not None and found[1] == self.run.pk):
                report.skip(line, "duplicate voter id in this file (an earlier line)")
                continue
            source_hash = self.row_hash(row)
            if found is not None and found[0] == source_hash and not (self.geocoding and found[2]):
                first_line[voter_id] = line
                unchanged.append(voter_id)
                report.unchanged += 1
                continue
            try:
                item = parse_row(line, row, self.columns, self.indices)
            except RowError as exc:
                report.skip(line, str(exc))
                continue
            item.source_hash = source_hash
            first_line[voter_id] = line
            parsed.append(item)
        with transaction.atomic():
            if unchanged:
                self.seen_any = True
                # The scratch table's unique key is the duplicate check for unchanged lines.
                for voter_id in set(unchanged) - seen_record(self.run.pk, unchanged):
                    report.unchanged -= 1
                    report.skip(
                        first_line[voter_id], "duplicate voter id in this file (an earlier line)"
                    )
            if parsed:
                self.write(parsed, known)

    def row_hash(self, row: list[str]) -> str:
        # The whole record (with the header's shape in the version): a change in a column the
        # import ignores only costs a re-parse.
        text = self.hash_prefix + "\x1f".join(row)
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def voters_import(
    *,
    actor: Any | None,
    stream: IO[bytes],
    source_name: str = "",
    ip_address: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import a voter-file CSV from a binary, seekable stream in one go; return the report.

    Idempotent: voters are matched by state voter id and updated, households by normalized
    address. Bad rows (and lines with bad bytes) are skipped and listed with their line and
    reason; file-level problems (empty, UTF-16, missing required columns) raise ImportFileError
    before anything is written. Background jobs use `voter_file_process` directly.
    """
    check_file_head(stream)
    columns = read_header(stream)
    run = VoterImport.objects.create(created_by=actor, source_name=source_name[:200])
    report = ImportReport(import_id=run.pk)
    voter_file_process(
        stream=stream, columns=columns, run=run, report=report, batch_size=batch_size
    )
    voter_import_finish(run=run, report=report, actor=actor, ip_address=ip_address)
    return report


def voter_import_finish(
    *, run: VoterImport, report: ImportReport, actor: Any | None, ip_address: str | None = None
) -> None:
    seen_forget(run.pk)
    run.finished_at = timezone.now()
    run.report = report.as_dict()
    run.save(update_fields=["finished_at", "report"])
    audit_record(
        actor=actor,
        action="voters.import",
        target=run,
        ip_address=ip_address,
        details=report.counts(),
    )


@contextmanager
def _collector_paused() -> Iterator[Callable[[], int]]:
    """Pause the cyclic garbage collector for an import: it otherwise runs every few hundred
    allocations and re-scans the whole (growing) heap, a large share of a voter import's time.
    What Django loaded before is frozen out of every scan; the caller runs the returned
    function after each batch, which collects only that batch's objects, so memory stays flat.
    The collector's previous state is restored afterwards, whatever happens."""
    was_enabled = gc.isenabled()
    # A process that froze its heap itself (a pre-forking server) keeps its own freeze.
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.freeze()
    gc.disable()
    try:
        yield lambda: gc.collect(1)
    finally:
        if ours:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def voter_file_process(
    *,
    stream: IO[bytes],
    columns: dict[str, int],
    run: VoterImport,
    report: ImportReport,
    batch_size: int = BATCH_SIZE,
    start_offset: int = 0,
    start_line: int = 2,
    after_batch: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> bool:
    """Read data lines from `start_offset` (just after the header when 0) and write them in
    batches. `after_batch(offset, next_line)` runs inside each batch's transaction, so a
    checkpoint saved there commits together with the rows it covers. Returns True when the
    file was read to its end, False when `should_stop()` asked to stop between batches."""
    if not start_offset:
        stream.seek(0)
        read_header(stream)
        start_offset, start_line = stream.tell(), 2

    def bad_line(line: int, problem: str) -> None:
        report.rows_read += 1
        report.skip(line, problem)

    source = LineSource(
        stream,
        bad_line,
        start_offset=start_offset,
        start_line=start_line,
    )
    reader = csv.reader(source)
    batcher = _Batcher(run, report, columns)
    batch: list[tuple[int, list[str]]] = []

    def flush() -> None:
        with transaction.atomic():
            if batch:
                batcher.write_raw(batch)
            if after_batch is not None:
                after_batch(source.offset, source.line + 1)

    with _collector_paused() as collect:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                # csv.reader starts a fresh record after an error: report the line, go on.
                report.rows_read += 1
                report.skip(source.record_start, f"not a readable CSV line ({exc})")
                source.end_record()
                continue
            line = source.record_start
            source.end_record()
            if not "".join(row).strip():
                continue
            report.rows_read += 1
            batch.append((line, row))
            if len(batch) >= batch_size:
                flush()
                batch = []
                collect()
                if should_stop is not None and should_stop():
                    return False
        flush()
    return True
