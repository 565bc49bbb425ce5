"""Serializers of field safety: sessions, check-ins, PINs and a team's interval.

A session renders the same for everyone, except `last_location` and `open_escalations`: filled
for the turf team's field leads and organizers, always null / empty for the canvasser (so a
duress check-in answers byte for byte like a normal one)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from canvass.api.serializers.accounts import UserBriefSerializer
from canvass.models import FieldSession, FieldSessionStatus
from canvass.models.safety import (
    CHECKIN_INTERVAL_MAX_MINUTES,
    CHECKIN_INTERVAL_MIN_MINUTES,
    EscalationStep,
)


class SessionStartInputSerializer(StrictSerializer):
    turf = serializers.IntegerField(help_text="A turf assigned to you now")
    expected_end_at = serializers.DateTimeField(
        help_text="When you expect to be done (with a UTC offset; at most 16 h from now)"
    )


class CheckInInputSerializer(StrictSerializer):
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)
    pin = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="Your PIN (required once you set an all-clear PIN); the duress PIN answers "
        "like a normal check-in and alerts your field leads",
    )


class SessionEndInputSerializer(StrictSerializer):
    pin = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="Your PIN (required once you set an all-clear PIN); the duress PIN answers "
        "like a normal end and alerts your field leads",
    )


class TurfBriefSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.IntegerField(source="team_id")


class SessionLocationSerializer(StrictSerializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    at = serializers.DateTimeField()


class FieldSessionSerializer(StrictSerializer):
    id = serializers.IntegerField()
    canvasser = UserBriefSerializer()
    turf = TurfBriefSerializer()
    status = serializers.ChoiceField(choices=FieldSessionStatus.choices)
    started_at = serializers.DateTimeField()
    expected_end_at = serializers.DateTimeField()
    checkin_interval_minutes = serializers.IntegerField()
    next_checkin_due_at = serializers.DateTimeField(
        allow_null=True, help_text="The deadline being watched; null once ended"
    )
    last_checkin_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    last_location = serializers.SerializerMethodField(
        help_text="Field leads of the turf's team and organizers only, while open"
    )
    open_escalations = serializers.SerializerMethodField(
        help_text="Steps taken for a missed check-in not yet resolved (watchers only)"
    )

    def _watcher(self) -> bool:
        return bool(self.context.get("watcher"))

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if instance.status != FieldSessionStatus.OPEN:
            data["next_checkin_due_at"] = None
        return data

    @extend_schema_field(SessionLocationSerializer(allow_null=True))
    def get_last_location(self, session: FieldSession) -> dict[str, Any] | None:
        if not self._watcher() or not session.last_location:
            return None
        latitude, longitude = (float(part) for part in session.last_location.split(","))
        location = {"latitude": latitude, "longitude": longitude, "at": session.last_location_at}
        return SessionLocationSerializer(location).data

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=EscalationStep.choices))
    )
    def get_open_escalations(self, session: FieldSession) -> list[str]:
        if not self._watcher():
            return []
        return [step.step for step in getattr(session, "open_escalations", [])]


class EscalationTextSerializer(StrictSerializer):
    recipient = UserBriefSerializer(allow_null=True)
    outbox_message_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class EscalationSerializer(StrictSerializer):
    id = serializers.IntegerField()
    step = serializers.ChoiceField(choices=EscalationStep.choices)
    deadline = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    texts = EscalationTextSerializer(many=True, source="texts.all")


class SafetyPinInputSerializer(StrictSerializer):
    duress_pin = serializers.CharField(max_length=12, help_text="4 to 8 digits")
    all_clear_pin = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="Optional, 4 to 8 digits, not the duress PIN; once set, check-ins need a PIN",
    )


class SafetyPinStateSerializer(StrictSerializer):
    duress_pin_set = serializers.BooleanField()
    all_clear_pin_set = serializers.BooleanField()


class TeamSafetySettingsInputSerializer(StrictSerializer):
    checkin_interval_minutes = serializers.IntegerField(
        min_value=CHECKIN_INTERVAL_MIN_MINUTES, max_value=CHECKIN_INTERVAL_MAX_MINUTES
    )


class TeamSafetySettingsSerializer(StrictSerializer):
    team = serializers.IntegerField()
    checkin_interval_minutes = serializers.IntegerField()
    is_default = serializers.BooleanField(help_text="True: SAFETY_CHECKIN_INTERVAL_MINUTES")
