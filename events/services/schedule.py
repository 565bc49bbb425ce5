"""Events and shifts: create, edit, cancel, for the actor's own teams (organizers: all)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Team, User
from backend.accounts.selectors import teams_for_user
from backend.errors import ApplicationError
from events import domain_events
from events.errors import (
    CapacityBelowConfirmedError,
    EventCancelledError,
    EventNotScheduledError,
    ShiftCancelledError,
    ShiftOutsideEventError,
)
from events.models import Event, EventStatus, Location, Shift, ShiftStatus, Signup, SignupStatus
from events.models.schedule import new_short_code
from events.services.common import validate_time_zone, validate_window
from events.services.signups import waitlist_promote

EVENT_FIELDS = (
    "title",
    "kind",
    "description",
    "location",
    "starts_at",
    "ends_at",
    "time_zone",
    "is_public",
    "is_sensitive",
)
SHIFT_FIELDS = (
    "role",
    "starts_at",
    "ends_at",
    "capacity",
    "waitlist_limit",
    "minimum_age",
    "requirement",
)


def _team_for(actor: User, team: Team | None) -> Team:
    teams = teams_for_user(user=actor)
    if team is None:
        mine = list(teams[:2])
        if len(mine) != 1:
            raise ApplicationError(
                "Say which team owns the event.", fields={"team": ["This field is required."]}
            )
        return mine[0]
    if not teams.filter(pk=team.pk).exists():
        raise ApplicationError(
            "You cannot create events for that team.", fields={"team": ["Not one of your teams."]}
        )
    return team


def _check_shifts_inside(event: Event, shifts: list[Shift]) -> None:
    def utc(moment: datetime) -> datetime:
        return moment.astimezone(UTC)

    outside = [
        s.pk
        for s in shifts
        if utc(s.starts_at) < utc(event.starts_at) or utc(s.ends_at) > utc(event.ends_at)
    ]
    if outside:
        # A shift being created has no id yet: shift_ids lists only existing shifts.
        outside = [pk for pk in outside if pk is not None]
        raise ShiftOutsideEventError(
            "Shifts must lie inside their event"
            + (
                "; these would fall outside: " + ", ".join(str(pk) for pk in outside)
                if outside
                else ""
            )
            + ".",
            fields={"starts_at": ["Shift times must lie inside the event."]},
            extra={"shift_ids": outside},
        )


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Location):
        return value.pk
    return value


@transaction.atomic
def event_create(*, actor: User, team: Team | None = None, **fields: Any) -> Event:
    """Create an event for one of the actor's teams (organizers: any team)."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    validate_window(fields["starts_at"], fields["ends_at"])
    validate_time_zone(fields.get("time_zone") or "America/Chicago")
    event = Event(team=_team_for(actor, team), created_by=actor, **fields)
    if not event.time_zone:
        del event.time_zone
    event.save()
    return event


@transaction.atomic
def event_update(*, actor: User, event: Event, **fields: Any) -> Event:
    """Edit an event the actor may manage; emits event.changed with the changed fields."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise EventCancelledError("A cancelled event cannot be edited.")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in EVENT_FIELDS:
            raise TypeError(f"unknown event field: {name}")
        old = getattr(event, name)
        if old != value:
            changes[name] = {"old": _json_value(old), "new": _json_value(value)}
            setattr(event, name, value)
    validate_window(event.starts_at, event.ends_at)
    validate_time_zone(event.time_zone)
    if not changes:
        return event
    _check_shifts_inside(event, list(event.shifts.exclude(status=ShiftStatus.CANCELLED)))
    event.save()
    domain_events.event_changed(event, changes)
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event) -> Event:
    """Cancel an event. Its signups are kept as they were (so messaging can tell everyone);
    nobody can sign up any more. Emits event.cancelled."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        return event
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    domain_events.event_cancelled(event)
    return event


@transaction.atomic
def event_complete(*, actor: User, event: Event) -> Event:
    """Mark a scheduled event as held (completed); emits event.changed for the status."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != EventStatus.SCHEDULED:
        raise EventNotScheduledError(
            f"A {event.get_status_display().lower()} event cannot be completed.",
        )
    event.status = EventStatus.COMPLETED
    event.save(update_fields=["status", "updated_at"])
    domain_events.event_changed(
        event, {"status": {"old": EventStatus.SCHEDULED, "new": EventStatus.COMPLETED}}
    )
    return event


@transaction.atomic
def shift_create(*, actor: User, event: Event, **fields: Any) -> Shift:
    """Add a shift inside an event the actor may manage."""
    if event.status == EventStatus.CANCELLED:
        raise EventCancelledError("A cancelled event cannot get new shifts.")
    validate_window(fields["starts_at"], fields["ends_at"])
    shift = Shift(event=event, **fields)
    _check_shifts_inside(event, [shift])
    shift.short_code = _unused_short_code()
    shift.save()
    return shift


def _unused_short_code() -> str:
    """A check-in code no shift that is not yet over carries (codes of past shifts come back:
    a volunteer checks in only to a shift of their own that is on now)."""
    while True:
        code = new_short_code()
        if not Shift.objects.filter(short_code=code, ends_at__gt=timezone.now()).exists():
            return code


@transaction.atomic
def shift_update(*, actor: User, shift: Shift, **fields: Any) -> Shift:
    """Edit a shift; emits shift.changed with the changed fields. A capacity below the confirmed
    count is refused (409); a higher capacity promotes waitlisted signups at once."""
    shift = Shift.objects.select_for_update(of=("self",)).select_related("event").get(pk=shift.pk)
    if shift.status == ShiftStatus.CANCELLED:
        raise ShiftCancelledError("A cancelled shift cannot be edited.")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in SHIFT_FIELDS:
            raise TypeError(f"unknown shift field: {name}")
        old = getattr(shift, name)
        if old != value:
            changes[name] = {"old": _json_value(old), "new": _json_value(value)}
            setattr(shift, name, value)
    validate_window(shift.starts_at, shift.ends_at)
    _check_shifts_inside(shift.event, [shift])
    taken = shift.signups.filter(
        status__in=(SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW)
    ).count()
    if shift.capacity < taken:
        raise CapacityBelowConfirmedError(
            f"{taken} people are already confirmed; cancel signups before lowering capacity.",
            extra={"confirmed": taken},
        )
    shift.save()
    if changes:
        domain_events.shift_changed(shift, changes)
    waitlist_promote(shift=shift)
    return shift


@transaction.atomic
def shift_cancel(*, actor: User, shift: Shift) -> Shift:
    """Cancel a shift and every active signup on it (each emits signup.cancelled)."""
    from django.utils import timezone

    shift = Shift.objects.select_for_update(of=("self",)).select_related("event").get(pk=shift.pk)
    if shift.status == ShiftStatus.CANCELLED:
        return shift
    shift.status = ShiftStatus.CANCELLED
    shift.save(update_fields=["status", "updated_at"])
    now = timezone.now()
    for signup in Signup.objects.filter(
        shift=shift,
        status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.PENDING),
    ).select_related("volunteer"):
        signup.status = SignupStatus.CANCELLED
        signup.cancelled_at = now
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        signup.shift = shift
        domain_events.signup_cancelled(signup)
    return shift
