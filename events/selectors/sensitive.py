"""Reads for sensitive events: when a shift's address is released, to whom, and its text.

A sensitive event's place (street, coordinates, site name, notes) is shown to the public and in
every list only as its city. The address goes to a signup only when `address_releasable` says
so (confirmed, the volunteer vetted by an organizer, the event and shift still on), by text
`SENSITIVE_ADDRESS_RELEASE_MINUTES` before the shift and on the volunteer's manage link from
then until the shift ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from events.models import Event, EventStatus, Shift, ShiftStatus, Signup, SignupStatus


def address_release_at(shift: Shift) -> datetime:
    """When the address of a sensitive event reaches the shift's volunteers."""
    return shift.starts_at - timedelta(minutes=settings.SENSITIVE_ADDRESS_RELEASE_MINUTES)


def public_area(event: Event) -> str:
    """What the public sees of a sensitive event's place: its city (or nothing)."""
    return event.location.city if event.location is not None else ""


def address_text(event: Event) -> str:
    """The full place of an event, as a volunteer needs it at the door."""
    location = event.location
    if location is None:
        return ""
    parts = [location.name, location.address, location.city, f"IA {location.zip_code}".strip()]
    return ", ".join(part for part in parts if part and part != "IA")


def address_refusal(signup: Signup) -> str:
    """Why this signup may not receive its event's address ('' when it may)."""
    shift = signup.shift
    event = shift.event
    if not event.is_sensitive:
        return "The event is not sensitive; its place is public."
    if event.location_id is None:
        return "The event has no place yet."
    if event.status != EventStatus.SCHEDULED or shift.status != ShiftStatus.SCHEDULED:
        return "The event or shift is not scheduled."
    if signup.status != SignupStatus.CONFIRMED:
        return f"The signup is {signup.get_status_display().lower()}, not confirmed."
    if signup.volunteer.vetted_at is None:
        return "No organizer has vetted this volunteer."
    return ""


def address_releasable(signup: Signup) -> bool:
    return address_refusal(signup) == ""


def released_addresses(
    signups: QuerySet[Signup] | list[Signup], *, now: datetime | None = None
) -> dict[int, str]:
    """signup id -> address, for the signups whose address is released at `now` (the manage
    link shows it from the release time until the shift ends)."""
    now = now or timezone.now()
    found: dict[int, str] = {}
    for signup in signups:
        shift = signup.shift
        if not shift.event.is_sensitive:
            continue
        if address_releasable(signup) and address_release_at(shift) <= now < shift.ends_at:
            found[signup.pk] = address_text(shift.event)
    return found
