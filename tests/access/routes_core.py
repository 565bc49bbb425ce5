"""Access table for the project-level routes (accounts, audit, privacy, schema)."""

from __future__ import annotations

from tests.access.framework import ANY_ROLE, ORGANIZER_ONLY, PUBLIC, STAFF_ONLY, Route, expect

ROUTES = [
    Route(
        "api/auth/login",
        {"POST": expect(PUBLIC, anonymous=400, organizer=400, field_lead=400, canvasser=400)},
        body=lambda c: {},
    ),
    Route(
        "api/auth/refresh",
        {"POST": expect(PUBLIC, anonymous=401, organizer=401, field_lead=401, canvasser=401)},
        body=lambda c: {"refresh_token": "nope"},
    ),
    Route(
        "api/auth/logout", {"POST": expect(ANY_ROLE, organizer=204, field_lead=204, canvasser=204)}
    ),
    Route("api/auth/logout-all", {"POST": ANY_ROLE}),
    Route("api/me", {"GET": ANY_ROLE, "PATCH": ANY_ROLE}, body=lambda c: {}),
    Route(
        "api/me/phone",
        {
            "PUT": expect(ANY_ROLE, organizer=400, field_lead=400, canvasser=400),
            "DELETE": ANY_ROLE,
        },
        body=lambda c: {},
    ),
    Route(
        "api/me/password",
        {"POST": expect(ANY_ROLE, organizer=400, field_lead=400, canvasser=400)},
        body=lambda c: {},
    ),
    Route("api/users", {"GET": STAFF_ONLY}),
    Route(
        "api/users/<int:pk>",
        {"GET": STAFF_ONLY, "PATCH": ORGANIZER_ONLY},
        kwargs=lambda c: {"pk": c.canvasser_a.pk},
        other_kwargs=lambda c: {"pk": c.canvasser_b.pk},
        body=lambda c: {},
        missing_kwargs={"pk": 999999},
    ),
    Route(
        "api/users/<int:pk>/unlock",
        {"POST": expect(ORGANIZER_ONLY, organizer=204)},
        kwargs=lambda c: {"pk": c.canvasser_a.pk},
        other_kwargs=lambda c: {"pk": c.canvasser_b.pk},
        missing_kwargs={"pk": 999999},
    ),
    Route(
        "api/teams",
        {"GET": ANY_ROLE, "POST": expect(ORGANIZER_ONLY, organizer=400)},
        body=lambda c: {},
    ),
    Route(
        "api/teams/<int:pk>/members",
        {"POST": expect(ORGANIZER_ONLY, organizer=400)},
        kwargs=lambda c: {"pk": c.team_a.pk},
        other_kwargs=lambda c: {"pk": c.team_b.pk},
        body=lambda c: {},
        missing_kwargs={"pk": 999999},
    ),
    Route(
        "api/teams/<int:pk>/members/<int:user_id>",
        {"DELETE": expect(ORGANIZER_ONLY, organizer=204)},
        kwargs=lambda c: {"pk": c.team_a.pk, "user_id": c.canvasser_a.pk},
        other_kwargs=lambda c: {"pk": c.team_b.pk, "user_id": c.canvasser_b.pk},
        missing_kwargs={"pk": 999999, "user_id": 999999},
    ),
    Route("api/audit-events", {"GET": ORGANIZER_ONLY}),
    Route(
        "api/privacy/erasures", {"POST": expect(ORGANIZER_ONLY, organizer=400)}, body=lambda c: {}
    ),
    Route("api/schema/", {"GET": PUBLIC}),
    Route("api/docs/", {"GET": PUBLIC}),
]
