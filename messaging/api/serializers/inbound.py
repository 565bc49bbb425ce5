"""Serializers of the inbound texts organizers read."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer
from messaging.api.serializers.common import QuerySerializer, SmsVolunteerSerializer
from messaging.models import InboundAction, InboundSms


class InboundFilterSerializer(QuerySerializer):
    volunteer = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    action = serializers.ChoiceField(choices=InboundAction.choices, required=False)


class InboundSmsSerializer(StrictModelSerializer):
    volunteer = SmsVolunteerSerializer(allow_null=True)
    phone_last4 = serializers.SerializerMethodField()
    action = serializers.ChoiceField(choices=InboundAction.choices)

    class Meta:
        model = InboundSms
        fields = [
            "id",
            "volunteer",
            "phone_last4",
            "body",
            "body_purged",
            "action",
            "signup",
            "received_at",
        ]
        read_only_fields = fields

    def get_phone_last4(self, inbound: InboundSms) -> str:
        return (inbound.phone or "")[-4:]
