"""Serializers of households (doors) and their voters. Canvasser-facing ones never carry phone
numbers, birth years or party."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from canvass.api.serializers.precincts import PrecinctBriefSerializer
from canvass.models import GeocodeStatus, Household, age_band


class HouseholdAddressSerializer(StrictModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "street", "unit", "city", "state", "zip_code", "latitude", "longitude"]
        read_only_fields = fields


class HouseholdListSerializer(StrictModelSerializer):
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


class HouseholdFilterSerializer(StrictSerializer):
    precinct = serializers.IntegerField(required=False)
    county = serializers.CharField(required=False, max_length=100)
    geocode_status = serializers.ChoiceField(choices=GeocodeStatus.choices, required=False)
    in_active_turf = serializers.BooleanField(required=False, allow_null=True, default=None)


class CanvasserVoterSerializer(StrictSerializer):
    """What a canvasser sees of a voter at the door: no phone, birth year or party."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    age_band = serializers.SerializerMethodField()
    language = serializers.CharField(
        allow_blank=True,
        help_text="The voter's preferred language, a code of FIELD_LANGUAGES; empty if unknown.",
    )

    def get_age_band(self, voter: Any) -> str | None:
        return age_band(voter.birth_year)


class StaffVoterSerializer(CanvasserVoterSerializer):
    """Field leads and organizers also see party (still no phone or birth year)."""

    party = serializers.CharField()


class WalkListVoterSerializer(CanvasserVoterSerializer):
    """A walk list's voter as documented: one schema for both roles, party only for staff."""

    party = serializers.CharField(required=False, help_text="Field leads and organizers only")
