"""Reads of events and shifts: the public listing and search, and what staff may manage."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, router
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from geopy.distance import EARTH_RADIUS

from backend.accounts.models import Role, User
from backend.errors import ApplicationError, NotFoundError
from backend.geo.services import bounding_box, great_circle_m
from events.errors import UnknownZipError
from events.models import (
    SPOT_HOLDING_STATUSES,
    Event,
    EventKind,
    EventStatus,
    Shift,
    ShiftStatus,
    SignupStatus,
)
from events.selectors.locations import zip_centroid

NEARBY_MIN_RADIUS_KM = 0.1
NEARBY_MAX_RADIUS_KM = 200.0


def shifts_with_counts() -> QuerySet[Shift]:
    return Shift.objects.annotate(
        spots_taken=Count("signups", filter=Q(signups__status__in=SPOT_HOLDING_STATUSES)),
        waitlisted=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
    ).order_by("starts_at", "id")


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


# --- The public -----------------------------------------------------------------------------


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


def public_event_get(*, event_id: int) -> Event:
    """`public_event_detail`, or 404 "No such event."."""
    event = public_event_detail(event_id=event_id)
    if event is None:
        raise NotFoundError("No such event.")
    return event


def public_shift(*, shift_id: int) -> Shift | None:
    return Shift.objects.filter(pk=shift_id, event__is_public=True).select_related("event").first()


# What a nearby result shows (PublicEventSerializer's fields, the site's public ones): loading
# only these makes each of the box's rows cheaper to build.
NEARBY_COLUMNS = (
    *("id", "title", "kind", "description", "is_sensitive", "time_zone"),
    *("starts_at", "ends_at", "status"),
    *("location__id", "location__name", "location__address", "location__city"),
    *("location__zip_code", "location__latitude", "location__longitude"),
    "location__accessibility_notes",
)


@dataclass(frozen=True)
class NearbyEvent:
    """A found event as NEARBY_COLUMNS' values (`id`, `title`, ..., `location__city`, ...): the
    site is always there, a sensitive event is never found."""

    row: dict[str, Any]
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

    A bounding box (indexed latitude/longitude ranges) narrows the rows; the exact great-circle
    distance filters and sorts them. On PostgreSQL all of it is one statement that returns only
    the rows shown (`_nearby_events_sql`); elsewhere (SQLite has no trigonometry by default) the
    distance is computed in Python over the box's rows (`_nearby_events_orm`): the same results.
    """
    if not NEARBY_MIN_RADIUS_KM <= radius_km <= NEARBY_MAX_RADIUS_KM or math.isnan(radius_km):
        raise ApplicationError(
            f"radius_km must be between {NEARBY_MIN_RADIUS_KM} and {NEARBY_MAX_RADIUS_KM}.",
            fields={"radius_km": [f"Between {NEARBY_MIN_RADIUS_KM} and {NEARBY_MAX_RADIUS_KM}."]},
        )
    connection = connections[router.db_for_read(Event)]  # the replica inside lag_tolerant()
    search = _nearby_events_sql if connection.vendor == "postgresql" else _nearby_events_orm
    return search(
        connection,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_km * 1000,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
    )


def _nearby_events_orm(
    connection: Any,
    *,
    latitude: float,
    longitude: float,
    radius_m: float,
    kind: str | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
) -> list[NearbyEvent]:
    """`nearby_events` on any database: the box's rows by the ORM, the distance in Python."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_m)
    # A distance is a place: sensitive events are never found by a nearby search.
    events = public_events(kind=kind, date_from=date_from, date_to=date_to).filter(
        is_sensitive=False
    )
    # One query for the few rows in the box, as plain values (no model objects); the exact
    # distance in Python (great_circle_m: geopy's great-circle formula without its objects).
    candidates = (
        events.filter(
            location__latitude__range=(min_lat, max_lat),
            location__longitude__range=(min_lon, max_lon),
        )
        .using(connection.alias)
        .values(*NEARBY_COLUMNS)
    )
    ranked = []
    for row in candidates:
        dist = great_circle_m(
            latitude, longitude, row["location__latitude"], row["location__longitude"]
        )
        if dist <= radius_m:
            ranked.append((dist, row["starts_at"], row["id"], row))
    ranked.sort(key=lambda item: item[:3])
    return [NearbyEvent(row=row, distance_m=dist) for dist, _, _, row in ranked[:limit]]


# The same search as one statement (PostgreSQL): the bounding box on the indexed columns, then
# great_circle_m's formula (geopy's great circle, same radius) in SQL, nearest first, LIMIT.
_NEARBY_SQL = """
SELECT * FROM (
    SELECT e.id, e.title, e.kind, e.description, e.is_sensitive, e.time_zone,
           e.starts_at, e.ends_at, e.status,
           l.id AS location_id, l.name, l.address, l.city, l.zip_code, l.latitude, l.longitude,
           l.accessibility_notes,
           %(earth_m)s * atan2(
               sqrt(power(cos(radians(l.latitude)) * sin(radians(l.longitude - %(lon)s)), 2)
                    + power(cos(radians(%(lat)s)) * sin(radians(l.latitude))
                            - sin(radians(%(lat)s)) * cos(radians(l.latitude))
                              * cos(radians(l.longitude - %(lon)s)), 2)),
               sin(radians(%(lat)s)) * sin(radians(l.latitude))
               + cos(radians(%(lat)s)) * cos(radians(l.latitude))
                 * cos(radians(l.longitude - %(lon)s))
           ) AS distance_m
    FROM events_event e JOIN events_location l ON l.id = e.location_id
    WHERE e.is_public AND e.status = %(status)s AND NOT e.is_sensitive AND e.ends_at > %(now)s
      AND l.latitude BETWEEN %(min_lat)s AND %(max_lat)s
      AND l.longitude BETWEEN %(min_lon)s AND %(max_lon)s
      {filters}
    OFFSET 0  -- each distance computed once, not again in the filter and the sort
) AS found
WHERE distance_m <= %(radius_m)s
ORDER BY distance_m, starts_at, id
LIMIT %(limit)s
"""


def _nearby_sql(
    *,
    latitude: float,
    longitude: float,
    radius_m: float,
    kind: str | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
) -> tuple[str, dict[str, Any]]:
    """_NEARBY_SQL with its filters, and its parameters."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_m)
    params: dict[str, Any] = {
        "earth_m": EARTH_RADIUS * 1000.0,
        "lat": latitude,
        "lon": longitude,
        "status": EventStatus.SCHEDULED.value,
        "now": timezone.now(),
        "min_lat": min_lat,
        "max_lat": max_lat,
        "min_lon": min_lon,
        "max_lon": max_lon,
        "radius_m": radius_m,
        "limit": limit,
    }
    filters = []
    if kind:
        filters.append("AND e.kind = %(kind)s")
        params["kind"] = kind
    if date_from:
        filters.append("AND e.ends_at > %(day_from)s")
        params["day_from"] = _local_day_start(date_from)
    if date_to:
        filters.append("AND e.starts_at < %(day_after)s")
        params["day_after"] = _local_day_start(date_to + timedelta(days=1))
    return _NEARBY_SQL.format(filters=" ".join(filters)), params


def _nearby_events_sql(
    connection: Any,
    *,
    latitude: float,
    longitude: float,
    radius_m: float,
    kind: str | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
) -> list[NearbyEvent]:
    """`nearby_events` on PostgreSQL: filter, distance, sort and limit in the database; only
    the rows shown come back (as NEARBY_COLUMNS' values, like the ORM path's)."""
    sql, params = _nearby_sql(
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        NearbyEvent(row=dict(zip(NEARBY_COLUMNS, row[:-1], strict=True)), distance_m=row[-1])
        for row in rows
    ]


def _utc_text_sql(when: str) -> str:
    """SQL writing a timestamptz as UtcDateTimeField does: ISO 8601 in UTC, `Z`, microseconds
    only when there are any (datetime.isoformat). Uses the columns `_NEARBY_JSON_SQL` adds:
    `<when>_utc` (the UTC wall time) and `<when>_us` (its microseconds)."""
    return (
        f"""to_char({when}_utc, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN {when}_us <> 0"""
        f""" THEN to_char({when}_utc, '.US') ELSE '' END || 'Z'"""
    )


def _local_text_sql(when: str) -> str:
    """SQL writing a timestamptz as LocalDateTimeField does: the event's local time with its
    UTC offset (`astimezone(ZoneInfo(time_zone)).isoformat()`), from `<when>_local` and
    `<when>_offset` (minutes east of UTC)."""
    return (
        f"""to_char({when}_local, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN {when}_us <> 0"""
        f""" THEN to_char({when}_local, '.US') ELSE '' END"""
        f" || CASE WHEN {when}_offset < 0 THEN '-' ELSE '+' END"
        f" || lpad((abs({when}_offset) / 60)::text, 2, '0') || ':'"
        f" || lpad(mod(abs({when}_offset), 60)::text, 2, '0')"
    )


def _float_text_sql(column: str) -> str:
    """SQL writing a float8 as Python's json does (repr: the shortest exact digits, as
    PostgreSQL's own output, but `42.0` for an integral value)."""
    return f"CASE WHEN {column}::text ~ '^-?[0-9]+$' THEN {column}::text || '.0' ELSE {column}::text END"


# Each found event as NearbyEventSerializer writes it (compact JSON, the same keys in the same
# order; tests/events/test_nearby_sql.py holds the bytes equal to the Python rendering's).
_NEARBY_ITEM_SQL = (
    """'{"distance_m":' || round(distance_m::numeric, 1)"""
    """ || ',"event":{"id":' || id || ',"title":' || to_json(title)"""
    """ || ',"kind":' || to_json(kind) || ',"kind_label":' || to_json(%(kind_labels)s::json ->> kind)"""
    """ || ',"description":' || to_json(description)"""
    """ || ',"location":{"id":' || location_id || ',"name":' || to_json(name)"""
    """ || ',"address":' || to_json(address) || ',"city":' || to_json(city)"""
    """ || ',"zip_code":' || to_json(zip_code)"""
    f""" || ',"latitude":' || {_float_text_sql("latitude")}"""
    f""" || ',"longitude":' || {_float_text_sql("longitude")}"""
    """ || ',"accessibility_notes":' || to_json(accessibility_notes)"""
    """ || '},"area":' || to_json(city) || ',"is_sensitive":' || to_json(is_sensitive)"""
    """ || ',"time_zone":' || to_json(time_zone)"""
    f""" || ',"starts_at":"' || {_utc_text_sql("s")}"""
    f""" || '","ends_at":"' || {_utc_text_sql("e")}"""
    f""" || '","starts_at_local":"' || {_local_text_sql("s")}"""
    f""" || '","ends_at_local":"' || {_local_text_sql("e")}"""
    """ || '","status":' || to_json(status) || '}}'"""
)


_NEARBY_JSON_SQL = """
SELECT count(*), coalesce('[' || string_agg({item}, ',' ORDER BY distance_m, starts_at, id) || ']', '[]')
FROM (
    SELECT *,
           date_part('epoch', s_local - s_utc)::int / 60 AS s_offset,
           date_part('epoch', e_local - e_utc)::int / 60 AS e_offset
    FROM (
        SELECT *,
               starts_at AT TIME ZONE 'UTC' AS s_utc, ends_at AT TIME ZONE 'UTC' AS e_utc,
               starts_at AT TIME ZONE time_zone AS s_local, ends_at AT TIME ZONE time_zone AS e_local,
               mod(date_part('microseconds', starts_at)::bigint, 1000000) AS s_us,
               mod(date_part('microseconds', ends_at)::bigint, 1000000) AS e_us
        FROM ({found}) AS found_events
        OFFSET 0
    ) AS timed
    OFFSET 0
) AS shown
"""


def nearby_events_json(
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 50,
) -> tuple[int, str] | None:
    """`nearby_events` already written as JSON by PostgreSQL: (how many were found, the
    `results` array of NearbyEventsSerializer's output as compact JSON text), in one statement.
    None on another database (the caller renders `nearby_events` itself)."""
    connection = connections[router.db_for_read(Event)]  # the replica inside lag_tolerant()
    if connection.vendor != "postgresql":
        return None
    if not NEARBY_MIN_RADIUS_KM <= radius_km <= NEARBY_MAX_RADIUS_KM or math.isnan(radius_km):
        return None  # nearby_events says why
    sql, params = _nearby_sql(
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_km * 1000,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
    )
    params["kind_labels"] = json.dumps({value: str(label) for value, label in EventKind.choices})
    with connection.cursor() as cursor:
        cursor.execute(_NEARBY_JSON_SQL.format(item=_NEARBY_ITEM_SQL, found=sql), params)
        count, results = cursor.fetchone()
    return count, results


@dataclass(frozen=True)
class NearbySearch:
    """Where the search was centred (the ZIP code's sites when no point was given) and what
    it found."""

    latitude: float
    longitude: float
    radius_km: float
    results: list[NearbyEvent]

    @property
    def count(self) -> int:
        return len(self.results)


def _search_centre(
    *, latitude: float | None, longitude: float | None, zip: str | None
) -> tuple[float, float]:
    if latitude is None or longitude is None:
        centre = zip_centroid(zip_code=zip or "")
        if centre is None:
            raise UnknownZipError(
                f"We do not know where ZIP code {zip} is; search by location instead.",
                fields={"zip": ["Unknown ZIP code."]},
            )
        return centre
    return latitude, longitude


@dataclass(frozen=True)
class NearbySearchJson:
    """A NearbySearch whose results PostgreSQL wrote as JSON text (`nearby_events_json`)."""

    latitude: float
    longitude: float
    radius_km: float
    count: int
    results_json: str


def nearby_events_search_json(
    *,
    radius_km: float,
    latitude: float | None = None,
    longitude: float | None = None,
    zip: str | None = None,
    kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 50,
) -> NearbySearchJson | None:
    """`nearby_events_search` with its results as JSON text (`nearby_events_json`); None where
    that is not available (another database, a radius out of range)."""
    latitude, longitude = _search_centre(latitude=latitude, longitude=longitude, zip=zip)
    found = nearby_events_json(
        latitude=latitude,
        longitude=longitude,
        radius_km=radius_km,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
    )
    if found is None:
        return None
    count, results = found
    return NearbySearchJson(latitude, longitude, radius_km, count, results)


def nearby_events_search(
    *,
    radius_km: float,
    latitude: float | None = None,
    longitude: float | None = None,
    zip: str | None = None,
    kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 50,
) -> NearbySearch:
    """`nearby_events` around a point, or around the sites of a ZIP code when no point is
    given (400 `unknown_zip` when we have no placed site there)."""
    latitude, longitude = _search_centre(latitude=latitude, longitude=longitude, zip=zip)
    found = nearby_events(
        latitude=latitude,
        longitude=longitude,
        radius_km=radius_km,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
    )
    return NearbySearch(latitude=latitude, longitude=longitude, radius_km=radius_km, results=found)


# --- Staff (organizers and field leads) -----------------------------------------------------


def events_for_user(*, user: User) -> QuerySet[Event]:
    """Events the user may manage: all for organizers, their teams' for field leads, none else."""
    events = Event.objects.select_related("location", "team")
    if user.role == Role.ORGANIZER:
        return events
    if user.role == Role.FIELD_LEAD:
        return events.filter(team__memberships__user=user)
    return events.none()


def event_list_for_user(*, user: User) -> QuerySet[Event]:
    """`events_for_user`, newest start first."""
    return events_for_user(user=user).order_by("-starts_at", "-id")


def event_with_shifts(*, user: User, event_id: int) -> Event | None:
    return (
        events_for_user(user=user)
        .filter(pk=event_id)
        .prefetch_related(Prefetch("shifts", queryset=shifts_with_counts(), to_attr="all_shifts"))
        .first()
    )


def event_get_for_user(*, user: User, event_id: int) -> Event:
    """`event_with_shifts` (every shift with its counts as `all_shifts`), or 404 "No such
    event." for an event the user may not manage or that does not exist."""
    event = event_with_shifts(user=user, event_id=event_id)
    if event is None:
        raise NotFoundError("No such event.")
    return event


def shifts_for_user(*, user: User) -> QuerySet[Shift]:
    return shifts_with_counts().filter(event__in=events_for_user(user=user)).select_related("event")


def shift_get_for_user(*, user: User, shift_id: int) -> Shift:
    """One shift (with its counts) of an event the user may manage, or 404 "No such shift."."""
    shift = shifts_for_user(user=user).filter(pk=shift_id).first()
    if shift is None:
        raise NotFoundError("No such shift.")
    return shift
