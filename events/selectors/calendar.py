"""Reads as iCalendar files: a public event with its shifts, a volunteer's own shifts."""

from __future__ import annotations

from events import calendar, links
from events.selectors.schedule import public_event_get
from events.selectors.signups import signups_for_volunteer


def public_event_ics(*, event_id: int) -> bytes:
    """A public, not-cancelled event and its scheduled shifts (404 "No such event." else)."""
    return calendar.event_calendar(public_event_get(event_id=event_id))


def volunteer_ics(*, token: str) -> bytes:
    """Through a manage link: the volunteer's confirmed and waitlisted shifts."""
    volunteer = links.volunteer_from_token(token)
    return calendar.signups_calendar(signups_for_volunteer(volunteer=volunteer))
