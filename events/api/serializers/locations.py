"""Caucus sites: the public and the staff view of a site, its input and the list filter."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from events.api.serializers.common import POSITIVE_INT_MAX
from events.models import Location


class PublicLocationSerializer(StrictModelSerializer):
    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address",
            "city",
            "zip_code",
            "latitude",
            "longitude",
            "accessibility_notes",
        ]


class LocationSerializer(StrictModelSerializer):
    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address",
            "city",
            "county",
            "zip_code",
            "precinct_codes",
            "latitude",
            "longitude",
            "accessibility_notes",
            "capacity",
            "needs_review",
            "review_reason",
        ]


class LocationInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    county = serializers.CharField(max_length=100, required=False, allow_blank=True)
    zip_code = serializers.RegexField(r"^\d{5}$", required=False, allow_blank=True)
    precinct_codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=50
    )
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True
    )
    accessibility_notes = serializers.CharField(required=False, allow_blank=True)
    # PositiveIntegerField: beyond its range the database refuses the row.
    capacity = serializers.IntegerField(
        min_value=1, max_value=POSITIVE_INT_MAX, required=False, allow_null=True
    )


class LocationFilterSerializer(StrictSerializer):
    county = serializers.CharField(required=False, max_length=100)
    zip = serializers.RegexField(r"^\d{5}$", required=False)
    needs_review = serializers.BooleanField(required=False, allow_null=True, default=None)
    placed = serializers.BooleanField(required=False, allow_null=True, default=None)
