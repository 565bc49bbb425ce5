"""iCalendar (RFC 5545) files for events and a volunteer's shifts, with proper VTIMEZONEs.

Times are written in the event's own zone (DTSTART;TZID=America/Chicago:...) with the matching
VTIMEZONE generated from the zoneinfo database, so phone calendars show local times correctly
on both sides of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcsEvent

from events.models import Event, EventStatus, Shift, Signup, SignupStatus

PRODID = "-//DontLookAway//Field events//EN"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _domain() -> str:
    host = settings.PUBLIC_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "dontlookaway"


def _location_text(event: Event) -> str:
    location = event.location
    if location is None:
        return ""
    parts = [location.name, location.address, location.city, f"IA {location.zip_code}".strip()]
    return ", ".join(part for part in parts if part)


def _component(
    *, uid: str, summary: str, starts_at: datetime, ends_at: datetime, event: Event, extra: str = ""
) -> IcsEvent:
    zone = ZoneInfo(event.time_zone)
    component = IcsEvent()
    component.add("uid", f"{uid}@{_domain()}")
    component.add("dtstamp", timezone.now())
    component.add("dtstart", starts_at.astimezone(zone))
    component.add("dtend", ends_at.astimezone(zone))
    component.add("summary", summary)
    description = "\n\n".join(part for part in (event.description, extra) if part)
    if description:
        component.add("description", description)
    if location := _location_text(event):
        component.add("location", location)
    if event.location is not None and event.location.is_placed:
        component.add("geo", (event.location.latitude, event.location.longitude))
    cancelled = event.status == EventStatus.CANCELLED
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return component


def _add_timezones(calendar: Calendar) -> None:
    """Add a VTIMEZONE for every TZID used, covering only the years around the events (the
    full 1970-2038 history would make the file ten times longer for nothing)."""
    starts = [component.decoded("dtstart") for component in calendar.walk("VEVENT")]
    if not starts:
        return
    first, last = min(starts).date(), max(starts).date()
    calendar.add_missing_timezones(
        first_date=first.replace(year=first.year - 1, month=1, day=1),
        last_date=last.replace(year=last.year + 2, month=1, day=1),
    )


def _shift_extra(shift: Shift) -> str:
    parts = [f"Role: {shift.get_role_display()}"]
    if shift.minimum_age:
        parts.append(f"Minimum age: {shift.minimum_age}")
    if shift.requirement:
        parts.append(f"Requirement: {shift.requirement}")
    return "\n".join(parts)


def event_calendar(event: Event) -> bytes:
    """One VEVENT for the event and one per scheduled shift."""
    calendar = _calendar(event.title)
    calendar.add_component(
        _component(
            uid=f"event-{event.pk}",
            summary=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            event=event,
        )
    )
    for shift in event.shifts.filter(status="scheduled").order_by("starts_at", "id"):
        calendar.add_component(
            _component(
                uid=f"shift-{shift.pk}",
                summary=f"{event.title}: {shift.get_role_display()}",
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                event=event,
                extra=_shift_extra(shift),
            )
        )
    _add_timezones(calendar)
    return calendar.to_ical()


def signups_calendar(signups: Iterable[Signup]) -> bytes:
    """One VEVENT per confirmed or waitlisted signup (the summary says which)."""
    calendar = _calendar("My DontLookAway shifts")
    for signup in signups:
        if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
            continue
        shift, event = signup.shift, signup.shift.event
        waitlisted = " (waitlist)" if signup.status == SignupStatus.WAITLISTED else ""
        calendar.add_component(
            _component(
                uid=f"signup-{signup.pk}",
                summary=f"{event.title}: {shift.get_role_display()}{waitlisted}",
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                event=event,
                extra=_shift_extra(shift),
            )
        )
    _add_timezones(calendar)
    return calendar.to_ical()
