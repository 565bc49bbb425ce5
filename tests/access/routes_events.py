"""Access table for the events app: public volunteer routes and the organizer/lead API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from events.links import manage_token_for
from events.models import Event, EventKind, Location, Shift, ShiftRole, Signup
from events.services.signups import signup_create
from tests.access.framework import ORGANIZER_ONLY, PUBLIC, STAFF_ONLY, Route, expect

STAFF_WRITE_INVALID = expect(STAFF_ONLY, organizer=400, field_lead=400)


def _event(cast: Any, team_name: str) -> Event:
    """One upcoming public event with one shift and one signup for the given team ("a"/"b")."""
    cache = cast.__dict__.setdefault("_events", {})
    if team_name in cache:
        return cache[team_name]
    team = cast.team_a if team_name == "a" else cast.team_b
    location = Location.objects.create(
        name=f"Site {team_name}",
        address="1 MAIN ST",
        city="DES MOINES",
        county="Polk",
        zip_code="50309",
        latitude=41.5868,
        longitude=-93.6250,
    )
    starts = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        title=f"Caucus night {team_name}",
        kind=EventKind.CAUCUS_NIGHT,
        location=location,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        team=team,
        is_public=True,
    )
    shift = Shift.objects.create(
        event=event,
        role=ShiftRole.CANVASSER,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=5,
    )
    phone = "+15155550101" if team_name == "a" else "+15155550102"
    signup_create(shift_id=shift.pk, name=f"Volunteer {team_name}", phone=phone, sms_consent=True)
    cache[team_name] = event
    return event


def _shift(cast: Any, team: str) -> Shift:
    return _event(cast, team).shifts.get()


def _signup(cast: Any, team: str) -> Signup:
    return Signup.objects.get(shift=_shift(cast, team))


def event_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": _event(c, team).pk}


def shift_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": _shift(c, team).pk}


def signup_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": _signup(c, team).pk}


def volunteer_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": _signup(c, team).volunteer_id}


MISSING = {"pk": 999999}

ROUTES = [
    # Public (no login): everyone gets the same answer.
    Route("api/public/events", {"GET": PUBLIC}),
    Route(
        "api/public/events/nearby", {"GET": PUBLIC}, query={"latitude": 41.6, "longitude": -93.6}
    ),
    Route("api/public/events/<int:pk>", {"GET": PUBLIC}, kwargs=event_kwargs("a")),
    Route("api/public/events/<int:pk>/calendar.ics", {"GET": PUBLIC}, kwargs=event_kwargs("a")),
    Route(
        "api/public/shifts/<int:pk>/signups",
        {"POST": {"anonymous": 400, "organizer": 400, "field_lead": 400, "canvasser": 400}},
        kwargs=shift_kwargs("a"),
        body=lambda c: {},
    ),
    # Texting a volunteer their own manage link: an empty body is a 400 for everyone.
    Route(
        "api/public/manage-link",
        {"POST": {"anonymous": 400, "organizer": 400, "field_lead": 400, "canvasser": 400}},
        body=lambda c: {},
    ),
    Route(
        "api/public/me/<str:token>",
        {"GET": PUBLIC},
        kwargs=lambda c: {"token": manage_token_for(_signup(c, "a").volunteer)},
    ),
    Route(
        "api/public/me/<str:token>/calendar.ics",
        {"GET": PUBLIC},
        kwargs=lambda c: {"token": manage_token_for(_signup(c, "a").volunteer)},
    ),
    Route(
        "api/public/me/<str:token>/signups/<int:pk>/cancel",
        {"POST": PUBLIC},
        kwargs=lambda c: {
            "token": manage_token_for(_signup(c, "a").volunteer),
            "pk": _signup(c, "a").pk,
        },
    ),
    # Sites: organizers write, field leads read.
    Route(
        "api/locations",
        {"GET": STAFF_ONLY, "POST": expect(ORGANIZER_ONLY, organizer=400)},
        body=lambda c: {},
    ),
    Route(
        "api/locations/<int:pk>",
        {"GET": STAFF_ONLY, "PATCH": ORGANIZER_ONLY},
        kwargs=lambda c: {"pk": _event(c, "a").location_id},
        body=lambda c: {},
    ),
    # Events and shifts: organizers all, field leads their team's.
    Route("api/events", {"GET": STAFF_ONLY, "POST": STAFF_WRITE_INVALID}, body=lambda c: {}),
    Route(
        "api/events/<int:pk>",
        {"GET": STAFF_ONLY, "PATCH": STAFF_ONLY},
        kwargs=event_kwargs("a"),
        other_kwargs=event_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/events/<int:pk>/cancel",
        {"POST": STAFF_ONLY},
        kwargs=event_kwargs("a"),
        other_kwargs=event_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/events/<int:pk>/complete",
        {"POST": STAFF_ONLY},
        kwargs=event_kwargs("a"),
        other_kwargs=event_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/events/<int:pk>/shifts",
        {"POST": STAFF_WRITE_INVALID},
        kwargs=event_kwargs("a"),
        other_kwargs=event_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/events/<int:pk>/roster",
        {"GET": STAFF_ONLY},
        kwargs=event_kwargs("a"),
        other_kwargs=event_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/events/<int:pk>/roster.csv",
        {"GET": STAFF_ONLY},
        kwargs=event_kwargs("a"),
        other_kwargs=event_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/events/<int:pk>/attendance",
        {"POST": STAFF_WRITE_INVALID},
        kwargs=event_kwargs("a"),
        other_kwargs=event_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/events/<int:pk>/stats",
        {"GET": STAFF_ONLY},
        kwargs=event_kwargs("a"),
        other_kwargs=event_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/shifts/<int:pk>",
        {"GET": STAFF_ONLY, "PATCH": STAFF_ONLY},
        kwargs=shift_kwargs("a"),
        other_kwargs=shift_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/shifts/<int:pk>/cancel",
        {"POST": STAFF_ONLY},
        kwargs=shift_kwargs("a"),
        other_kwargs=shift_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/shifts/<int:pk>/roster",
        {"GET": STAFF_ONLY},
        kwargs=shift_kwargs("a"),
        other_kwargs=shift_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/shifts/<int:pk>/signups",
        {"POST": STAFF_WRITE_INVALID},
        kwargs=shift_kwargs("a"),
        other_kwargs=shift_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/signups/<int:pk>/attendance",
        {"POST": STAFF_WRITE_INVALID},
        kwargs=signup_kwargs("a"),
        other_kwargs=signup_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/volunteers/<int:pk>/stats",
        {"GET": STAFF_ONLY},
        kwargs=volunteer_kwargs("a"),
        other_kwargs=volunteer_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    # A signed-in person's own volunteer record.
    Route(
        "api/me/volunteer",
        {
            "GET": {"anonymous": 401, "organizer": 404, "field_lead": 404, "canvasser": 404},
            "POST": {"anonymous": 401, "organizer": 400, "field_lead": 400, "canvasser": 400},
        },
        body=lambda c: {},
    ),
    # Proving the number (texted code or manage link) and linking; an empty body is a 400.
    Route(
        "api/me/volunteer/verify",
        {"POST": {"anonymous": 401, "organizer": 400, "field_lead": 400, "canvasser": 400}},
        body=lambda c: {},
    ),
]
