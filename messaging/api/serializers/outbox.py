"""Serializers of the outbox endpoints (outgoing texts and an event's delivery counts)."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from messaging.api.serializers.common import QuerySerializer, SmsVolunteerSerializer
from messaging.models import SmsKind, SmsMessage, SmsStatus


class SmsMessageSerializer(StrictModelSerializer):
    volunteer = SmsVolunteerSerializer(allow_null=True)
    kind = serializers.ChoiceField(choices=SmsKind.choices)
    status = serializers.ChoiceField(choices=SmsStatus.choices)

    class Meta:
        model = SmsMessage
        fields = [
            "id",
            "volunteer",
            "event",
            "signup",
            "kind",
            "language",
            "offset_minutes",
            "body",
            "status",
            "skip_reason",
            "error_code",
            "attempts",
            "provider_sid",
            "provider_status",
            "send_after",
            "next_attempt_at",
            "sent_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


class SmsMessageFilterSerializer(QuerySerializer):
    volunteer = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    event = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=SmsKind.choices, required=False)
    status = serializers.ChoiceField(choices=SmsStatus.choices, required=False)


class SmsKindStatsSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=SmsKind.choices)
    total = serializers.IntegerField()
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()


class SmsEventStatsSerializer(StrictSerializer):
    event_id = serializers.IntegerField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_kind = SmsKindStatsSerializer(many=True)
