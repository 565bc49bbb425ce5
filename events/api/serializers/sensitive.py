"""Sensitive events: a volunteer's vetting, and the answer to an address release."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from events.api.serializers.common import UtcDateTimeField


class VettingSerializer(StrictSerializer):
    volunteer_id = serializers.IntegerField(source="pk")
    vetted = serializers.SerializerMethodField()
    vetted_at = UtcDateTimeField(allow_null=True)

    def get_vetted(self, volunteer: object) -> bool:
        return getattr(volunteer, "vetted_at", None) is not None


class AddressReleaseSerializer(StrictSerializer):
    signup_id = serializers.IntegerField()
    detail = serializers.CharField()
