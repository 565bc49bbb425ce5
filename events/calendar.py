"""iCalendar (RFC 5545) files for events and a volunteer's shifts, with proper VTIMEZONEs.

Times are written in the event's own zone (DTSTART;TZID=America/Chicago:...) with the matching
VTIMEZONE generated from the zoneinfo database, so phone calendars show local times correctly
on both sides of a daylight-saving change. Two RFC 5545 rules matter on those nights:

- A local time that occurs twice (01:30 on the night clocks fall back) means its *first*
  occurrence (3.3.5). The second one cannot be written with a TZID, so it is written in UTC.
- A VTIMEZONE onset's DTSTART is the local time *before* the change, in TZOFFSETFROM (3.6.5):
  daylight time in Chicago begins at 02:00 CST. (icalendar's generator writes the wall time
  after the change, 03:00, which readers take as an hour late.) So the VTIMEZONE is built here,
  one onset per transition found in zoneinfo.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar import Event as IcsEvent

from events.models import Event, EventStatus, Shift, ShiftStatus, Signup, SignupStatus

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
    if event.is_sensitive:
        # Calendar files are copied into phones and clouds: a sensitive address never goes in
        # one, not even a volunteer's own (the manage link and a text carry it).
        return location.city
    parts = [location.name, location.address, location.city, f"IA {location.zip_code}".strip()]
    return ", ".join(part for part in parts if part)


def _component(
    *, uid: str, summary: str, starts_at: datetime, ends_at: datetime, event: Event, extra: str = ""
) -> IcsEvent:
    zone = ZoneInfo(event.time_zone)
    component = IcsEvent()
    component.add("uid", f"{uid}@{_domain()}")
    component.add("dtstamp", timezone.now())
    component.add("dtstart", _in_zone(starts_at, zone))
    component.add("dtend", _in_zone(ends_at, zone))
    component.add("summary", summary)
    description = "\n\n".join(part for part in (event.description, extra) if part)
    if description:
        component.add("description", description)
    if location := _location_text(event):
        component.add("location", location)
    if event.location is not None and event.location.is_placed and not event.is_sensitive:
        component.add("geo", (event.location.latitude, event.location.longitude))
    cancelled = event.status == EventStatus.CANCELLED
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return component


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant in the event's zone, or in UTC when that wall time occurs twice and this is
    the second occurrence (a TZID time means the first one)."""
    local = moment.astimezone(zone)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end) at which the zone's offset (or name) changes."""
    found = []
    day = timedelta(days=1)
    moment = start
    before = moment.astimezone(zone)
    while moment < end:
        after_moment = moment + day
        after = after_moment.astimezone(zone)
        if (before.utcoffset(), before.tzname()) != (after.utcoffset(), after.tzname()):
            low, high = moment, after_moment  # offset(low) == before, offset(high) != before
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                probe = middle.astimezone(zone)
                if (probe.utcoffset(), probe.tzname()) == (before.utcoffset(), before.tzname()):
                    low = middle
                else:
                    high = middle
            found.append(high.replace(microsecond=0))
        moment, before = after_moment, after
    return found


def _onset(zone: ZoneInfo, instant: datetime, offset_from: timedelta) -> TimezoneStandard:
    local = instant.astimezone(zone)
    onset: TimezoneStandard | TimezoneDaylight = (
        TimezoneDaylight() if local.dst() else TimezoneStandard()
    )
    # RFC 5545 3.6.5: the onset is the local time in the offset in effect *before* it.
    onset.add("dtstart", (instant + offset_from).replace(tzinfo=None))
    onset.add("tzoffsetfrom", offset_from)
    onset.add("tzoffsetto", local.utcoffset())
    onset.add("tzname", local.tzname() or "")
    return onset  # type: ignore[return-value]


def _vtimezone(name: str, first: datetime, last: datetime) -> Timezone:
    zone = ZoneInfo(name)
    timezone_component = Timezone()
    timezone_component.add("tzid", name)
    start = first.astimezone(zone)
    # What holds when the covered span begins (no change then: from == to).
    timezone_component.add_component(_onset(zone, first, start.utcoffset() or timedelta()))
    offset = start.utcoffset() or timedelta()
    for instant in _transitions(zone, first, last):
        timezone_component.add_component(_onset(zone, instant, offset))
        offset = instant.astimezone(zone).utcoffset() or timedelta()
    return timezone_component


def _add_timezones(calendar: Calendar, zones: set[str]) -> None:
    """A VTIMEZONE for every zone used, covering only the years around the events (the full
    1970-2038 history would make the file ten times longer for nothing)."""
    moments = [
        component.decoded(name)
        for component in calendar.walk("VEVENT")
        for name in ("dtstart", "dtend")
    ]
    if not moments:
        return
    first_year, last_year = min(moments).year - 1, max(moments).year + 2
    first = datetime(first_year, 1, 1, tzinfo=UTC)
    last = datetime(last_year, 1, 1, tzinfo=UTC)
    # Before the events that use them, where readers expect them.
    calendar.subcomponents[:0] = [_vtimezone(name, first, last) for name in sorted(zones)]


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
    for shift in event.shifts.filter(status=ShiftStatus.SCHEDULED).order_by("starts_at", "id"):
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
    _add_timezones(calendar, {event.time_zone})
    return calendar.to_ical()


def signups_calendar(signups: Iterable[Signup]) -> bytes:
    """One VEVENT per confirmed or waitlisted signup (the summary says which)."""
    calendar = _calendar("My DontLookAway shifts")
    zones: set[str] = set()
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
        zones.add(event.time_zone)
    _add_timezones(calendar, zones)
    return calendar.to_ical()
