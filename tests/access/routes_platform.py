"""Access table for the platform and the leaders' scorecard: planks (any role reads, organizers
write), leaders (organizers write, field leads read, canvassers get them in the pull only) and
the public reads. Leaders and planks belong to the campaign, not a team: no other-team case."""

from __future__ import annotations

from typing import Any

from canvass.models import Jurisdiction, Leader, Plank
from tests.access.framework import ANY_ROLE, ORGANIZER_ONLY, PUBLIC, STAFF_ONLY, Route, expect

ORGANIZER_WRITE_INVALID = expect(ORGANIZER_ONLY, organizer=400)


def _leader(cast: Any) -> Leader:
    cache = cast.__dict__.setdefault("_leaders", {})
    if "leader" not in cache:
        cache["leader"] = Leader.objects.create(
            name="Gov. Access", office="Governor", jurisdiction=Jurisdiction.STATE, published=True
        )
    return cache["leader"]


def plank_kwargs(cast: Any) -> dict[str, Any]:
    # Migration 0009 writes the plank; a transactional test elsewhere may have flushed it.
    Plank.objects.get_or_create(
        code="end-detention",
        defaults={"title_en": "End detention", "title_es": "Acabar con la detencion"},
    )
    return {"code": "end-detention"}


def leader_kwargs(cast: Any) -> dict[str, Any]:
    return {"pk": _leader(cast).pk}


ROUTES = [
    Route("api/public/planks", {"GET": PUBLIC}),
    Route("api/planks", {"GET": ANY_ROLE, "POST": ORGANIZER_WRITE_INVALID}, body=lambda c: {}),
    Route(
        "api/planks/<slug:code>",
        {"GET": ANY_ROLE, "PATCH": ORGANIZER_ONLY},
        kwargs=plank_kwargs,
        body=lambda c: {},
    ),
    Route("api/leaders", {"GET": STAFF_ONLY, "POST": ORGANIZER_WRITE_INVALID}, body=lambda c: {}),
    Route(
        "api/leaders/<int:pk>",
        {"GET": STAFF_ONLY, "PATCH": ORGANIZER_ONLY},
        kwargs=leader_kwargs,
        body=lambda c: {},
    ),
    Route(
        "api/leaders/<int:pk>/positions",
        {"POST": ORGANIZER_WRITE_INVALID},
        kwargs=leader_kwargs,
        body=lambda c: {},
    ),
    Route("api/leaders/<int:pk>/history", {"GET": STAFF_ONLY}, kwargs=leader_kwargs),
    Route("api/public/leaders", {"GET": PUBLIC}),
    Route("api/public/leaders/<int:pk>", {"GET": PUBLIC}, kwargs=leader_kwargs),
]
