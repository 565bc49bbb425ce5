"""Fields every events serializer shares: times in UTC and in the event's own zone.

Every time is given twice: `starts_at` in UTC (ISO 8601, `Z`) and `starts_at_local` in the
event's own time zone with its UTC offset (e.g. `2026-11-01T18:00:00-06:00`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

POSITIVE_INT_MAX = 2_147_483_647  # a PositiveIntegerField column on PostgreSQL


class UtcDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(serializers.Field):
    """A datetime shown in the time zone of its event (`zone_source` names the path to it)."""

    def __init__(self, *, zone_source: str, **kwargs: Any) -> None:
        self.zone_source = zone_source
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        zone: Any = instance
        for part in self.zone_source.split("."):
            zone = getattr(zone, part)
        return value, zone

    def to_representation(self, value: tuple[datetime, str]) -> str:
        moment, zone = value
        return moment.astimezone(ZoneInfo(zone)).isoformat()
