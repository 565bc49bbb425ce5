"""Access table for sensitive events (vetting, held signups, address release) and the
know-your-rights texts."""

from __future__ import annotations

from tests.access.framework import ANY_ROLE, ORGANIZER_ONLY, Route, expect
from tests.access.routes_events import signup_kwargs, volunteer_kwargs

# The cast's signup is confirmed on an event that is not sensitive: approving, declining or
# releasing its address is a 409 for the organizer, the only role allowed to try.
ORGANIZER_CONFLICT = expect(ORGANIZER_ONLY, organizer=409)

ROUTES = [
    Route(
        "api/volunteers/<int:pk>/vetting",
        {"POST": ORGANIZER_ONLY, "DELETE": ORGANIZER_ONLY},
        kwargs=volunteer_kwargs("a"),
    ),
    Route("api/signups/<int:pk>/approve", {"POST": ORGANIZER_CONFLICT}, kwargs=signup_kwargs("a")),
    Route("api/signups/<int:pk>/decline", {"POST": ORGANIZER_CONFLICT}, kwargs=signup_kwargs("a")),
    Route(
        "api/signups/<int:pk>/address-release",
        {"POST": ORGANIZER_CONFLICT},
        kwargs=signup_kwargs("a"),
    ),
    # Every signed-in role reads the texts (canvassers send them); organizers write them.
    Route("api/kyr/texts", {"GET": ANY_ROLE}),
    Route(
        "api/kyr/texts/<str:language>",
        {"PUT": expect(ORGANIZER_ONLY, organizer=400)},
        kwargs=lambda c: {"language": "en"},
        body=lambda c: {},
    ),
    # An empty body is a 400 for every signed-in role: nothing is sent.
    Route(
        "api/kyr/send",
        {"POST": expect(ANY_ROLE, organizer=400, field_lead=400, canvasser=400)},
        body=lambda c: {},
    ),
]
