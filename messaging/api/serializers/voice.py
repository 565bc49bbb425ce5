"""The provider's reminder-call webhook fields we read (others are ignored)."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer


class VoiceKeysWebhookSerializer(StrictSerializer):
    """The keypress a reminder call gathered."""

    Digits = serializers.RegexField(r"^[0-9*#]{1,4}$", required=False, allow_blank=True)


class VoiceStatusWebhookSerializer(StrictSerializer):
    """The provider's status callback for a call."""

    CallSid = serializers.CharField(max_length=64)
    CallStatus = serializers.CharField(max_length=32)
