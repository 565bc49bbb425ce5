"""A field lead sees their teams' doors and the free pool, never another team's doors: in the
list, in each filter, in its count, and on the routes of one door."""

from __future__ import annotations

import pytest

from canvass.models import Household, TurfHousehold
from tests.canvass.conftest import make_household, make_turf, make_voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def doors(team_a, team_b):
    own = make_household(41.58, -93.62)
    theirs = make_household(41.59, -93.62)
    make_voter(theirs)
    free = make_household(41.60, -93.62)
    make_turf(team_a, [own], name="A turf")
    make_turf(team_b, [theirs], name="B turf")
    return own, theirs, free


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["own", "free"]),
        ({"in_active_turf": "true"}, ["own"]),
        ({"in_active_turf": "false"}, ["free"]),
        ({"geocode_status": "provided"}, ["own", "free"]),
    ],
)
def test_field_lead_lists_own_and_free_doors_only(client_for, lead_a, doors, query, expected):
    own, _, free = doors
    names = {own.pk: "own", free.pk: "free"}

    response = client_for(lead_a).get("/api/households", {**query, "page_size": 1})
    pages = [response.json()]
    while pages[-1]["next"]:
        pages.append(client_for(lead_a).get(pages[-1]["next"]).json())

    seen = [names.get(h["id"], h["street"]) for page in pages for h in page["results"]]
    assert sorted(seen) == sorted(expected)
    assert pages[0]["count"] == len(expected)


def test_organizer_lists_every_door(client_for, organizer, doors):
    response = client_for(organizer).get("/api/households")

    assert {h["id"] for h in response.json()["results"]} == {d.pk for d in doors}


def test_field_lead_clears_flags_only_on_team_doors(client_for, lead_a, doors):
    own, theirs, free = doors
    Household.objects.filter(pk__in=[own.pk, theirs.pk, free.pk]).update(do_not_knock=True)
    client = client_for(lead_a)
    body = {"flags": ["do_not_knock"]}

    mine = client.post(f"/api/households/{own.pk}/flags/clear", body, format="json")
    other = client.post(f"/api/households/{theirs.pk}/flags/clear", body, format="json")
    missing = client.post("/api/households/999999/flags/clear", body, format="json")
    pool = client.post(f"/api/households/{free.pk}/flags/clear", body, format="json")

    assert (mine.status_code, other.status_code, missing.status_code) == (200, 404, 404)
    assert other.json() == missing.json()
    assert pool.status_code == 403
    assert pool.json()["error"]["code"] == "permission_denied"
    flags = dict(Household.objects.values_list("pk", "do_not_knock"))
    assert (flags[own.pk], flags[theirs.pk], flags[free.pk]) == (False, True, True)


def test_door_of_a_completed_team_turf_returns_to_the_pool(client_for, lead_a, lead_b, doors):
    _, theirs, _ = doors
    TurfHousehold.objects.filter(household=theirs).update(active=False)

    seen = {h["id"] for h in client_for(lead_a).get("/api/households").json()["results"]}

    assert theirs.pk in seen
