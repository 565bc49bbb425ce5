"""The list-scoping table: every route that answers a list, and how to look for a leak in it.

`test_list_scoping.py` seeds a small world in which team B owns a turf with doors and voters, a
flagged log, an event with a shift, a volunteer, a text and a device, each carrying one of the
`TEAM_B_MARKERS` strings. For every list route, every role and every filter below, it reads every
page (one row per page, so pagination and counts are exercised too) and fails if any marker of
team B appears for a role of team A. A list route without an entry here fails the suite.

`shared` names the reason a list holds nobody's team data (precincts, caucus sites, public
events): such a list is still listed here, so adding a route forces the question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from backend.accounts.models import User
from events.links import manage_token_for
from tests.access import (
    routes_canvass,
    routes_caucuses,
    routes_events,
    routes_incidents,
    routes_platform,
    routes_safety_checkins,
)

# Strings only team B's objects carry (case-sensitive). Team A's twins say "a"/"A" instead.
TEAM_B_MARKERS = (
    "Team B",
    "canvasser_b",
    "lead_b",
    "Turf b",
    " B ST",
    "Caucus night b",
    "Volunteer b",
)


@dataclass
class Listing:
    """One list route.

    `filters`: (cast) -> query parameters; each is tried (with paging) for every role.
    `kwargs`/`other_kwargs`: URL kwargs of team A's / team B's parent object (routes such as
    `turfs/<pk>/walk-list`); the organizer's answer for team B's object must show a marker,
    which proves the markers reach this list at all.
    `shared`: why this list holds no team's objects (then no marker check applies).
    `no_markers`: why this list of one team object's figures names nothing (counts only); its
    parent object is another team's 404 in the access matrix.
    """

    pattern: str
    filters: list[Callable[[Any], dict[str, Any]]] = field(default_factory=lambda: [_none])
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    other_kwargs: Callable[[Any], dict[str, Any]] | None = None
    shared: str = ""
    no_markers: str = ""


def _none(cast: Any) -> dict[str, Any]:
    return {}


def seed_world(cast: Any) -> None:
    """Both teams' objects, as the route tables build them, plus what lists need on top."""
    from canvass.models import DeviceSync, Household, Precinct
    from messaging.models import SmsKind, SmsMessage, SmsStatus

    for team in ("a", "b"):
        turf = routes_canvass._turf(cast, team)
        square = [[[-93.7, 41.5], [-93.5, 41.5], [-93.5, 41.7], [-93.7, 41.5]]]
        precinct = Precinct.objects.create(
            county="Polk",
            county_key="POLK",
            name=f"Precinct {team}",
            name_key=f"P{team.upper()}",
            boundary={"type": "Polygon", "coordinates": square},
            min_lat=41.5,
            max_lat=41.7,
            min_lon=-93.7,
            max_lon=-93.5,
        )
        Household.objects.filter(turf_stops__turf=turf).update(precinct=precinct)
        log = routes_canvass._log(cast, team)
        log.result = "contacted"
        log.wants_to_volunteer = True
        log.volunteer_consent = True
        log.save(update_fields=["result", "wants_to_volunteer", "volunteer_consent"])
        canvasser = cast.canvasser_a if team == "a" else cast.canvasser_b
        DeviceSync.objects.create(
            canvasser=canvasser,
            device_id=f"phone-{team}",
            last_sync_at=timezone.now() - timedelta(minutes=5),
        )
        routes_incidents.incident_kwargs(team)(cast)  # declared by that team's lead
        signup = routes_events._signup(cast, team)
        if not SmsMessage.objects.filter(signup=signup).exists():
            SmsMessage.objects.create(
                volunteer=signup.volunteer,
                phone=signup.volunteer.phone,
                phone_hash=signup.volunteer.phone_hash,
                body="You are signed up.",
                kind=SmsKind.CONFIRMATION,
                signup=signup,
                event=signup.shift.event,
                send_after=timezone.now(),
                next_attempt_at=timezone.now(),
                status=SmsStatus.QUEUED,
            )
    # Someone in both teams: team A sees them, but not that they are also in team B.
    from backend.accounts.models import Membership, Role, User

    shared = User.objects.create_user(username="both_teams", role=Role.CANVASSER)
    Membership.objects.create(team=cast.team_a, user=shared)
    Membership.objects.create(team=cast.team_b, user=shared)
    # A door in nobody's turf: the free pool field leads cut from.
    Household.objects.create(street="9 POOL ST", address_key="9 POOL ST||", latitude=41.7)
    # Field safety sessions of both teams, each with a missed check-in.
    routes_safety_checkins.seed_escalated_sessions(cast)


def _precinct_of(team: str) -> Callable[[Any], dict[str, Any]]:
    def make(cast: Any) -> dict[str, Any]:
        from canvass.models import Precinct

        return {"precinct": Precinct.objects.get(name=f"Precinct {team}").pk}

    return make


def _event_of(team: str) -> Callable[[Any], dict[str, Any]]:
    return lambda c: {"event": routes_events._event(c, team).pk}


def _volunteer_of(team: str) -> Callable[[Any], dict[str, Any]]:
    return lambda c: {"volunteer": routes_events._signup(c, team).volunteer_id}


turf_a, turf_b = routes_canvass.turf_kwargs("a"), routes_canvass.turf_kwargs("b")
log_a, log_b = routes_canvass.log_kwargs("a"), routes_canvass.log_kwargs("b")
event_a, event_b = routes_events.event_kwargs("a"), routes_events.event_kwargs("b")
shift_a, shift_b = routes_events.shift_kwargs("a"), routes_events.shift_kwargs("b")
volunteer_a, volunteer_b = routes_events.volunteer_kwargs("a"), routes_events.volunteer_kwargs("b")

LISTINGS = [
    # Accounts and audit.
    Listing("api/me"),
    Listing("api/users"),
    Listing(
        "api/users/<int:pk>",
        kwargs=lambda c: {"pk": User.objects.get(username="both_teams").pk},
        other_kwargs=lambda c: {"pk": c.canvasser_b.pk},
    ),
    Listing("api/teams"),
    Listing("api/audit-events"),
    # Doors, turf, walk lists.
    Listing(
        "api/households",
        filters=[
            _none,
            lambda c: {"in_active_turf": "true"},
            lambda c: {"in_active_turf": "false"},
            lambda c: {"geocode_status": "provided"},
            _precinct_of("b"),
            _precinct_of("a"),
        ],
    ),
    Listing("api/precincts", shared="precincts are public geography, shared by every team"),
    Listing("api/turfs"),
    Listing("api/turfs/<int:pk>.geojson", kwargs=turf_a, other_kwargs=turf_b),
    Listing("api/turfs/<int:pk>/walk-list", kwargs=turf_a, other_kwargs=turf_b),
    Listing("api/turfs/<int:pk>/assignments", kwargs=turf_a, other_kwargs=turf_b),
    Listing("api/turfs/<int:pk>/canvasser-suggestions", kwargs=turf_a, other_kwargs=turf_b),
    Listing("api/me/turfs"),
    Listing("api/sync/pull"),
    Listing("api/sync/readiness"),
    Listing(
        "api/incidents",
        filters=[_none, lambda c: {"active": "true"}, lambda c: {"active": "false"}],
    ),
    Listing("api/scripts", shared="scripts are written by organizers for every team"),
    Listing(
        "api/scripts/<int:pk>",
        kwargs=routes_canvass.script_kwargs,
        shared="scripts are written by organizers for every team",
    ),
    # Logs and reports.
    Listing("api/logs/review", filters=[_none, lambda c: {"include_cleared": "true"}]),
    Listing("api/logs/export.csv"),
    Listing("api/logs/<int:pk>/history", kwargs=log_a, other_kwargs=log_b),
    Listing(
        "api/reports/canvassers",
        filters=[_none, lambda c: {"date_from": "2000-01-01", "date_to": "2100-01-01"}],
    ),
    Listing("api/reports/precincts"),
    Listing("api/volunteer-leads"),
    # Field safety.
    Listing("api/safety/sessions", filters=[_none, lambda c: {"status": "ended"}]),
    Listing("api/me/safety-pin", shared="the caller's own PIN state: two booleans"),
    Listing(
        "api/safety/sessions/<int:pk>/escalations",
        kwargs=routes_safety_checkins.session_kwargs("a"),
        other_kwargs=routes_safety_checkins.session_kwargs("b"),
    ),
    # Events.
    Listing("api/public/events", shared="public events are published to everyone"),
    Listing(
        "api/public/events/nearby",
        filters=[lambda c: {"latitude": 41.6, "longitude": -93.6}],
        shared="public events are published to everyone",
    ),
    Listing(
        "api/public/events/<int:pk>",
        kwargs=event_a,
        shared="public events are published to everyone",
    ),
    Listing(
        "api/public/me/<str:token>",
        kwargs=lambda c: {"token": manage_token_for(routes_events._signup(c, "a").volunteer)},
        shared="a volunteer's own signups, through their signed link",
    ),
    Listing("api/me/volunteer", shared="the caller's own volunteer record"),
    Listing("api/locations", shared="caucus sites are shared by every team"),
    Listing(
        "api/locations/<int:pk>",
        kwargs=lambda c: {"pk": routes_events._event(c, "a").location_id},
        shared="caucus sites are shared by every team",
    ),
    Listing(
        "api/public/where-do-i-caucus",
        shared="a public answer about one point: precinct and caucus site",
    ),
    Listing("api/caucuses", shared="caucuses are shared by every team"),
    Listing(
        "api/caucuses/<int:pk>",
        kwargs=routes_caucuses.caucus_kwargs,
        shared="caucus sites and their precincts are shared by every team",
    ),
    Listing(
        "api/caucuses/<int:pk>/match-report",
        kwargs=routes_caucuses.caucus_kwargs,
        shared="organizers only: the polling-place file's rows",
    ),
    Listing("api/caucuses/<int:pk>/board", kwargs=routes_caucuses.board_kwargs),
    Listing("api/events"),
    Listing("api/events/<int:pk>", kwargs=event_a, other_kwargs=event_b),
    Listing("api/events/<int:pk>/roster", kwargs=event_a, other_kwargs=event_b),
    Listing("api/events/<int:pk>/roster.csv", kwargs=event_a, other_kwargs=event_b),
    Listing(
        "api/events/<int:pk>/stats",
        kwargs=event_a,
        other_kwargs=event_b,
        no_markers="attendance counts per shift of one event",
    ),
    Listing("api/shifts/<int:pk>/roster", kwargs=shift_a, other_kwargs=shift_b),
    Listing("api/volunteers/<int:pk>/stats", kwargs=volunteer_a, other_kwargs=volunteer_b),
    # SMS.
    Listing(
        "api/sms/messages",
        filters=[
            _none,
            _event_of("b"),
            _event_of("a"),
            _volunteer_of("b"),
            lambda c: {"kind": "confirmation"},
            lambda c: {"status": "queued"},
        ],
    ),
    Listing("api/sms/inbound-messages"),
    Listing("api/sms/opt-outs"),
    Listing("api/sms/reviews"),
    Listing(
        "api/events/<int:pk>/sms-stats",
        kwargs=event_a,
        other_kwargs=event_b,
        no_markers="text counts per kind for one event",
    ),
    # Endorsements belong to no team: the public list is published, moderation is organizers'.
    Listing(
        "api/public/endorsements",
        filters=[_none, lambda c: {"kind": "person"}, lambda c: {"kind": "organization"}],
        shared="confirmed public endorsements are published to everyone",
    ),
    Listing(
        "api/endorsements",
        filters=[_none, lambda c: {"status": "pending"}, lambda c: {"hidden": "false"}],
        shared="endorsements belong to no team; only organizers read them (403 for the others)",
    ),
    Listing("api/kyr/texts", shared="know-your-rights texts are written for every team"),
    # The platform and the leaders' scorecard: the campaign's, not a team's.
    Listing("api/planks", shared="the platform's planks are the campaign's, public text"),
    Listing("api/public/planks", shared="the platform's planks are public"),
    Listing("api/leaders", shared="the leaders' scorecard is the campaign's, not a team's"),
    Listing(
        "api/leaders/<int:pk>",
        kwargs=routes_platform.leader_kwargs,
        shared="a leader's positions are the campaign's, not a team's",
    ),
    Listing(
        "api/leaders/<int:pk>/history",
        kwargs=routes_platform.leader_kwargs,
        shared="a leader's position changes are the campaign's, not a team's",
    ),
    Listing("api/public/leaders", shared="the public scorecard: published leaders"),
    Listing(
        "api/turfs/<int:pk>/progress",
        kwargs=turf_a,
        other_kwargs=turf_b,
        no_markers="counts per support level, pledge and plank of one turf",
    ),
    Listing(
        "api/public/leaders/<int:pk>",
        kwargs=routes_platform.leader_kwargs,
        shared="the public scorecard: one published leader",
    ),
]
