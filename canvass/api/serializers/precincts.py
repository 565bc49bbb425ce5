"""Serializers of precincts: the list to choose what to cut, and the brief form inside others."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer
from canvass.models import Precinct


class PrecinctBriefSerializer(StrictModelSerializer):
    class Meta:
        model = Precinct
        fields = ["id", "county", "name"]


class PrecinctSerializer(StrictModelSerializer):
    bbox = serializers.SerializerMethodField()

    class Meta:
        model = Precinct
        fields = ["id", "county", "name", "district", "geometry_repaired", "invalid_reason", "bbox"]
        read_only_fields = fields

    def get_bbox(self, precinct: Precinct) -> list[float]:
        """[min_lon, min_lat, max_lon, max_lat], as GeoJSON orders a bbox."""
        return [precinct.min_lon, precinct.min_lat, precinct.max_lon, precinct.max_lat]
