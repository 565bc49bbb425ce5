"""Access table for the canvass app: voter import, turf, walk lists, sync, logs and reports."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from canvass.models import (
    ConversationLog,
    Household,
    ImportJob,
    Script,
    Turf,
    TurfAssignment,
    TurfHousehold,
)
from tests.access.framework import (
    ANY_ROLE,
    CANVASSER_ONLY,
    ORGANIZER_ONLY,
    STAFF_ONLY,
    Route,
    expect,
)

STAFF_WRITE_INVALID = expect(STAFF_ONLY, organizer=400, field_lead=400)
MISSING = {"pk": 999999}


def _turf(cast: Any, team_name: str) -> Turf:
    """A turf of team A or B with two doors, assigned to that team's canvasser."""
    cache = cast.__dict__.setdefault("_turfs", {})
    if team_name in cache:
        return cache[team_name]
    team = cast.team_a if team_name == "a" else cast.team_b
    canvasser = cast.canvasser_a if team_name == "a" else cast.canvasser_b
    turf = Turf.objects.create(name=f"Turf {team_name}", team=team)
    for position in (1, 2):
        household = Household.objects.create(
            street=f"{position} {team_name.upper()} ST",
            address_key=f"{position} {team_name.upper()} ST||",
            latitude=41.6 + position * 0.001,
            longitude=-93.6,
        )
        TurfHousehold.objects.create(turf=turf, household=household, position=position)
    TurfAssignment.objects.create(turf=turf, canvasser=canvasser, assigned_at=timezone.now())
    cache[team_name] = turf
    return turf


def _log(cast: Any, team_name: str) -> ConversationLog:
    cache = cast.__dict__.setdefault("_logs", {})
    if team_name in cache:
        return cache[team_name]
    turf = _turf(cast, team_name)
    canvasser = cast.canvasser_a if team_name == "a" else cast.canvasser_b
    log = ConversationLog.objects.create(
        client_uuid=uuid.uuid4(),
        canvasser=canvasser,
        household=turf.stops.first().household,
        turf=turf,
        result="not_home",
        contacted_at=timezone.now(),
        received_at=timezone.now(),
        flag_unverified=True,
    )
    cache[team_name] = log
    return log


def turf_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": _turf(c, team).pk}


def log_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": _log(c, team).pk}


def door_kwargs(team: str):  # type: ignore[no-untyped-def]
    return lambda c: {"pk": _turf(c, team).stops.first().household_id}


def unassign_kwargs(team: str):  # type: ignore[no-untyped-def]
    def make(c: Any) -> dict[str, int]:
        canvasser = c.canvasser_a if team == "a" else c.canvasser_b
        return {"pk": _turf(c, team).pk, "canvasser_id": canvasser.pk}

    return make


def import_job_kwargs(team: str):  # type: ignore[no-untyped-def]
    """An import job of team A or B (rows need not exist for its page to answer)."""

    def make(c: Any) -> dict[str, int]:
        job = ImportJob.objects.create(
            kind="voters",
            team=c.team_a if team == "a" else c.team_b,
            created_by=c.lead_a if team == "a" else c.lead_b,
            upload_path="/nonexistent.csv",
        )
        return {"pk": job.pk}

    return make


def script_kwargs(c: Any) -> dict[str, int]:
    return {"pk": Script.objects.create(name="Script").pk}


ROUTES = [
    # Voter file and doors: field leads and organizers. The import takes multipart only.
    Route(
        "api/voters/import",
        {"POST": expect(STAFF_ONLY, organizer=415, field_lead=415)},
        body=lambda c: {},
    ),
    Route(
        "api/locations/import",
        {"POST": expect(ORGANIZER_ONLY, organizer=415)},
        body=lambda c: {},
    ),
    # Import jobs: a field lead follows their teams' jobs; another team's job is a 404.
    Route(
        "api/imports/<int:pk>",
        {"GET": STAFF_ONLY},
        kwargs=import_job_kwargs("a"),
        other_kwargs=import_job_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route("api/households", {"GET": STAFF_ONLY}),
    Route(
        "api/households/geocode-pending",
        {"POST": expect(STAFF_ONLY, organizer=202, field_lead=202)},
    ),
    # Placing a door by hand: not a door in another team's active turf.
    Route(
        "api/households/<int:pk>/place",
        {"POST": STAFF_WRITE_INVALID},
        kwargs=door_kwargs("a"),
        other_kwargs=door_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route("api/precincts", {"GET": STAFF_ONLY}),
    # Turf: field leads their teams', organizers all; canvassers only turf assigned to them.
    Route("api/turfs", {"GET": STAFF_ONLY, "POST": STAFF_WRITE_INVALID}, body=lambda c: {}),
    Route("api/turfs/auto-cut", {"POST": STAFF_WRITE_INVALID}, body=lambda c: {}),
    Route(
        "api/turfs/<int:pk>",
        {"GET": ANY_ROLE},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/turfs/<int:pk>.geojson",
        {"GET": ANY_ROLE},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/turfs/<int:pk>/status",
        {"POST": STAFF_WRITE_INVALID},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/turfs/<int:pk>/walk-order",
        {"POST": STAFF_ONLY},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/turfs/<int:pk>/walk-list",
        {"GET": ANY_ROLE},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/turfs/<int:pk>/assignments",
        {"GET": STAFF_ONLY, "POST": STAFF_WRITE_INVALID},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/turfs/<int:pk>/assignments/<int:canvasser_id>",
        {"DELETE": STAFF_ONLY},
        kwargs=unassign_kwargs("a"),
        other_kwargs=unassign_kwargs("b"),
        missing_kwargs={"pk": 999999, "canvasser_id": 999999},
    ),
    Route(
        "api/turfs/<int:pk>/script",
        {"PUT": STAFF_WRITE_INVALID},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/turfs/<int:pk>/progress",
        {"GET": ANY_ROLE},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route("api/me/turfs", {"GET": CANVASSER_ONLY}),
    # Sync: canvassers only.
    Route("api/sync/push", {"POST": expect(CANVASSER_ONLY, canvasser=400)}, body=lambda c: {}),
    Route("api/sync/pull", {"GET": CANVASSER_ONLY}),
    Route("api/sync/readiness", {"GET": STAFF_ONLY}),
    # Scripts: organizers write, field leads read.
    Route(
        "api/scripts",
        {"GET": STAFF_ONLY, "POST": expect(ORGANIZER_ONLY, organizer=400)},
        body=lambda c: {},
    ),
    Route("api/scripts/<int:pk>", {"GET": STAFF_ONLY}, kwargs=script_kwargs),
    # Logs: the review queue for staff; corrections by the canvasser who logged it.
    Route("api/logs/review", {"GET": STAFF_ONLY}),
    Route("api/logs/export.csv", {"GET": STAFF_ONLY}),
    Route(
        "api/logs/<int:pk>",
        {"PATCH": CANVASSER_ONLY, "DELETE": expect(CANVASSER_ONLY, canvasser=204)},
        kwargs=log_kwargs("a"),
        other_kwargs=log_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/logs/<int:pk>/review",
        {"POST": STAFF_WRITE_INVALID},
        kwargs=log_kwargs("a"),
        other_kwargs=log_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    Route(
        "api/logs/<int:pk>/history",
        {"GET": STAFF_ONLY},
        kwargs=log_kwargs("a"),
        other_kwargs=log_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/households/<int:pk>/flags/clear",
        {"POST": STAFF_WRITE_INVALID},
        kwargs=door_kwargs("a"),
        other_kwargs=door_kwargs("b"),
        missing_kwargs=MISSING,
        body=lambda c: {},
    ),
    # Reports.
    Route("api/reports/canvassers", {"GET": STAFF_ONLY}),
    Route("api/reports/precincts", {"GET": ORGANIZER_ONLY}),
    Route("api/volunteer-leads", {"GET": ORGANIZER_ONLY}),
]
