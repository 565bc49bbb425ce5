"""Healing doors without coordinates: retry pending and failed geocoding, place by hand.

The retry goes through `backend.geo.services.geocode_address`, so it shares the importer's
cache, rate limit and circuit breaker: while the geocoder is down a run stops at once and
leaves the rest pending for the next run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from backend.audit.services import audit_record
from backend.geo.services import (
    GeocoderPausedError,
    GeocodingUnavailableError,
    geocode_address,
    geocoder_enabled,
)
from canvass.models import GeocodeStatus, Household
from canvass.services.precincts import PrecinctLocator

RETRIED_STATUSES = (GeocodeStatus.PENDING, GeocodeStatus.FAILED)
RUN_LOCK_KEY = "canvass:geocode-pending:running"
RUN_LOCK_SECONDS = 15 * 60


@dataclass
class GeocodeRunReport:
    considered: int = 0
    geocoded: int = 0
    needs_review: int = 0
    not_found: int = 0
    failed: int = 0
    still_pending: int = 0
    paused: bool = False
    skipped_busy: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def households_waiting_for_geocoding() -> int:
    return Household.objects.filter(
        latitude__isnull=True, geocode_status__in=RETRIED_STATUSES
    ).count()


def geocode_pending_start() -> int:
    """Start retrying the doors still pending or failed, in the background, when there are
    any; answers how many are waiting."""
    from canvass.tasks import geocode_pending_task

    waiting = households_waiting_for_geocoding()
    if waiting:
        geocode_pending_task.delay()
    return waiting


def _building_line(household: Household) -> str:
    tail = f"{household.state} {household.zip_code}".strip()
    return ", ".join(part for part in (household.street, household.city, tail) if part)


def households_geocode_pending(
    *, actor: Any | None = None, limit: int = 500, progress: Any | None = None
) -> GeocodeRunReport:
    """Geocode up to `limit` households that are pending or failed, oldest first.

    One run at a time (a cache lock): two runs would each keep the per-process rate limit and
    together break the geocoder's usage policy. Each household is written on its own, so an
    interrupted run keeps what it did; a re-run picks up where it stopped.
    """
    report = GeocodeRunReport()
    if not geocoder_enabled():
        report.still_pending = households_waiting_for_geocoding()
        return report
    if not cache.add(RUN_LOCK_KEY, timezone.now().isoformat(), RUN_LOCK_SECONDS):
        report.skipped_busy = True
        return report
    try:
        ids = list(
            Household.objects.filter(latitude__isnull=True, geocode_status__in=RETRIED_STATUSES)
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        locator = PrecinctLocator()
        for household_id in ids:
            report.considered += 1
            household = Household.objects.get(pk=household_id)
            try:
                result = geocode_address(_building_line(household))
            except GeocoderPausedError:
                report.paused = True
                break
            except GeocodingUnavailableError:
                report.failed += 1
                _set_status(household, GeocodeStatus.FAILED)
                if progress:
                    progress(1)
                continue
            if result is None:
                break
            if result.is_door and result.latitude is not None and result.longitude is not None:
                _place(
                    household, result.latitude, result.longitude, GeocodeStatus.GEOCODED, locator
                )
                report.geocoded += 1
            elif result.precision == "coarse":
                _set_status(household, GeocodeStatus.NEEDS_REVIEW)
                report.needs_review += 1
            else:
                _set_status(household, GeocodeStatus.FAILED)
                report.not_found += 1
            if progress:
                progress(1)
    finally:
        cache.delete(RUN_LOCK_KEY)
    report.still_pending = households_waiting_for_geocoding()
    audit_record(actor=actor, action="households.geocode_pending", details=report.as_dict())
    return report


def _set_status(household: Household, status: str) -> None:
    if household.geocode_status != status:
        Household.objects.filter(pk=household.pk).update(
            geocode_status=status, updated_at=timezone.now()
        )


def _place(
    household: Household,
    latitude: float,
    longitude: float,
    status: str,
    locator: PrecinctLocator,
) -> None:
    locator.load_around([(latitude, longitude)])
    precinct_id = locator.locate(latitude, longitude)
    household.latitude, household.longitude, household.geocode_status = latitude, longitude, status
    household.precinct_id = precinct_id or household.precinct_id
    household.save(
        update_fields=["latitude", "longitude", "geocode_status", "precinct", "updated_at"]
    )


def household_place(
    *,
    actor: Any,
    household: Household,
    latitude: float,
    longitude: float,
    ip_address: str | None = None,
) -> Household:
    """A field lead sets a door's coordinates by hand (a needs-review or failed door, or a
    correction); the precinct follows the point. Audited with ids only, never the location."""
    with transaction.atomic():
        before = household.geocode_status
        _place(household, latitude, longitude, GeocodeStatus.PLACED, PrecinctLocator())
        audit_record(
            actor=actor,
            action="household.place",
            target=household,
            ip_address=ip_address,
            details={"previous_status": before},
        )
    return household
