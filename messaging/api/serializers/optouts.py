"""Serializers of the opt-out list."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from messaging.api.serializers.common import SmsVolunteerSerializer
from messaging.models import OptOutReason


class OptOutSerializer(StrictSerializer):
    id = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=OptOutReason.choices)
    keyword = serializers.CharField()
    opted_out_at = serializers.DateTimeField()
    volunteer = SmsVolunteerSerializer(allow_null=True)
