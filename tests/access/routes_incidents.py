"""Access table for incidents: field leads (their teams' turf) and organizers; canvassers never."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from canvass.models import Incident, IncidentTurf
from tests.access.framework import STAFF_ONLY, Route, expect
from tests.access.routes_canvass import _turf

STAFF_WRITE_INVALID = expect(STAFF_ONLY, organizer=400, field_lead=400)
MISSING = {"pk": 999999}


def incident_kwargs(team: str):  # type: ignore[no-untyped-def]
    """A fresh active incident over the team's turf (a lift needs one not yet lifted)."""

    def make(c: Any) -> dict[str, int]:
        incident = Incident.objects.create(
            kind="police",
            instruction="Stop knocking.",
            area_kind="turfs",
            declared_by=c.lead_a if team == "a" else c.lead_b,
            declared_at=timezone.now(),
        )
        IncidentTurf.objects.create(incident=incident, turf=_turf(c, team))
        return {"pk": incident.pk}

    return make


ROUTES = [
    Route("api/incidents", {"GET": STAFF_ONLY, "POST": STAFF_WRITE_INVALID}, body=lambda c: {}),
    Route(
        "api/incidents/<int:pk>",
        {"GET": STAFF_ONLY},
        kwargs=incident_kwargs("a"),
        other_kwargs=incident_kwargs("b"),
        missing_kwargs=MISSING,
    ),
    Route(
        "api/incidents/<int:pk>/lift",
        {"POST": STAFF_ONLY},
        kwargs=incident_kwargs("a"),
        other_kwargs=incident_kwargs("b"),
        missing_kwargs=MISSING,
    ),
]
