"""Serializers of turf: cutting, status, assignment, walk lists and the GeoJSON map. Canvasser-
facing ones never carry phone numbers, birth years or party."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from canvass.api.serializers.accounts import TeamBriefSerializer, UserBriefSerializer
from canvass.api.serializers.households import (
    CanvasserVoterSerializer,
    HouseholdAddressSerializer,
    StaffVoterSerializer,
    WalkListVoterSerializer,
)
from canvass.api.serializers.precincts import PrecinctBriefSerializer
from canvass.models import Turf, TurfAssignment, TurfHousehold, TurfStatus
from events.api.serializers.caucuses import CaucusSiteOfPrecinctSerializer

# GeoJSON positions are [longitude, latitude]; a ring is a list of positions, a polygon a list of
# rings. Typed to the innermost number so client generators can build real types for them.
_POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2}
_POLYGON_COORDINATES = {"type": "array", "items": {"type": "array", "items": _POSITION}}
POLYGON_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["Polygon"]},
        "coordinates": _POLYGON_COORDINATES,
    },
    "required": ["type", "coordinates"],
}
MULTIPOLYGON_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["MultiPolygon"]},
        "coordinates": {"type": "array", "items": _POLYGON_COORDINATES},
    },
    "required": ["type", "coordinates"],
}
GEOJSON_GEOMETRY_SCHEMA = {
    "description": "GeoJSON Polygon or MultiPolygon geometry (longitude, latitude)",
    "oneOf": [POLYGON_SCHEMA, MULTIPOLYGON_SCHEMA],
}
POINT_SCHEMA = {
    "type": "object",
    "properties": {"type": {"type": "string", "enum": ["Point"]}, "coordinates": _POSITION},
    "required": ["type", "coordinates"],
}
TURF_FEATURE_COLLECTION_SCHEMA = {
    "type": "object",
    "description": "The turf's boundary (kind `boundary`) and its geocoded doors (kind `door`)",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "geometry": {"oneOf": [POLYGON_SCHEMA, MULTIPOLYGON_SCHEMA, POINT_SCHEMA]},
                    "properties": {
                        "type": "object",
                        "description": "boundary: turf_id, name; door: household_id, position, "
                        "address, voters, latest_result",
                        "properties": {
                            "kind": {"type": "string", "enum": ["boundary", "door"]},
                            "turf_id": {"type": "integer"},
                            "name": {"type": "string"},
                            "household_id": {"type": "integer"},
                            "position": {"type": "integer"},
                            "address": {"type": "string"},
                            "voters": {"type": "integer"},
                            "latest_result": {
                                "type": "object",
                                "nullable": True,
                                "properties": {
                                    "result": {"type": "string"},
                                    "do_not_knock": {"type": "boolean"},
                                    "follow_up_needed": {"type": "boolean"},
                                    "contacted_at": {"type": "string", "format": "date-time"},
                                },
                                "required": [
                                    "result",
                                    "do_not_knock",
                                    "follow_up_needed",
                                    "contacted_at",
                                ],
                            },
                        },
                        "required": ["kind"],
                    },
                },
                "required": ["type", "geometry", "properties"],
            },
        },
    },
    "required": ["type", "features"],
}


@extend_schema_field(GEOJSON_GEOMETRY_SCHEMA)
class GeoJSONGeometryField(serializers.JSONField):
    """A GeoJSON geometry object; its shape is checked by the turf services."""


class TurfCreateInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    team = serializers.IntegerField()
    precinct = serializers.IntegerField(required=False, allow_null=True)
    boundary = GeoJSONGeometryField(help_text="GeoJSON Polygon or MultiPolygon (lon, lat)")


class TurfAutoCutInputSerializer(StrictSerializer):
    team = serializers.IntegerField()
    precinct = serializers.IntegerField(required=False, allow_null=True)
    boundary = GeoJSONGeometryField(required=False, allow_null=True)
    min_doors = serializers.IntegerField(min_value=1, max_value=1000, default=40)
    max_doors = serializers.IntegerField(min_value=1, max_value=1000, default=60)
    name_prefix = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("precinct") is None and attrs.get("boundary") is None:
            raise serializers.ValidationError({"precinct": ["Give a precinct or a boundary."]})
        if attrs["max_doors"] < attrs["min_doors"]:
            raise serializers.ValidationError({"max_doors": ["Must be at least min_doors."]})
        return attrs


class TurfStatusInputSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=TurfStatus.choices)


class TurfAssignInputSerializer(StrictSerializer):
    """Name the canvasser, or ask for the one of the turf's team who best speaks its doors'
    languages (`prefer_language`, the first of /canvasser-suggestions not yet assigned)."""

    canvasser = serializers.IntegerField(required=False)
    prefer_language = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Without `canvasser`: assign the team's canvasser who best covers the "
        "languages of the turf's doors.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "canvasser" in attrs and attrs["prefer_language"]:
            raise serializers.ValidationError(
                {"prefer_language": ["Give canvasser or prefer_language, not both."]}
            )
        if "canvasser" not in attrs and not attrs["prefer_language"]:
            raise serializers.ValidationError(
                {"canvasser": ["This field is required (or give prefer_language: true)."]}
            )
        return attrs


class _TurfListSerializer(serializers.ListSerializer):
    """Looks the caucus sites of every listed turf's precinct up at once (one query a list)."""

    def to_representation(self, data: Any) -> list[Any]:
        turfs = list(data.all() if hasattr(data, "all") else data)
        self.child.context["caucus_sites"] = _caucus_sites_of(turfs)  # type: ignore[union-attr,index]
        return super().to_representation(turfs)


def _caucus_sites_of(turfs: list[Turf]) -> dict[int, dict[str, Any]]:
    from events.selectors.caucuses import caucus_site_by_precinct

    ids = sorted({t.precinct_id for t in turfs if t.precinct_id is not None})
    return caucus_site_by_precinct(precinct_ids=ids)


class TurfSerializer(StrictModelSerializer):
    team = TeamBriefSerializer()
    precinct = PrecinctBriefSerializer(allow_null=True)
    door_count = serializers.IntegerField()
    voter_count = serializers.IntegerField()
    doors_visited = serializers.SerializerMethodField()
    caucus_site = serializers.SerializerMethodField()

    class Meta:
        model = Turf
        fields = [
            "id",
            "name",
            "team",
            "precinct",
            "status",
            "door_count",
            "voter_count",
            "doors_visited",
            "caucus_site",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = _TurfListSerializer

    def get_doors_visited(self, turf: Turf) -> int:
        """Doors with a counted conversation log in this turf."""
        return int(getattr(turf, "visited_count", 0))

    @extend_schema_field(CaucusSiteOfPrecinctSerializer(allow_null=True))
    def get_caucus_site(self, turf: Turf) -> dict[str, Any] | None:
        """Where the turf's precinct caucuses at the next precinct caucus (null: unknown)."""
        if turf.precinct_id is None:
            return None
        known = self.context.get("caucus_sites")
        if known is None:
            known = _caucus_sites_of([turf])
        entry = known.get(turf.precinct_id)
        return CaucusSiteOfPrecinctSerializer(entry).data if entry else None  # type: ignore[return-value]


class AutoCutOutputSerializer(StrictSerializer):
    turfs = TurfSerializer(many=True)


class WalkOrderOutputSerializer(StrictSerializer):
    before_m = serializers.FloatField()
    after_m = serializers.FloatField()


class TurfAssignmentSerializer(StrictModelSerializer):
    canvasser = UserBriefSerializer()
    assigned_by = UserBriefSerializer(allow_null=True)
    unassigned_by = UserBriefSerializer(allow_null=True)

    class Meta:
        model = TurfAssignment
        fields = [
            "id",
            "turf",
            "canvasser",
            "assigned_by",
            "assigned_at",
            "unassigned_by",
            "unassigned_at",
        ]
        read_only_fields = fields


class LatestResultSerializer(StrictSerializer):
    """The door's latest counted result: what any canvasser on the turf may know."""

    result = serializers.CharField()
    do_not_knock = serializers.BooleanField()
    follow_up_needed = serializers.BooleanField()
    contacted_at = serializers.DateTimeField()


class SafetyFlagsSerializer(StrictSerializer):
    do_not_knock = serializers.BooleanField()
    moved = serializers.BooleanField()
    deceased = serializers.BooleanField()


class WalkStopSerializer(StrictSerializer):
    position = serializers.IntegerField()
    household = HouseholdAddressSerializer()
    safety_flags = serializers.SerializerMethodField()
    voters = serializers.SerializerMethodField()
    latest_result = serializers.SerializerMethodField()

    voter_serializer: type[serializers.Serializer] = CanvasserVoterSerializer

    @extend_schema_field(WalkListVoterSerializer(many=True))
    def get_voters(self, stop: TurfHousehold) -> list[dict[str, Any]]:
        return self.voter_serializer(stop.household.voters.all(), many=True).data  # type: ignore[return-value]

    @extend_schema_field(SafetyFlagsSerializer)
    def get_safety_flags(self, stop: TurfHousehold) -> dict[str, bool]:
        household = stop.household
        return {
            "do_not_knock": household.do_not_knock,
            "moved": household.moved,
            "deceased": household.deceased,
        }

    @extend_schema_field(LatestResultSerializer(allow_null=True))
    def get_latest_result(self, stop: TurfHousehold) -> dict[str, Any] | None:
        """The door's latest counted result, or null before anyone logged it."""
        return getattr(stop, "latest_result", None)


class StaffWalkStopSerializer(WalkStopSerializer):
    voter_serializer = StaffVoterSerializer

    @extend_schema_field(StaffVoterSerializer(many=True))
    def get_voters(self, stop: TurfHousehold) -> list[dict[str, Any]]:
        return super().get_voters(stop)


class WalkListSerializer(StrictSerializer):
    turf = TurfSerializer()
    stops = WalkStopSerializer(many=True)


def turf_feature_collection(turf: Turf, stops: list[TurfHousehold]) -> dict[str, Any]:
    """The turf's boundary and its geocoded doors as a GeoJSON FeatureCollection, shaped as
    TURF_FEATURE_COLLECTION_SCHEMA documents it."""
    features: list[dict[str, Any]] = []
    if turf.boundary:
        features.append(
            {
                "type": "Feature",
                "geometry": turf.boundary,
                "properties": {"kind": "boundary", "turf_id": turf.pk, "name": turf.name},
            }
        )
    for stop in stops:
        household = stop.household
        if household.latitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [household.longitude, household.latitude],
                },
                "properties": {
                    "kind": "door",
                    "household_id": household.pk,
                    "position": stop.position,
                    "address": household.one_line_address,
                    "voters": len(household.voters.all()),
                    "latest_result": getattr(stop, "latest_result", None),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
