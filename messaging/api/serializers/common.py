"""What the messaging serializers share."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.serializers import StrictSerializer


class SmsVolunteerSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone_last4 = serializers.CharField()


class QuerySerializer(StrictSerializer):
    """Query parameters where a parameter given empty is a 400 (DRF would treat it as absent)."""

    def to_internal_value(self, data: Any) -> Any:
        empty: dict[str, list[str]] = {
            str(name): ["This parameter may not be empty."]
            for name in self.fields
            if name in data and str(data.get(name, "")).strip() == ""
        }
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


def volunteer_brief(volunteer: Any) -> dict[str, Any] | None:
    if volunteer is None:
        return None
    return {"id": volunteer.pk, "name": volunteer.name, "phone_last4": volunteer.phone_last4}
