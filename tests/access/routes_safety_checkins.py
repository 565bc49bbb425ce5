"""Access table for field safety check-ins: sessions (start, one, check in, end, escalations),
one's own PINs and a team's check-in interval. Only the canvasser checks in on or ends their
own session (everyone else: 404, as for a missing one); another team's session or team is a 404
to a field lead."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from canvass.models import FieldSession, Turf, TurfAssignment
from canvass.services.safety import field_session_start
from tests.access.framework import ANY_ROLE, STAFF_ONLY, Route, expect

MISSING = {"pk": 999999}
OWNER_ONLY = {"anonymous": 401, "organizer": 404, "field_lead": 404, "canvasser": 200}


def _turf(cast: Any, team_name: str) -> Turf:
    cache = cast.__dict__.setdefault("_safety_turfs", {})
    if team_name not in cache:
        team = cast.team_a if team_name == "a" else cast.team_b
        canvasser = cast.canvasser_a if team_name == "a" else cast.canvasser_b
        turf = Turf.objects.create(name=f"Safety turf {team_name}", team=team)
        TurfAssignment.objects.create(turf=turf, canvasser=canvasser, assigned_at=timezone.now())
        cache[team_name] = turf
    return cache[team_name]


def _session(cast: Any, team_name: str) -> FieldSession:
    cache = cast.__dict__.setdefault("_safety_sessions", {})
    if team_name not in cache:
        canvasser = cast.canvasser_a if team_name == "a" else cast.canvasser_b
        cache[team_name] = field_session_start(
            actor=canvasser,
            turf_id=_turf(cast, team_name).pk,
            expected_end_at=timezone.now() + timedelta(hours=2),
        )
    return cache[team_name]


def session_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": _session(c, team).pk}


def team_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": (c.team_a if team == "a" else c.team_b).pk}


def _start_body(cast: Any) -> dict[str, Any]:
    # Team A's turf is assigned to canvasser A only: everyone else gets turf_not_assigned.
    return {
        "turf": _turf(cast, "a").pk,
        "expected_end_at": (timezone.now() + timedelta(hours=2)).isoformat(),
    }


ROUTES = [
    # Everyone lists their own or watched sessions; starting needs a turf assigned to you.
    Route(
        "api/safety/sessions",
        {"GET": ANY_ROLE, "POST": expect(ANY_ROLE, organizer=400, field_lead=400, canvasser=201)},
        body=_start_body,
    ),
    # One session: its canvasser, the turf team's field leads, organizers.
    Route(
        "api/safety/sessions/<int:pk>",
        {"GET": ANY_ROLE},
        kwargs=session_kwargs("a"),
        other_kwargs=session_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/safety/sessions/<int:pk>/check-in",
        {"POST": OWNER_ONLY},
        kwargs=session_kwargs("a"),
        other_kwargs=session_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {"latitude": 41.6, "longitude": -93.6},
    ),
    Route(
        "api/safety/sessions/<int:pk>/end",
        {"POST": OWNER_ONLY},
        kwargs=session_kwargs("a"),
        other_kwargs=session_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/safety/sessions/<int:pk>/escalations",
        {"GET": STAFF_ONLY},
        kwargs=session_kwargs("a"),
        other_kwargs=session_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    # A team's check-in interval: its field leads and organizers.
    Route(
        "api/safety/teams/<int:pk>",
        {"GET": STAFF_ONLY, "PUT": STAFF_ONLY},
        kwargs=team_kwargs("a"),
        other_kwargs=team_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {"checkin_interval_minutes": 20},
    ),
    # One's own PINs.
    Route(
        "api/me/safety-pin",
        {
            "GET": ANY_ROLE,
            "PUT": ANY_ROLE,
            "DELETE": expect(ANY_ROLE, organizer=204, field_lead=204, canvasser=204),
        },
        body=lambda c: {"duress_pin": "9111"},
    ),
]


def seed_escalated_sessions(cast: Any) -> None:
    """For the list-scoping world: both teams' sessions, each past a missed check-in (so their
    escalation lists name someone)."""
    from canvass.services.safety import safety_escalations_run

    for team in ("a", "b"):
        session = _session(cast, team)
        FieldSession.objects.filter(pk=session.pk).update(
            next_checkin_due_at=timezone.now() - timedelta(minutes=1)
        )
    safety_escalations_run()
