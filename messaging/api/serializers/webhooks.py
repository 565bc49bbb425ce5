"""The provider's webhook fields we read (others are ignored): the HTTP contract of the two
webhooks, validated here and turned into neutral records by the SMS backend."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from messaging.api.serializers.common import QuerySerializer


class InboundWebhookSerializer(StrictSerializer):
    """The form fields of the provider's inbound-message webhook that we read (others are
    ignored)."""

    MessageSid = serializers.CharField(max_length=64)
    From = serializers.CharField(max_length=32)
    To = serializers.CharField(max_length=32, required=False)
    Body = serializers.CharField(allow_blank=True, required=False, max_length=1600)


class StatusWebhookSerializer(StrictSerializer):
    """The form fields of the provider's status callback that we read (others are ignored)."""

    MessageSid = serializers.CharField(max_length=64)
    MessageStatus = serializers.CharField(max_length=32)
    ErrorCode = serializers.CharField(max_length=10, required=False, allow_blank=True)


class StatusQuerySerializer(QuerySerializer):
    message = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Our outbox id, set in the callback URL we give",
    )
