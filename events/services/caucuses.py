"""Caucuses: create them, give them sites, link each precinct to its site (by hand or from the
polling-place file through the matcher). Every write is audited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import ApplicationError, ConflictError, ErrorCode, NotFoundError
from events.caucus_matching import MATCHED, MatchReport, PrecinctCandidate, match_rows
from events.errors import PrecinctAlreadyLinkedError, SatelliteHasNoPrecinctError
from events.models import Caucus, CaucusKind, CaucusPrecinct, CaucusSite, Location
from events.services.common import validate_time_zone

SOURCE_HAND, SOURCE_MATCHER = "hand", "matcher"


def caucus_create(
    *,
    actor: User,
    name: str,
    party: str,
    kind: str,
    date: date,
    start_time: time,
    time_zone: str | None = None,
) -> Caucus:
    """A caucus on a local date and local start time in `time_zone`, stored in UTC. The offset
    is the zone's on that date, so a caucus in winter is -06:00 in Iowa and one in summer -05:00.
    """
    time_zone = time_zone or settings.TIME_ZONE
    zone = validate_time_zone(time_zone)
    starts_at = datetime.combine(date, start_time, tzinfo=zone)
    with transaction.atomic():
        caucus = Caucus.objects.create(
            name=name,
            party=party,
            kind=kind,
            date=date,
            starts_at=starts_at,
            time_zone=time_zone,
            created_by=actor,
        )
        audit_record(actor=actor, action="caucus.create", target=caucus)
    return caucus


def _check_site_kind(caucus: Caucus, satellite_kind: str) -> None:
    if caucus.kind == CaucusKind.SATELLITE and not satellite_kind:
        raise ApplicationError(
            "A satellite caucus site needs its kind.",
            fields={"satellite_kind": ["Required for a satellite caucus."]},
        )
    if caucus.kind == CaucusKind.PRECINCT and satellite_kind:
        raise ApplicationError(
            "Only a satellite caucus has satellite sites.",
            fields={"satellite_kind": ["Only for a satellite caucus."]},
        )


def caucus_site_create(
    *,
    actor: User,
    caucus: Caucus,
    location: Location,
    satellite_kind: str = "",
    eligibility_notes: str = "",
) -> CaucusSite:
    """Make a location a site of the caucus (a satellite site with its kind and who may attend).
    The same location twice is a 409."""
    _check_site_kind(caucus, satellite_kind)
    if CaucusSite.objects.filter(caucus=caucus, location=location).exists():
        raise ConflictError(
            "This location is already a site of this caucus.",
            fields={"location": ["Already a site of this caucus."]},
        )
    try:
        with transaction.atomic():
            site = CaucusSite.objects.create(
                caucus=caucus,
                location=location,
                satellite_kind=satellite_kind,
                eligibility_notes=eligibility_notes,
            )
            audit_record(
                actor=actor,
                action="caucus.site_create",
                target=site,
                details={"caucus": caucus.pk, "location": location.pk},
            )
    except IntegrityError:
        raise ConflictError(
            "This location is already a site of this caucus.",
            fields={"location": ["Already a site of this caucus."]},
        ) from None
    return site


def _already_linked(link: CaucusPrecinct) -> PrecinctAlreadyLinkedError:
    return PrecinctAlreadyLinkedError(
        "This precinct already caucuses at another site of this caucus; unlink it first.",
        fields={"precinct": [f"Already linked to site {link.site_id} of this caucus."]},
    )


def caucus_precinct_link(
    *,
    actor: User | None,
    caucus: Caucus,
    precinct_id: int,
    location: Location,
    source: str = SOURCE_HAND,
) -> CaucusPrecinct:
    """Say the precinct caucuses at `location` for this caucus (the location becomes a site of
    it if it was not one). Linking it again to the same site changes nothing; to another site is
    a 409 (`precinct_already_linked`): a precinct has exactly one site per caucus, which the
    database enforces too. A satellite caucus serves no precinct (400)."""
    if caucus.kind == CaucusKind.SATELLITE:
        raise SatelliteHasNoPrecinctError(
            "A satellite caucus serves no precinct.",
            fields={"precinct": ["A satellite caucus has no precincts."]},
        )
    for attempt in range(2):
        existing = (
            CaucusPrecinct.objects.filter(caucus=caucus, precinct_id=precinct_id)
            .select_related("site")
            .first()
        )
        if existing is not None:
            if existing.site.location_id == location.pk:
                return existing
            raise _already_linked(existing)
        try:
            with transaction.atomic():
                site, _ = CaucusSite.objects.get_or_create(caucus=caucus, location=location)
                link = CaucusPrecinct.objects.create(
                    caucus=caucus,
                    precinct_id=precinct_id,
                    site=site,
                    linked_by=actor,
                    source=source,
                )
                audit_record(
                    actor=actor,
                    action="caucus.precinct_link",
                    target=link,
                    details={
                        "caucus": caucus.pk,
                        "precinct": precinct_id,
                        "site": site.pk,
                        "source": source,
                    },
                )
            return link
        except IntegrityError:
            # Another request linked the precinct (or made the site) first: the constraints had
            # the last word; look again, once.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def caucus_precinct_unlink(*, actor: User, caucus: Caucus, precinct_id: int) -> None:
    """Take the precinct off its site for this caucus (404 when it has none)."""
    with transaction.atomic():
        link = (
            CaucusPrecinct.objects.select_for_update()
            .filter(caucus=caucus, precinct_id=precinct_id)
            .first()
        )
        if link is None:
            raise NotFoundError("This precinct has no site for this caucus.")
        details = {"caucus": caucus.pk, "precinct": precinct_id, "site": link.site_id}
        link.delete()
        audit_record(
            actor=actor,
            action="caucus.precinct_unlink",
            target_type="events.caucusprecinct",
            target_id=precinct_id,
            details=details,
        )


# --- The polling-place file through the matcher ------------------------------------------------


@dataclass
class SitesImportOutcome:
    report: MatchReport
    linked: int = 0
    kept: int = 0  # matched, but the precinct already had a site (a hand fix wins)


def _read_text(stream: IO[str] | IO[bytes]) -> str:
    raw = stream.read()
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApplicationError(
                "The file is not UTF-8 text.",
                code=ErrorCode.BAD_ENCODING,
                fields={"file": ["Not UTF-8 text."]},
            ) from None
    return raw.lstrip("\ufeff")


MATCH_COLUMNS = ("county_name", "precinct_id", "precinct_name")


def polling_place_rows(text: str) -> list[tuple[int, str, str, str]]:
    """(row, county, precinct id, precinct name) of every data row (1 = first after header)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [col for col in MATCH_COLUMNS if col not in (reader.fieldnames or [])]
    if missing:
        raise ApplicationError(
            f"The CSV lacks the columns: {', '.join(missing)}.",
            code=ErrorCode.INVALID_CSV,
            fields={"file": [f"Missing columns: {', '.join(missing)}"]},
        )
    return [
        (
            number,
            row.get("county_name") or "",
            row.get("precinct_id") or "",
            row.get("precinct_name") or "",
        )
        for number, row in enumerate(reader, start=1)
    ]


def match_polling_places(*, text: str) -> MatchReport:
    """Match the file's rows to the precincts loaded in the database (nothing is written)."""
    from canvass.selectors.precincts import precinct_candidates

    candidates = [PrecinctCandidate(*row) for row in precinct_candidates()]
    return match_rows(polling_place_rows(text), candidates)


def caucus_sites_import(
    *,
    actor: User | None,
    caucus: Caucus,
    stream: IO[str] | IO[bytes],
    dry_run: bool = False,
) -> SitesImportOutcome:
    """Match the polling-place file to the precincts and, unless `dry_run`, import its sites (as
    `import_sites` does, without geocoding) and link every matched precinct to its row's site.

    A precinct that already has a site for this caucus keeps it (an organizer's hand fix is never
    overwritten). The report lists every row (matched, ambiguous with its candidates, unmatched)
    and is kept on the caucus for organizers to work through."""
    from events.services.locations import _upsert_sites, read_sites_csv

    if caucus.kind == CaucusKind.SATELLITE:
        raise SatelliteHasNoPrecinctError(
            "A satellite caucus serves no precinct: import polling places into a precinct caucus.",
            fields={"caucus": ["A satellite caucus has no precincts."]},
        )
    text = _read_text(stream)
    report = match_polling_places(text=text)
    outcome = SitesImportOutcome(report=report)
    if not dry_run:
        sites, _errors = read_sites_csv(io.StringIO(text))
        with transaction.atomic():
            location_of_row: dict[int, Location] = {}
            for site, location, _status in _upsert_sites(sites):
                for row_number in site.rows:
                    location_of_row[row_number] = location
            linked = dict(
                CaucusPrecinct.objects.filter(caucus=caucus).values_list(
                    "precinct_id", "site__location_id"
                )
            )
            wanted: dict[int, Location] = {}
            for row in report.rows:
                found = location_of_row.get(row.row)
                if row.status != MATCHED or row.precinct is None or found is None:
                    continue
                location = found
                if row.precinct in linked:
                    outcome.kept += 1
                    if linked[row.precinct] != location.pk:
                        row.note = "the precinct already has another site for this caucus (kept)"
                    continue
                wanted[row.precinct] = location
                linked[row.precinct] = location.pk
            # In bulk: a whole state is some 1,700 links, one audit row says how many.
            CaucusSite.objects.bulk_create(
                [
                    CaucusSite(caucus=caucus, location=location)
                    for location in {loc.pk: loc for loc in wanted.values()}.values()
                ],
                ignore_conflicts=True,
            )
            site_of = dict(
                CaucusSite.objects.filter(caucus=caucus).values_list("location_id", "pk")
            )
            CaucusPrecinct.objects.bulk_create(
                [
                    CaucusPrecinct(
                        caucus=caucus,
                        precinct_id=precinct_id,
                        site_id=site_of[location.pk],
                        linked_by=actor,
                        source=SOURCE_MATCHER,
                    )
                    for precinct_id, location in wanted.items()
                ]
            )
            outcome.linked = len(wanted)
    summary = {**report.summary(), "linked": outcome.linked, "kept": outcome.kept}
    if not dry_run:
        caucus.match_report = {**report.as_dict(), "summary": summary}
        caucus.save(update_fields=["match_report", "updated_at"])
    audit_record(
        actor=actor,
        action="caucus.sites_import",
        target=caucus,
        details={**summary, "dry_run": dry_run},
    )
    return outcome
