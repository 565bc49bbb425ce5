"""Access table for caucuses: organizers set them up; field leads read them and their board
(scoped to their teams' precincts inside the answer); anyone asks where to caucus."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from canvass.models import Precinct
from events.models import Caucus, CaucusKind, CaucusPrecinct, CaucusSite, Location
from tests.access.framework import ORGANIZER_ONLY, PUBLIC, STAFF_ONLY, Route, expect

ORGANIZER_WRITE_INVALID = expect(ORGANIZER_ONLY, organizer=400)
MISSING = {"pk": 999999}


def _caucus(cast: Any) -> Caucus:
    cache = cast.__dict__.setdefault("_caucuses", {})
    if "caucus" not in cache:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        cache["caucus"] = Caucus.objects.create(
            name="Access caucus",
            party="Democratic",
            kind=CaucusKind.PRECINCT,
            date=date(2030, 1, 15),
            starts_at=datetime.combine(
                date(2030, 1, 15), time(19), tzinfo=ZoneInfo("America/Chicago")
            ),
        )
    return cache["caucus"]


def caucus_kwargs(cast: Any) -> dict[str, Any]:
    return {"pk": _caucus(cast).pk}


def _linked_precinct(cast: Any) -> dict[str, Any]:
    """A precinct linked to a site of the caucus (again after an organizer unlinked it)."""
    caucus = _caucus(cast)
    precinct, _ = Precinct.objects.get_or_create(
        county_key="POLK",
        name_key="ACCESS1",
        defaults={
            "county": "Polk",
            "name": "Access 1",
            "boundary": {
                "type": "Polygon",
                "coordinates": [[[-93.7, 41.5], [-93.6, 41.5], [-93.6, 41.6], [-93.7, 41.5]]],
            },
            "min_lat": 41.5,
            "max_lat": 41.6,
            "min_lon": -93.7,
            "max_lon": -93.6,
        },
    )
    location, _ = Location.objects.get_or_create(source_key="ACCESS|SITE", defaults={"name": "S"})
    site, _ = CaucusSite.objects.get_or_create(caucus=caucus, location=location)
    CaucusPrecinct.objects.get_or_create(caucus=caucus, precinct=precinct, defaults={"site": site})
    return {"pk": caucus.pk, "precinct": precinct.pk}


ROUTES = [
    Route("api/public/where-do-i-caucus", {"GET": PUBLIC}, query={"lat": 41.6, "lng": -93.6}),
    # Caucuses are shared by every team: no team's object, so no other-team case.
    Route(
        "api/caucuses",
        {"GET": STAFF_ONLY, "POST": ORGANIZER_WRITE_INVALID},
        body=lambda c: {},
    ),
    Route(
        "api/caucuses/<int:pk>",
        {"GET": STAFF_ONLY},
        kwargs=caucus_kwargs,
        missing_kwargs=MISSING,
    ),
    Route(
        "api/caucuses/<int:pk>/sites",
        {"POST": ORGANIZER_WRITE_INVALID},
        kwargs=caucus_kwargs,
        body=lambda c: {},
    ),
    Route(
        "api/caucuses/<int:pk>/links",
        {"POST": ORGANIZER_WRITE_INVALID},
        kwargs=caucus_kwargs,
        body=lambda c: {},
    ),
    Route(
        "api/caucuses/<int:pk>/links/<int:precinct>",
        {"DELETE": expect(ORGANIZER_ONLY, organizer=204)},
        kwargs=_linked_precinct,
    ),
    # Multipart only: a JSON body is refused before the file is looked at.
    Route(
        "api/caucuses/<int:pk>/site-import",
        {"POST": expect(ORGANIZER_ONLY, organizer=415)},
        kwargs=caucus_kwargs,
        body=lambda c: {},
    ),
    Route("api/caucuses/<int:pk>/match-report", {"GET": ORGANIZER_ONLY}, kwargs=caucus_kwargs),
    # The board exists for every field lead; which sites it holds is scoped inside it
    # (tests/events/test_caucuses.py: another team's site is absent).
    Route("api/caucuses/<int:pk>/board", {"GET": STAFF_ONLY}, kwargs=caucus_kwargs),
]


def board_kwargs(cast: Any) -> dict[str, Any]:
    """A caucus on the day of both teams' caucus-night events, each team's precinct linked to
    its event's site (the list-scoping world has "Precinct a"/"Precinct b" on the teams' doors):
    the organizer's board holds team B's event and volunteer, team A's must not."""
    from zoneinfo import ZoneInfo

    from tests.access import routes_events

    cache = cast.__dict__.setdefault("_caucuses", {})
    if "board" not in cache:
        event_b = routes_events._event(cast, "b")
        event_a = routes_events._event(cast, "a")
        zone = ZoneInfo(event_b.time_zone)
        caucus = Caucus.objects.create(
            name="Board caucus",
            party="Democratic",
            kind=CaucusKind.PRECINCT,
            date=event_b.starts_at.astimezone(zone).date(),
            starts_at=event_b.starts_at,
        )
        for team, event in (("a", event_a), ("b", event_b)):
            precinct = Precinct.objects.filter(name=f"Precinct {team}").first()
            if precinct is None or event.location is None:
                continue
            site = CaucusSite.objects.create(caucus=caucus, location=event.location)
            CaucusPrecinct.objects.create(caucus=caucus, precinct=precinct, site=site)
        cache["board"] = caucus
    return {"pk": cache["board"].pk}
