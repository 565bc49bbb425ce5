"""Serializers of the geocoding retry and of placing a door by hand."""

from __future__ import annotations

from rest_framework import serializers

from canvass.models import Household


class HouseholdPlaceInputSerializer(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class HouseholdPlacedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "latitude", "longitude", "geocode_status", "precinct"]
        read_only_fields = fields


class GeocodePendingOutputSerializer(serializers.Serializer):
    waiting = serializers.IntegerField()
    started = serializers.BooleanField()
