"""Events and shifts: public and staff output, inputs, and the public list and search filters."""

from __future__ import annotations

import json
import re
from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.models import Team
from backend.api.serializers import StrictModelSerializer, StrictSerializer
from events.api.serializers.caucuses import ServedPrecinctSerializer
from events.api.serializers.common import POSITIVE_INT_MAX, LocalDateTimeField, UtcDateTimeField
from events.api.serializers.locations import LocationSerializer, PublicLocationSerializer
from events.models import Event, EventKind, Location, Shift, ShiftRole
from events.selectors.schedule import NEARBY_MAX_RADIUS_KM, NEARBY_MIN_RADIUS_KM
from events.selectors.sensitive import public_area


class PublicShiftSerializer(StrictModelSerializer):
    role_label = serializers.SerializerMethodField()
    starts_at = UtcDateTimeField(read_only=True)
    ends_at = UtcDateTimeField(read_only=True)
    starts_at_local = LocalDateTimeField(source="starts_at", zone_source="event.time_zone")
    ends_at_local = LocalDateTimeField(source="ends_at", zone_source="event.time_zone")
    spots_left = serializers.SerializerMethodField()
    waitlisted = serializers.IntegerField(read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "role",
            "role_label",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "ends_at_local",
            "capacity",
            "spots_left",
            "waitlisted",
            "minimum_age",
            "requirement",
        ]

    def get_role_label(self, shift: Shift) -> str:
        # A method, not source="get_role_display": DRF inspects callables' signatures per row.
        return ShiftRole(shift.role).label

    def get_spots_left(self, shift: Shift) -> int:
        return max(shift.capacity - shift.spots_taken, 0)  # type: ignore[attr-defined]


class ShiftSerializer(PublicShiftSerializer):
    spots_taken = serializers.IntegerField(read_only=True)

    class Meta(PublicShiftSerializer.Meta):
        fields = [
            *PublicShiftSerializer.Meta.fields,
            "event",
            "status",
            "waitlist_limit",
            "spots_taken",
            "short_code",
        ]
        extra_kwargs = {
            "short_code": {
                "help_text": "Check-in code: a volunteer texts HERE and this code at the site"
            }
        }


class EventPlaceSerializer(PublicLocationSerializer):
    """An event's site, or null for a sensitive event (the public and lists see its `area`)."""

    def to_representation(self, instance: Any) -> Any:
        event = instance
        if event.is_sensitive or event.location is None:
            return None
        return super().to_representation(event.location)


class StaffEventPlaceSerializer(LocationSerializer):
    """The staff list's view of a site: null for a sensitive event, like the public's."""

    def to_representation(self, instance: Any) -> Any:
        event = instance
        if event.is_sensitive or event.location is None:
            return None
        return super().to_representation(event.location)


class PublicEventSerializer(StrictModelSerializer):
    kind_label = serializers.SerializerMethodField()
    location = EventPlaceSerializer(
        source="*",
        read_only=True,
        allow_null=True,
        help_text="The site; null for a sensitive event (its address goes only to vetted, "
        "confirmed volunteers shortly before their shift).",
    )
    area = serializers.SerializerMethodField(
        help_text="The city of the site: all the public is told of a sensitive event's place."
    )
    starts_at = UtcDateTimeField(read_only=True)
    ends_at = UtcDateTimeField(read_only=True)
    starts_at_local = LocalDateTimeField(source="starts_at", zone_source="time_zone")
    ends_at_local = LocalDateTimeField(source="ends_at", zone_source="time_zone")

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "kind",
            "kind_label",
            "description",
            "location",
            "area",
            "is_sensitive",
            "time_zone",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "ends_at_local",
            "status",
        ]

    def get_kind_label(self, event: Event) -> str:
        return EventKind(event.kind).label

    def get_area(self, event: Event) -> str:
        return public_area(event)


class NearbyEventSerializer(StrictSerializer):
    distance_m = serializers.FloatField()
    event = PublicEventSerializer()


class NearbyEventsSerializer(StrictSerializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    radius_km = serializers.FloatField()
    count = serializers.IntegerField()
    results = NearbyEventSerializer(many=True)


class PublicEventDetailSerializer(PublicEventSerializer):
    shifts = PublicShiftSerializer(many=True, source="open_shifts", read_only=True)

    class Meta(PublicEventSerializer.Meta):
        fields = [*PublicEventSerializer.Meta.fields, "shifts"]


def _precincts_served(events: list[Event]) -> dict[tuple[int, date], list[dict[str, Any]]]:
    from events.selectors.caucuses import precincts_served_by_locations

    days: dict[int, set[date]] = {}
    for event in events:
        if event.location_id is not None:
            local_day = event.starts_at.astimezone(ZoneInfo(event.time_zone)).date()
            days.setdefault(event.location_id, set()).add(local_day)
    return precincts_served_by_locations(location_days=days)


class _EventListSerializer(serializers.ListSerializer):
    """Looks up the precincts every listed event's site serves at once (one query a list)."""

    def to_representation(self, data: Any) -> list[Any]:
        events = list(data.all() if hasattr(data, "all") else data)
        self.child.context["precincts_served"] = _precincts_served(events)  # type: ignore[union-attr,index]
        return super().to_representation(events)


class _CaucusPrecinctsMixin:
    """`caucus_precincts`: the precincts the event's site serves in a caucus held on the event's
    local date (looked up once for a whole list by `_EventListSerializer`)."""

    context: dict[str, Any]

    @extend_schema_field(ServedPrecinctSerializer(many=True))
    def get_caucus_precincts(self, event: Event) -> list[dict[str, Any]]:
        if event.location_id is None:
            return []
        known = self.context.get("precincts_served")
        if known is None:
            known = _precincts_served([event])
        local_day = event.starts_at.astimezone(ZoneInfo(event.time_zone)).date()
        return known.get((event.location_id, local_day), [])


class EventListSerializer(_CaucusPrecinctsMixin, PublicEventSerializer):
    """An event in the staff list: a sensitive event's site is left out here too (open the
    event to see it)."""

    location = StaffEventPlaceSerializer(  # type: ignore[assignment]
        source="*", read_only=True, allow_null=True
    )
    team: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)
    caucus_precincts = serializers.SerializerMethodField()

    class Meta(PublicEventSerializer.Meta):
        fields = [
            *PublicEventSerializer.Meta.fields,
            "is_public",
            "team",
            "caucus_precincts",
            "created_at",
            "updated_at",
        ]
        list_serializer_class = _EventListSerializer


class EventSerializer(EventListSerializer):
    """An event as staff open it: with its site, sensitive or not."""

    location = LocationSerializer(read_only=True, allow_null=True)  # type: ignore[assignment]


class EventDetailSerializer(EventSerializer):
    shifts = ShiftSerializer(many=True, source="all_shifts", read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "shifts"]


class EventInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EventKind.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    location_id = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), source="location", required=False, allow_null=True
    )
    # Parsed into UTC: aware datetimes that share one ZoneInfo compare by wall time, so 01:30
    # CDT and 01:30 CST on the night clocks fall back would look equal.
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    time_zone = serializers.CharField(max_length=64, required=False)
    is_public = serializers.BooleanField(required=False)
    is_sensitive = serializers.BooleanField(
        required=False,
        help_text="Hide the address from the public and lists; hold signups of volunteers not "
        "yet vetted; text the address to vetted, confirmed volunteers before their shift.",
    )
    team_id = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), source="team", required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts_at"), attrs.get("ends_at")
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": ["Must be after starts_at."]})
        return attrs


class EventUpdateSerializer(EventInputSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "team" in attrs:
            raise serializers.ValidationError({"team_id": ["An event cannot change team."]})
        return super().validate(attrs)


class ShiftInputSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=ShiftRole.choices)
    # Parsed into UTC: aware datetimes that share one ZoneInfo compare by wall time, so 01:30
    # CDT and 01:30 CST on the night clocks fall back would look equal.
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    capacity = serializers.IntegerField(min_value=1, max_value=10_000)
    waitlist_limit = serializers.IntegerField(
        min_value=0, max_value=POSITIVE_INT_MAX, required=False, allow_null=True
    )
    minimum_age = serializers.IntegerField(
        min_value=1, max_value=120, required=False, allow_null=True
    )
    requirement = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts_at"), attrs.get("ends_at")
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": ["Must be after starts_at."]})
        return attrs


class PublicEventFilterSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, required=False)
    date_from = serializers.DateField(required=False, help_text="First local day (inclusive)")
    date_to = serializers.DateField(required=False, help_text="Last local day (inclusive)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_to"] < attrs["date_from"]
        ):
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs


class NearbyQuerySerializer(PublicEventFilterSerializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
    zip = serializers.RegexField(r"^\d{5}$", required=False)
    radius_km = serializers.FloatField(
        min_value=NEARBY_MIN_RADIUS_KM,
        max_value=NEARBY_MAX_RADIUS_KM,
        required=False,
        default=25.0,
    )
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=50)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        has_point = "latitude" in attrs or "longitude" in attrs
        if has_point and ("latitude" not in attrs or "longitude" not in attrs):
            missing = "longitude" if "latitude" in attrs else "latitude"
            raise serializers.ValidationError({missing: ["Give latitude and longitude together."]})
        if not has_point and "zip" not in attrs:
            raise serializers.ValidationError(
                {"latitude": ["Give latitude and longitude, or a zip."]}
            )
        return attrs


# A plain decimal number (what a map or a phone sends): NearbyQuerySerializer accepts each such
# value as float() reads it; anything else goes through the serializer.
_PLAIN_NUMBER = re.compile(r"-?\d{1,3}(?:\.\d{1,17})?")
_PLAIN_LIMIT = re.compile(r"[1-9]\d{0,2}")


def nearby_query_fast(params: Any) -> dict[str, Any] | None:
    """NearbyQuerySerializer's validated data for the common search (latitude and longitude,
    perhaps radius_km and limit, each a plain valid number), parsed without DRF's per-field
    machinery; None for anything else (another parameter, an odd or a bad value), which the
    serializer then parses and answers, with its own 400 errors."""
    if not 2 <= len(params) <= 4:
        return None
    query: dict[str, Any] = {"radius_km": 25.0, "limit": 50}
    for name, value in params.items():
        if name == "limit":
            if not _PLAIN_LIMIT.fullmatch(value) or int(value) > 100:
                return None
            query["limit"] = int(value)
            continue
        if name not in ("latitude", "longitude", "radius_km") or not _PLAIN_NUMBER.fullmatch(value):
            return None
        query[name] = float(value)
    if "latitude" not in query or "longitude" not in query:
        return None
    if not (
        -90 <= query["latitude"] <= 90
        and -180 <= query["longitude"] <= 180
        and NEARBY_MIN_RADIUS_KM <= query["radius_km"] <= NEARBY_MAX_RADIUS_KM
    ):
        return None
    return query


def _utc_text(moment: Any) -> str:
    """What DRF's DateTimeField (UtcDateTimeField) writes: ISO 8601 in UTC, `Z` for +00:00."""
    text = moment.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def public_event_lean(row: dict[str, Any]) -> dict[str, Any]:
    """PublicEventSerializer's output for a nearby result's values (NEARBY_COLUMNS), written out
    by hand for the search's hot path: the same keys and values (tests/events/test_nearby_lean.py
    holds them equal). A found event is never sensitive and always has its site."""
    zone = ZoneInfo(row["time_zone"])
    return {
        "id": row["id"],
        "title": row["title"],
        "kind": row["kind"],
        "kind_label": str(EventKind(row["kind"]).label),
        "description": row["description"],
        "location": {
            "id": row["location__id"],
            "name": row["location__name"],
            "address": row["location__address"],
            "city": row["location__city"],
            "zip_code": row["location__zip_code"],
            "latitude": row["location__latitude"],
            "longitude": row["location__longitude"],
            "accessibility_notes": row["location__accessibility_notes"],
        },
        "area": row["location__city"],
        "is_sensitive": row["is_sensitive"],
        "time_zone": row["time_zone"],
        "starts_at": _utc_text(row["starts_at"]),
        "ends_at": _utc_text(row["ends_at"]),
        "starts_at_local": row["starts_at"].astimezone(zone).isoformat(),
        "ends_at_local": row["ends_at"].astimezone(zone).isoformat(),
        "status": row["status"],
    }


def nearby_events_lean(search: Any) -> dict[str, Any]:
    """NearbyEventsSerializer's output for a NearbySearch, without DRF's per-field machinery
    (~5x cheaper for 50 results; the schema stays NearbyEventsSerializer's)."""
    return {
        "latitude": float(search.latitude),
        "longitude": float(search.longitude),
        "radius_km": float(search.radius_km),
        "count": search.count,
        "results": [
            {"distance_m": round(item.distance_m, 1), "event": public_event_lean(item.row)}
            for item in search.results
        ],
    }


def nearby_events_json_bytes(search: Any) -> bytes:
    """NearbyEventsSerializer's output for a NearbySearchJson, as JSONRenderer writes it
    (compact, \\u2028 and \\u2029 escaped): the results are already JSON text."""
    text = (
        f'{{"latitude":{json.dumps(float(search.latitude))}'
        f',"longitude":{json.dumps(float(search.longitude))}'
        f',"radius_km":{json.dumps(float(search.radius_km))}'
        f',"count":{int(search.count)},"results":{search.results_json}}}'
    )
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
