"""Least privilege: each role sees exactly the fields its work needs, pinned per serializer.

Canvassers see names, door address, first names and age band, the door's latest result and its
safety flags; never phone numbers, birth years, party or other canvassers' notes. Field leads
see their teams' data (party, review details), organizers everything.
"""

from __future__ import annotations

import json

import pytest

from backend.accounts.models import Membership, Role, User
from tests.canvass.conftest import assign, batch, doors, log_item, make_voter

pytestmark = pytest.mark.django_db

PHONE = "+15155550199"
SECRET_NOTE = "Porch light broken, friendly dog"

HOUSEHOLD_FOR_CANVASSER = {
    "id",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "latitude",
    "longitude",
}
VOTER_FOR_CANVASSER = {"id", "first_name", "last_name", "age_band", "language"}
VOTER_FOR_STAFF = VOTER_FOR_CANVASSER | {"party"}
LATEST_RESULT = {"result", "do_not_knock", "follow_up_needed", "contacted_at"}
STOP = {"position", "household", "safety_flags", "voters", "latest_result"}
TURF = {
    "id",
    "name",
    "team",
    "precinct",
    "status",
    "door_count",
    "voter_count",
    "doors_visited",
    "caucus_site",
    "created_at",
    "updated_at",
}
PULLED_HOUSEHOLD = {
    "id",
    "turf",
    "position",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "latitude",
    "longitude",
    "do_not_knock",
    "moved",
    "deceased",
}
PULLED_VOTER = {"id", "household", "first_name", "last_name", "age_band", "language"}
PULLED_LOG = {
    "id",
    "client_uuid",
    "mine",
    "household",
    "voter",
    "turf",
    "result",
    "do_not_knock",
    "follow_up_needed",
    "contacted_at",
    "received_at",
    "deleted",
}
PUSHED_LOG = {
    "id",
    "client_uuid",
    "household",
    "turf",
    "result",
    "contacted_at",
    "received_at",
    "flags",
}
REVIEW_LOG = {
    "id",
    "client_uuid",
    "canvasser",
    "turf",
    "household",
    "result",
    "contacted_at",
    "received_at",
    "distance_m",
    "accuracy_m",
    "flags",
    "flag_cleared",
    "excluded",
}
OWN_LOG = {
    "id",
    "client_uuid",
    "household",
    "voter",
    "turf",
    "result",
    "do_not_knock",
    "support_level",
    "answers",
    "pledge",
    "will_caucus",
    "wants_to_volunteer",
    "volunteer_consent",
    "follow_up_needed",
    "notes",
    "contacted_at",
    "received_at",
    "updated_at",
    "flags",
}
READINESS = {"canvasser", "last_sync_at", "minutes_since_sync", "pending_logs", "ready", "devices"}
DEVICE = {"device_id", "app_version", "last_push_at", "last_pull_at", "pending_count"}
CANVASSER_DAY = {"canvasser", "day", "doors", "logs", "contacts", "contact_rate", "flagged"}
PRECINCT_ROW = {
    "precinct",
    "county",
    "name",
    "doors_knocked",
    "contacts",
    "supporters",
    "pledged",
    "planks",
}
VOLUNTEER_LEAD = {
    "log_id",
    "voter",
    "first_name",
    "last_name",
    "household",
    "address",
    "volunteer_consent",
    "contacted_at",
    "canvasser",
}
HOUSEHOLD_FOR_STAFF = {
    "id",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "county",
    "latitude",
    "longitude",
    "geocode_status",
    "precinct",
    "voter_count",
    "in_active_turf",
    "updated_at",
}


@pytest.fixture
def world(client_for, team_a, canvasser_a, turf_a):
    """A second canvasser of team A logged a door of turf_a with a note; a voter lives there."""
    other = User.objects.create_user(
        username="canvasser_a2", password="x-Pass-2026!", role=Role.CANVASSER
    )
    Membership.objects.create(team=team_a, user=other)
    assign(turf_a, other)
    door = doors(turf_a)[0]
    voter = make_voter(door, phone=PHONE, birth_year=1971, party="REP", first_name="Marisol")
    client_for(other).post(
        "/api/sync/push",
        batch(
            log_item(
                door,
                voter=voter.pk,
                notes=SECRET_NOTE,
                wants_to_volunteer=True,
                volunteer_consent=True,
            )
        ),
        format="json",
    )
    return {"door": door, "voter": voter, "other": other}


def test_canvasser_walk_list_fields(client_for, canvasser_a, turf_a, world):
    body = client_for(canvasser_a).get(f"/api/turfs/{turf_a.pk}/walk-list").json()

    stop = next(s for s in body["stops"] if s["household"]["id"] == world["door"].pk)
    assert set(body) == {"turf", "stops"}
    assert set(body["turf"]) == TURF
    assert set(stop) == STOP
    assert set(stop["household"]) == HOUSEHOLD_FOR_CANVASSER
    assert set(stop["voters"][0]) == VOTER_FOR_CANVASSER
    assert set(stop["latest_result"]) == LATEST_RESULT
    assert set(stop["safety_flags"]) == {"do_not_knock", "moved", "deceased"}


def test_staff_walk_list_adds_party_only(client_for, lead_a, organizer, turf_a, world):
    for user in (lead_a, organizer):
        body = client_for(user).get(f"/api/turfs/{turf_a.pk}/walk-list").json()
        stop = next(s for s in body["stops"] if s["household"]["id"] == world["door"].pk)
        assert set(stop["voters"][0]) == VOTER_FOR_STAFF


def test_canvasser_pull_fields(client_for, canvasser_a, world):
    body = client_for(canvasser_a).get("/api/sync/pull").json()

    assert set(body) == {
        "cursor",
        "has_more",
        "assignments",
        "households",
        "removed_voters",
        "removed_households",
        "removed_logs",
        "voters",
        "logs",
        "scripts",
        "leaders",
        "caucus_sites",
    }
    assert {frozenset(h) for h in body["households"]} == {frozenset(PULLED_HOUSEHOLD)}
    assert {frozenset(v) for v in body["voters"]} == {frozenset(PULLED_VOTER)}
    assert {frozenset(log) for log in body["logs"]} == {frozenset(PULLED_LOG)}


def test_push_answers_fields(client_for, canvasser_a, turf_a):
    body = (
        client_for(canvasser_a)
        .post("/api/sync/push", batch(log_item(doors(turf_a)[1])), format="json")
        .json()
    )

    assert set(body) == {"batch_id", "received_at", "counts", "results"}
    assert set(body["results"][0]) == {"index", "client_uuid", "status", "log"}
    assert set(body["results"][0]["log"]) == PUSHED_LOG


def test_own_log_fields_include_the_canvassers_own_notes(client_for, world):
    from canvass.models import ConversationLog

    log = ConversationLog.objects.get()
    body = (
        client_for(world["other"])
        .patch(f"/api/logs/{log.pk}", {"follow_up_needed": True}, format="json")
        .json()
    )

    assert set(body) == {"log", "warnings"}
    assert set(body["log"]) == OWN_LOG
    assert body["log"]["notes"] == SECRET_NOTE


def test_review_queue_and_history_fields(client_for, lead_a, world):
    from canvass.models import ConversationLog

    ConversationLog.objects.update(flag_unverified=True)
    client = client_for(lead_a)
    queue = client.get("/api/logs/review").json()["results"]
    log_id = queue[0]["id"]
    client_for(world["other"]).patch(f"/api/logs/{log_id}", {"support_level": 3}, format="json")
    history = client.get(f"/api/logs/{log_id}/history").json()

    assert set(queue[0]) == REVIEW_LOG
    assert set(queue[0]["canvasser"]) == {"id", "username"}
    assert set(history) == {"log", "revisions", "reviews"}
    assert set(history["revisions"][0]) == {"action", "changed_by", "changed_at", "previous"}
    assert "notes" not in history["revisions"][0]["previous"]


def test_report_fields(client_for, lead_a, organizer, world):
    client = client_for(lead_a)
    readiness = client.get("/api/sync/readiness").json()
    days = client.get("/api/reports/canvassers").json()
    precincts = client_for(organizer).get("/api/reports/precincts").json()
    leads = client_for(organizer).get("/api/volunteer-leads").json()["results"]
    households = client.get("/api/households").json()["results"]

    assert {frozenset(r) for r in readiness} == {frozenset(READINESS)}
    assert set(next(r for r in readiness if r["devices"])["devices"][0]) == DEVICE
    assert set(days[0]) == CANVASSER_DAY
    assert set(precincts[0]) == PRECINCT_ROW
    assert set(leads[0]) == VOLUNTEER_LEAD
    assert set(households[0]) == HOUSEHOLD_FOR_STAFF


def test_no_canvasser_response_carries_phone_birth_year_party_or_anothers_notes(
    client_for, canvasser_a, turf_a, world
):
    client = client_for(canvasser_a)
    responses = [
        client.get(f"/api/turfs/{turf_a.pk}/walk-list"),
        client.get(f"/api/turfs/{turf_a.pk}.geojson"),
        client.get(f"/api/turfs/{turf_a.pk}"),
        client.get(f"/api/turfs/{turf_a.pk}/progress"),
        client.get("/api/me/turfs"),
        client.get("/api/sync/pull"),
    ]

    for response in responses:
        assert response.status_code == 200
        text = json.dumps(response.json())
        for secret in (
            PHONE,
            "5155550199",
            "1971",
            '"REP"',
            SECRET_NOTE,
            "birth_year",
            "phone",
            "party",
        ):
            assert secret not in text, (response.request["PATH_INFO"], secret)


@pytest.mark.parametrize(
    "path",
    [
        "/api/logs/review",
        "/api/logs/export.csv",
        "/api/sync/readiness",
        "/api/reports/canvassers",
        "/api/volunteer-leads",
        "/api/households",
        "/api/scripts",
    ],
)
def test_canvassers_cannot_read_staff_views(client_for, canvasser_a, path):
    assert client_for(canvasser_a).get(path).status_code == 403
