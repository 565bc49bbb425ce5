"""Input and output serializers for canvass. Canvasser-facing ones never carry phone numbers,
birth years or party."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from canvass.models import (
    GeocodeStatus,
    Household,
    Precinct,
    Turf,
    TurfAssignment,
    TurfHousehold,
    TurfStatus,
    age_band,
)

# --- Inputs ---------------------------------------------------------------------------------


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


class VoterImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class TurfCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    team = serializers.IntegerField()
    precinct = serializers.IntegerField(required=False, allow_null=True)
    boundary = GeoJSONGeometryField(help_text="GeoJSON Polygon or MultiPolygon (lon, lat)")


class TurfAutoCutInputSerializer(serializers.Serializer):
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


class TurfStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TurfStatus.choices)


class TurfAssignInputSerializer(serializers.Serializer):
    canvasser = serializers.IntegerField()


# --- Outputs --------------------------------------------------------------------------------


class ImportProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class GeocodingCountsSerializer(serializers.Serializer):
    geocoded = serializers.IntegerField()
    cached = serializers.IntegerField()
    needs_review = serializers.IntegerField()
    not_found = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()


class ImportReportSerializer(serializers.Serializer):
    import_id = serializers.IntegerField()
    rows_read = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    households_created = serializers.IntegerField()
    households_updated = serializers.IntegerField()
    geocoding = GeocodingCountsSerializer()
    errors = ImportProblemSerializer(many=True)  # type: ignore[assignment]  # popped by the metaclass
    warnings = ImportProblemSerializer(many=True)
    problems_not_listed = serializers.IntegerField()
    aborted = serializers.CharField(allow_null=True)


class PrecinctBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Precinct
        fields = ["id", "county", "name"]


class TeamBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TurfSerializer(serializers.ModelSerializer):
    team = TeamBriefSerializer()
    precinct = PrecinctBriefSerializer(allow_null=True)
    door_count = serializers.IntegerField()
    voter_count = serializers.IntegerField()
    doors_visited = serializers.SerializerMethodField()

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
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_doors_visited(self, turf: Turf) -> int:
        """Doors with a counted conversation log in this turf."""
        return int(getattr(turf, "visited_count", 0))


class AutoCutOutputSerializer(serializers.Serializer):
    turfs = TurfSerializer(many=True)


class WalkOrderOutputSerializer(serializers.Serializer):
    before_m = serializers.FloatField()
    after_m = serializers.FloatField()


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class TurfAssignmentSerializer(serializers.ModelSerializer):
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


class HouseholdAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "street", "unit", "city", "state", "zip_code", "latitude", "longitude"]
        read_only_fields = fields


class HouseholdListSerializer(serializers.ModelSerializer):
    precinct = PrecinctBriefSerializer(allow_null=True)
    voter_count = serializers.IntegerField()
    in_active_turf = serializers.BooleanField()

    class Meta:
        model = Household
        fields = [
            "id",
            "street",
            "unit",
            "city",
            "state",
            "zip_code",
            "county",
            "latitude",
            "longitude",
            "geocode_status",
            "precinct",
            "voter_count",
            "in_active_turf",
            "updated_at",
        ]
        read_only_fields = fields


class HouseholdFilterSerializer(serializers.Serializer):
    precinct = serializers.IntegerField(required=False)
    county = serializers.CharField(required=False, max_length=100)
    geocode_status = serializers.ChoiceField(choices=GeocodeStatus.choices, required=False)
    in_active_turf = serializers.BooleanField(required=False, allow_null=True, default=None)


class PrecinctSerializer(serializers.ModelSerializer):
    bbox = serializers.SerializerMethodField()

    class Meta:
        model = Precinct
        fields = ["id", "county", "name", "district", "geometry_repaired", "invalid_reason", "bbox"]
        read_only_fields = fields

    def get_bbox(self, precinct: Precinct) -> list[float]:
        """[min_lon, min_lat, max_lon, max_lat], as GeoJSON orders a bbox."""
        return [precinct.min_lon, precinct.min_lat, precinct.max_lon, precinct.max_lat]


class CanvasserVoterSerializer(serializers.Serializer):
    """What a canvasser sees of a voter at the door: no phone, birth year or party."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    age_band = serializers.SerializerMethodField()
    language = serializers.CharField()

    def get_age_band(self, voter: Any) -> str | None:
        return age_band(voter.birth_year)


class StaffVoterSerializer(CanvasserVoterSerializer):
    """Field leads and organizers also see party (still no phone or birth year)."""

    party = serializers.CharField()


class WalkListVoterSerializer(CanvasserVoterSerializer):
    """A walk list's voter as documented: one schema for both roles, party only for staff."""

    party = serializers.CharField(required=False, help_text="Field leads and organizers only")


class LatestResultSerializer(serializers.Serializer):
    """The door's latest counted result: what any canvasser on the turf may know."""

    result = serializers.CharField()
    do_not_knock = serializers.BooleanField()
    follow_up_needed = serializers.BooleanField()
    contacted_at = serializers.DateTimeField()


class SafetyFlagsSerializer(serializers.Serializer):
    do_not_knock = serializers.BooleanField()
    moved = serializers.BooleanField()
    deceased = serializers.BooleanField()


class WalkStopSerializer(serializers.Serializer):
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


class WalkListSerializer(serializers.Serializer):
    turf = TurfSerializer()
    stops = WalkStopSerializer(many=True)
