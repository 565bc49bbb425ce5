"""Serializers of incidents: the declaration (one of a polygon, a circle or turf ids) and the
incident as field leads and organizers see it. No resident, voter or address is ever in them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from canvass.api.serializers.accounts import UserBriefSerializer
from canvass.api.serializers.turf import GeoJSONGeometryField
from canvass.models import Incident, IncidentKind
from canvass.models.incidents import INSTRUCTION_MAX, RADIUS_MAX_M, RADIUS_MIN_M

TURFS_MAX = 500


class CircleSerializer(StrictSerializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    radius_m = serializers.IntegerField(
        min_value=RADIUS_MIN_M, max_value=RADIUS_MAX_M, help_text="Metres around the point."
    )


class IncidentDeclareInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    instruction = serializers.CharField(
        max_length=INSTRUCTION_MAX,
        help_text='What canvassers should do ("Stop knocking, meet at the van"). Screened like '
        "notes; blanked after RETENTION_DAYS.",
    )
    polygon = GeoJSONGeometryField(
        required=False, allow_null=True, help_text="The area: a GeoJSON Polygon or MultiPolygon."
    )
    circle = CircleSerializer(required=False, allow_null=True, help_text="Or a radius.")
    turfs = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=TURFS_MAX,
        help_text="Or a list of turf ids.",
    )


class IncidentQuerySerializer(StrictSerializer):
    # default=None: a query string without `active` means both (DRF reads a missing boolean in
    # form-style input as false otherwise).
    active = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only active (or lifted) ones."
    )


@extend_schema_field(CircleSerializer(allow_null=True))
class _CircleField(serializers.Field):
    def to_representation(self, incident: Incident) -> dict[str, Any] | None:
        if incident.radius_m is None:
            return None
        return {
            "latitude": incident.center_latitude,
            "longitude": incident.center_longitude,
            "radius_m": incident.radius_m,
        }


class IncidentSerializer(StrictModelSerializer):
    """An incident. `turfs` lists the turf it paused that the viewer manages (a field lead sees
    their teams' only)."""

    active = serializers.BooleanField()
    area = GeoJSONGeometryField(allow_null=True, help_text="The area as declared (null: turfs).")
    circle = _CircleField(source="*")
    turfs = serializers.SerializerMethodField()
    declared_by = UserBriefSerializer(allow_null=True)
    lifted_by = UserBriefSerializer(allow_null=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "kind",
            "instruction",
            "active",
            "area_kind",
            "area",
            "circle",
            "turfs",
            "declared_by",
            "declared_at",
            "lifted_by",
            "lifted_at",
            "notified_count",
            "unreachable_count",
            "lift_notified_count",
        ]
        read_only_fields = fields

    def get_turfs(self, incident: Incident) -> list[int]:
        visible = self.context.get("visible_turfs")
        return sorted(
            link.turf_id
            for link in incident.incident_turfs.all()
            if visible is None or link.turf_id in visible
        )
