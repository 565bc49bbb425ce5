"""Reads for events, already scoped to who asks: the public, a volunteer, a field lead."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.api.errors import ApplicationError
from backend.geo.counties import canonical_county
from backend.geo.services import bounding_box, distance_m
from events.models import (
    SPOT_HOLDING_STATUSES,
    Event,
    EventStatus,
    Location,
    Shift,
    ShiftStatus,
    Signup,
    SignupStatus,
    Volunteer,
)

NEARBY_MIN_RADIUS_KM = 0.1
NEARBY_MAX_RADIUS_KM = 200.0


def shifts_with_counts() -> QuerySet[Shift]:
    return Shift.objects.annotate(
        spots_taken=Count("signups", filter=Q(signups__status__in=SPOT_HOLDING_STATUSES)),
        waitlisted=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
    ).order_by("starts_at", "id")


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def public_events(
    *, kind: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Event]:
    """Upcoming (not yet ended) scheduled public events, soonest first. Dates are local days
    in settings.TIME_ZONE, inclusive."""
    events = Event.objects.filter(
        is_public=True, status=EventStatus.SCHEDULED, ends_at__gt=timezone.now()
    ).select_related("location")
    if kind:
        events = events.filter(kind=kind)
    if date_from:
        events = events.filter(ends_at__gt=_local_day_start(date_from))
    if date_to:
        from datetime import timedelta

        events = events.filter(starts_at__lt=_local_day_start(date_to + timedelta(days=1)))
    return events.order_by("starts_at", "id")


def public_event_detail(*, event_id: int) -> Event | None:
    """One public, not-cancelled event with its scheduled shifts and their counts."""
    return (
        Event.objects.filter(pk=event_id, is_public=True)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("location")
        .prefetch_related(
            Prefetch(
                "shifts",
                queryset=shifts_with_counts().filter(status=ShiftStatus.SCHEDULED),
                to_attr="open_shifts",
            )
        )
        .first()
    )


def public_shift(*, shift_id: int) -> Shift | None:
    return Shift.objects.filter(pk=shift_id, event__is_public=True).select_related("event").first()


def zip_centroid(*, zip_code: str) -> tuple[float, float] | None:
    """The mean position of the placed sites in this ZIP code, or None when none is known.

    Offline and honest: it is derived from our own geocoded sites, so it lies where the sites
    are, not at a city or postal centre from some other source.
    """
    points: list[tuple[float, float]] = [
        (lat, lon)
        for lat, lon in Location.objects.filter(
            zip_code=zip_code, latitude__isnull=False, longitude__isnull=False
        ).values_list("latitude", "longitude")
        if lat is not None and lon is not None
    ]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


@dataclass(frozen=True)
class NearbyEvent:
    event: Event
    distance_m: float


def nearby_events(
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 50,
) -> list[NearbyEvent]:
    """Upcoming public events whose site lies within `radius_km`, nearest first.

    A bounding box (indexed latitude/longitude ranges) narrows the rows in SQL; the exact
    great-circle distance then filters and sorts the few that remain, in Python.
    """
    if not NEARBY_MIN_RADIUS_KM <= radius_km <= NEARBY_MAX_RADIUS_KM or math.isnan(radius_km):
        raise ApplicationError(
            f"radius_km must be between {NEARBY_MIN_RADIUS_KM} and {NEARBY_MAX_RADIUS_KM}.",
            fields={"radius_km": [f"Between {NEARBY_MIN_RADIUS_KM} and {NEARBY_MAX_RADIUS_KM}."]},
        )
    radius_m = radius_km * 1000
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_m)
    events = public_events(kind=kind, date_from=date_from, date_to=date_to)
    # Only ids and coordinates for every candidate in the box; full rows for the winners.
    candidates = events.filter(
        location__latitude__range=(min_lat, max_lat),
        location__longitude__range=(min_lon, max_lon),
    ).values_list("pk", "starts_at", "location__latitude", "location__longitude")
    ranked = []
    for pk, starts_at, lat, lon in candidates:
        if lat is None or lon is None:  # excluded by the range filter; for the type checker
            continue
        dist = distance_m(latitude, longitude, lat, lon)
        if dist <= radius_m:
            ranked.append((dist, starts_at, pk))
    ranked.sort()
    ranked = ranked[:limit]
    by_pk = events.in_bulk([pk for _, _, pk in ranked])
    return [NearbyEvent(event=by_pk[pk], distance_m=dist) for dist, _, pk in ranked]


# --- Staff (organizers and field leads) -----------------------------------------------------


def locations_list(
    *,
    county: str | None = None,
    zip: str | None = None,
    needs_review: bool | None = None,
    placed: bool | None = None,
) -> QuerySet[Location]:
    """Caucus sites (shared by every team), filtered, by county then name."""
    locations = Location.objects.order_by("county", "name", "id")
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


def events_for_user(*, user: User) -> QuerySet[Event]:
    """Events the user may manage: all for organizers, their teams' for field leads, none else."""
    events = Event.objects.select_related("location", "team")
    if user.role == Role.ORGANIZER:
        return events
    if user.role == Role.FIELD_LEAD:
        return events.filter(team__memberships__user=user)
    return events.none()


def event_with_shifts(*, user: User, event_id: int) -> Event | None:
    return (
        events_for_user(user=user)
        .filter(pk=event_id)
        .prefetch_related(Prefetch("shifts", queryset=shifts_with_counts(), to_attr="all_shifts"))
        .first()
    )


def shifts_for_user(*, user: User) -> QuerySet[Shift]:
    return shifts_with_counts().filter(event__in=events_for_user(user=user)).select_related("event")


def signups_for_user(*, user: User) -> QuerySet[Signup]:
    """Signups on events the user may manage, with shift, event and volunteer loaded."""
    return Signup.objects.filter(shift__event__in=events_for_user(user=user)).select_related(
        "shift__event", "volunteer"
    )


def roster(
    *, user: User, shift_ids: list[int] | None = None, event_id: int | None = None
) -> QuerySet[Signup]:
    """The roster (every signup, cancelled included) of one shift or event, in shift then
    arrival order."""
    signups = signups_for_user(user=user)
    if shift_ids is not None:
        signups = signups.filter(shift_id__in=shift_ids)
    if event_id is not None:
        signups = signups.filter(shift__event_id=event_id)
    return signups.order_by("shift__starts_at", "shift_id", "position")


def volunteers_for_user(*, user: User) -> QuerySet[Volunteer]:
    """Volunteers with a signup on an event the user may manage (organizers: everyone)."""
    if user.role == Role.ORGANIZER:
        return Volunteer.objects.all()
    return Volunteer.objects.filter(pk__in=signups_for_user(user=user).values("volunteer_id"))


STAT_FIELDS = ("signups", "confirmed", "waitlisted", "cancelled", "attended", "no_show")


def attendance_stats(signups: QuerySet[Signup]) -> dict[str, int]:
    """Counts by status over `signups`, plus `signups` = all non-cancelled ones."""
    counts = signups.aggregate(
        total=Count("id"),
        confirmed=Count("id", filter=Q(status=SignupStatus.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=SignupStatus.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=SignupStatus.CANCELLED)),
        attended=Count("id", filter=Q(status=SignupStatus.ATTENDED)),
        no_show=Count("id", filter=Q(status=SignupStatus.NO_SHOW)),
    )
    total = counts.pop("total")
    return {"signups": total - counts["cancelled"], **counts}


# --- A volunteer through their signed link --------------------------------------------------


def signups_for_volunteer(*, volunteer: Volunteer) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(volunteer=volunteer)
        .select_related("shift__event__location")
        .order_by("shift__starts_at", "id")
    )
