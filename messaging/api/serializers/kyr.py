"""Know-your-rights texts: the list canvassers read, an organizer's edit, a send at the door."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from events.api.serializers.common import UtcDateTimeField
from messaging.models import KnowYourRightsText
from messaging.templates import segments


class KnowYourRightsTextSerializer(StrictModelSerializer):
    segments = serializers.SerializerMethodField(help_text="SMS segments the text costs")
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = KnowYourRightsText
        fields = ["language", "body", "segments", "updated_at"]

    def get_segments(self, text: KnowYourRightsText) -> int:
        return segments(text.body)


class KnowYourRightsTextInputSerializer(StrictSerializer):
    body = serializers.CharField(
        max_length=1000, help_text="At most two SMS segments (checked by the segment counter)"
    )


class KnowYourRightsSendSerializer(StrictSerializer):
    language = serializers.CharField(max_length=8)
    phone = serializers.CharField(
        max_length=40, help_text="The person's number: used for this one text, never stored"
    )
    requested_by_recipient = serializers.BooleanField(
        help_text="Must be true: the person at the door asked for the text"
    )


class KnowYourRightsSentSerializer(StrictSerializer):
    language = serializers.CharField()
    segments = serializers.IntegerField()
    detail = serializers.CharField()
