"""Limits the database puts on values that parse fine in Python (no DRF here: services use it).

ISO 8601 allows UTC offsets up to ±23:59 and Python parses them, but PostgreSQL refuses an
offset of 16 hours or more, so one such value used to fail a whole request with a 500. A time
without an offset would silently be read in the server's zone. Integers beyond 64 bits fail in
both databases' drivers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime

# PostgreSQL refuses a UTC offset of 16 hours or more; real zones stay within -12:00..+14:00.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
OFFSET_MESSAGE = "The UTC offset must be between -15:59 and +15:59."
NAIVE_MESSAGE = "Give the UTC offset (e.g. a trailing Z or -06:00): a time without one is refused."


def datetime_text_problem(value: Any) -> str | None:
    """Why this ISO 8601 text is not a date-time the API takes (None: it is, or it does not
    parse at all and the caller's own parser reports that)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    return aware_datetime_problem(parsed)


def aware_datetime_problem(parsed: datetime) -> str | None:
    offset = parsed.utcoffset()
    if offset is None:
        return NAIVE_MESSAGE
    if abs(offset) > MAX_UTC_OFFSET:
        return OFFSET_MESSAGE
    return None
