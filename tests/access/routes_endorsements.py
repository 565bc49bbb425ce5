"""Access table for endorsements: the public form, list and link; organizers' moderation."""

from __future__ import annotations

from typing import Any

from canvass.models import Endorsement
from canvass.services.endorsements import confirm_token_for, endorsement_create
from tests.access.framework import ORGANIZER_ONLY, PUBLIC, Route, expect


def _endorsement(cast: Any) -> Endorsement:
    cache = cast.__dict__.setdefault("_endorsements", {})
    if "one" not in cache:
        cache["one"] = endorsement_create(
            kind="organization",
            name="Access Matrix Org",
            organization_kind="community",
            contact_person="Someone",
            city="Des Moines",
            email="access@example.org",
        ).endorsement
    return cache["one"]


ALL_400 = {"anonymous": 400, "organizer": 400, "field_lead": 400, "canvasser": 400}

ROUTES = [
    # Public (no login): everyone gets the same answer; an empty form is a 400 for everyone.
    Route("api/public/endorsements", {"GET": PUBLIC, "POST": ALL_400}, body=lambda c: {}),
    Route(
        "api/public/endorsements/confirm/<str:token>",
        {"GET": PUBLIC, "POST": PUBLIC},
        kwargs=lambda c: {"token": confirm_token_for(_endorsement(c))},
    ),
    # Moderation: organizers only (field leads and canvassers 403; endorsements belong to no team).
    Route("api/endorsements", {"GET": ORGANIZER_ONLY}),
    Route(
        "api/endorsements/<int:pk>",
        {"GET": ORGANIZER_ONLY},
        kwargs=lambda c: {"pk": _endorsement(c).pk},
        missing_kwargs={"pk": 999999},
    ),
    Route(
        "api/endorsements/<int:pk>/hide",
        {"POST": expect(ORGANIZER_ONLY, organizer=400)},
        kwargs=lambda c: {"pk": _endorsement(c).pk},
        body=lambda c: {},
        missing_kwargs={"pk": 999999},
    ),
    Route(
        "api/endorsements/<int:pk>/restore",
        {"POST": expect(ORGANIZER_ONLY, organizer=400)},
        kwargs=lambda c: {"pk": _endorsement(c).pk},
        body=lambda c: {},
        missing_kwargs={"pk": 999999},
    ),
    Route(
        "api/endorsements/invitations",
        {"POST": expect(ORGANIZER_ONLY, organizer=400)},
        body=lambda c: {},
    ),
]
