"""Serializers of the geocoding retry and of placing a door by hand."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from canvass.models import Household


class HouseholdPlaceInputSerializer(StrictSerializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class HouseholdPlacedSerializer(StrictModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "latitude", "longitude", "geocode_status", "precinct"]
        read_only_fields = fields


class GeocodePendingOutputSerializer(StrictSerializer):
    waiting = serializers.IntegerField()
    started = serializers.BooleanField()
