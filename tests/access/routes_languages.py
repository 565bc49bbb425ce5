"""Access table for languages: a person's spoken languages, a turf's canvasser suggestions."""

from __future__ import annotations

from tests.access.framework import STAFF_ONLY, Route, expect
from tests.access.routes_canvass import MISSING, turf_kwargs

ROUTES = [
    Route(
        "api/users/<int:pk>/languages",
        {"PUT": expect(STAFF_ONLY, organizer=400, field_lead=400)},
        kwargs=lambda c: {"pk": c.canvasser_a.pk},
        other_kwargs=lambda c: {"pk": c.canvasser_b.pk},
        body=lambda c: {"spoken_languages": ["xx"]},
        missing_kwargs=MISSING,
    ),
    Route(
        "api/turfs/<int:pk>/canvasser-suggestions",
        {"GET": STAFF_ONLY},
        kwargs=turf_kwargs("a"),
        other_kwargs=turf_kwargs("b"),
        missing_kwargs=MISSING,
    ),
]
