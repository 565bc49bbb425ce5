"""Reads of signups: rosters, attendance counts, and a volunteer's own signups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from backend.accounts.models import User
from events.models import Event, Signup, SignupStatus, Volunteer
from events.selectors.schedule import events_for_user


def signups_for_user(*, user: User) -> QuerySet[Signup]:
    """Signups on events the user may manage, with shift, event and volunteer loaded."""
    return Signup.objects.filter(shift__event__in=events_for_user(user=user)).select_related(
        "shift__event", "volunteer"
    )


def roster(
    *,
    user: User,
    shift_ids: list[int] | None = None,
    event_id: int | None = None,
    signup_ids: set[int] | None = None,
) -> QuerySet[Signup]:
    """The roster (every signup, cancelled included) of one shift or event, in shift then
    arrival order; `signup_ids` narrows it to those signups."""
    signups = signups_for_user(user=user)
    if shift_ids is not None:
        signups = signups.filter(shift_id__in=shift_ids)
    if event_id is not None:
        signups = signups.filter(shift__event_id=event_id)
    signups = signups.order_by("shift__starts_at", "shift_id", "position")
    if signup_ids is not None:
        signups = signups.filter(pk__in=signup_ids)
    return signups


ROSTER_CSV_COLUMNS = [
    "signup_id",
    "shift_id",
    "shift_code",
    "role",
    "shift_start_local",
    "shift_end_local",
    "status",
    "position",
    "source",
    "volunteer_id",
    "name",
    "phone_last4",
    "language",
    "signed_up_at_utc",
    "checked_in_at_utc",
]


def roster_csv_rows(signups: QuerySet[Signup]) -> Iterator[list[Any]]:
    """One row per signup in `ROSTER_CSV_COLUMNS` order (shift times in the event's own zone),
    read in chunks so a large roster streams."""
    for signup in signups.iterator(chunk_size=500):
        zone = ZoneInfo(signup.shift.event.time_zone)
        yield [
            signup.pk,
            signup.shift_id,
            signup.shift.short_code,
            signup.shift.role,
            signup.shift.starts_at.astimezone(zone).isoformat(),
            signup.shift.ends_at.astimezone(zone).isoformat(),
            signup.status,
            signup.position,
            signup.source,
            signup.volunteer_id,
            signup.volunteer.name,
            signup.volunteer.phone_last4,
            signup.volunteer.language,
            signup.created_at.isoformat(),
            signup.checked_in_at.isoformat() if signup.checked_in_at else "",
        ]


STAT_FIELDS = ("signups", "confirmed", "waitlisted", "cancelled", "attended", "no_show")


def attendance_stats(signups: QuerySet[Signup]) -> dict[str, int]:
    """Counts by status over `signups`, plus `signups` = all neither cancelled nor declined."""
    counts = signups.aggregate(
        total=Count("id"),
        confirmed=Count("id", filter=Q(status=SignupStatus.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=SignupStatus.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=SignupStatus.CANCELLED)),
        attended=Count("id", filter=Q(status=SignupStatus.ATTENDED)),
        no_show=Count("id", filter=Q(status=SignupStatus.NO_SHOW)),
        declined=Count("id", filter=Q(status=SignupStatus.DECLINED)),
    )
    total = counts.pop("total")
    # A declined signup (a sensitive event's, docs/safety.md) never was one: like a cancelled.
    declined = counts.pop("declined")
    return {"signups": total - counts["cancelled"] - declined, **counts}


def event_stats(*, user: User, event: Event) -> dict[str, Any]:
    """Attendance counts of one event (from `event_get_for_user`, so `all_shifts` is loaded):
    its totals and one entry per shift."""
    entries = signups_for_user(user=user).filter(shift__event=event)
    shifts = [
        {
            "shift_id": shift.pk,
            "role": shift.role,
            "capacity": shift.capacity,
            **attendance_stats(entries.filter(shift=shift)),
        }
        for shift in event.all_shifts  # type: ignore[attr-defined]
    ]
    return {"event_id": event.pk, "totals": attendance_stats(entries), "shifts": shifts}


def volunteer_stats(*, user: User, volunteer: Volunteer) -> dict[str, Any]:
    """Attendance counts of one volunteer over the events the user may manage."""
    entries = signups_for_user(user=user).filter(volunteer=volunteer)
    return {
        "volunteer_id": volunteer.pk,
        "name": volunteer.name,
        "totals": attendance_stats(entries),
    }


# --- A volunteer through their signed link --------------------------------------------------


def signups_for_volunteer(*, volunteer: Volunteer) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(volunteer=volunteer)
        .select_related("shift__event__location")
        .order_by("shift__starts_at", "id")
    )
