"""Serializer of an event's send forecast (docs/sms-capacity.md)."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer


class SmsForecastSerializer(StrictSerializer):
    event_id = serializers.IntegerField()
    rows = serializers.IntegerField(help_text="Queued reminders of the event.")
    segments = serializers.IntegerField(help_text="SMS segments they are billed as, in all.")
    messages_per_second = serializers.FloatField(
        help_text="Capacity predicted with: SMS_RATE_PER_SECOND x SMS_SENDER_COUNT, paced "
        "as the limiter paces it (0: no limit)."
    )
    starts_at = serializers.DateTimeField(allow_null=True)
    finishes_at = serializers.DateTimeField(
        allow_null=True, help_text="When the last reminder is predicted to leave."
    )
    crosses_quiet_hours = serializers.BooleanField(
        help_text="Part of the send waits for a morning (quiet hours or the daily caps)."
    )
    rows_before_quiet_hours = serializers.IntegerField()
    rows_waiting_for_morning = serializers.IntegerField()
    resumes_at = serializers.DateTimeField(
        allow_null=True, help_text="When the rows that wait start again."
    )
