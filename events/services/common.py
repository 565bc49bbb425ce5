"""Small helpers the event services share: time zones and time-window checks."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from backend.errors import ApplicationError, ErrorCode


def validate_time_zone(name: str) -> ZoneInfo:
    if name not in available_timezones():
        raise ApplicationError(
            f"Unknown time zone {name!r}; use an IANA name such as America/Chicago.",
            code=ErrorCode.INVALID,
            fields={"time_zone": ["Unknown time zone."]},
        )
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # pragma: no cover - available_timezones() said it exists
        raise ApplicationError(
            "Unknown time zone.", fields={"time_zone": ["Unknown time zone."]}
        ) from None


def validate_window(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ApplicationError(
            "Times need a UTC offset.", fields={"starts_at": ["Give an offset or Z."]}
        )
    # Compare in UTC: two datetimes sharing a ZoneInfo compare by wall time (ignoring fold).
    if ends_at.astimezone(UTC) <= starts_at.astimezone(UTC):
        raise ApplicationError(
            "The end must be after the start.",
            code=ErrorCode.INVALID,
            fields={"ends_at": ["Must be after starts_at."]},
        )
