"""What a canvasser sees: their assigned turf, its walk list (constant queries) and its map."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from canvass.services.turf import turf_assign
from tests.canvass.conftest import make_household, make_turf, make_voter

pytestmark = pytest.mark.django_db


def build_turf(team, doors: int, voters_per_door: int = 2, name: str = "Walk"):
    households = [make_household(41.58 + i * 0.0005, -93.62) for i in range(doors)]
    for household in households:
        for _ in range(voters_per_door):
            make_voter(household)
    return make_turf(
        team,
        households,
        name=name,
        boundary={
            "type": "Polygon",
            "coordinates": [
                [
                    [-93.63, 41.57],
                    [-93.61, 41.57],
                    [-93.61, 41.70],
                    [-93.63, 41.70],
                    [-93.63, 41.57],
                ]
            ],
        },
    )


@pytest.fixture
def assigned(team_a, lead_a, canvasser_a):
    turf = build_turf(team_a, 3)
    turf_assign(actor=lead_a, turf=turf, canvasser=canvasser_a)
    return turf


def test_canvasser_sees_their_assigned_turfs_with_progress_counts(
    client_for, canvasser_a, lead_a, team_a, assigned
):
    build_turf(team_a, 2, name="Not mine")

    response = client_for(canvasser_a).get("/api/me/turfs")

    assert response.status_code == 200
    assert [
        (t["id"], t["status"], t["door_count"], t["voter_count"], t["doors_visited"])
        for t in response.json()
    ] == [(assigned.pk, "assigned", 3, 6, 0)]


def test_unassigned_canvasser_no_longer_sees_the_turf(client_for, canvasser_a, lead_a, assigned):
    client_for(lead_a).delete(f"/api/turfs/{assigned.pk}/assignments/{canvasser_a.pk}")

    client = client_for(canvasser_a)
    assert client.get("/api/me/turfs").json() == []
    assert client.get(f"/api/turfs/{assigned.pk}/walk-list").status_code == 404


@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
def test_walk_list_shows_ordered_doors_with_names_and_age_band_but_no_phone_party_or_birth_year(
    client_for, canvasser_a, assigned
):
    response = client_for(canvasser_a).get(f"/api/turfs/{assigned.pk}/walk-list")

    assert response.status_code == 200
    body = response.json()
    assert body["turf"]["id"] == assigned.pk
    assert [stop["position"] for stop in body["stops"]] == [1, 2, 3]
    first = body["stops"][0]
    assert set(first) == {"position", "household", "safety_flags", "voters", "latest_result"}
    assert first["latest_result"] is None
    assert set(first["household"]) == {
        "id",
        "street",
        "unit",
        "city",
        "state",
        "zip_code",
        "latitude",
        "longitude",
    }
    voter = first["voters"][0]
    assert set(voter) == {"id", "first_name", "last_name", "age_band", "language"}
    assert voter["age_band"] == "35-44"
    text = response.content.decode()
    assert "+1515" not in text and "1990" not in text and "DEM" not in text


def test_field_lead_walk_list_also_shows_party_but_never_phone(client_for, lead_a, assigned):
    response = client_for(lead_a).get(f"/api/turfs/{assigned.pk}/walk-list")

    voter = response.json()["stops"][0]["voters"][0]
    assert voter["party"] == "DEM"
    assert "phone" not in voter and "+1515" not in response.content.decode()


def test_walk_list_takes_the_same_number_of_queries_whatever_the_turf_size(
    client_for, canvasser_a, lead_a, team_a
):
    small = build_turf(team_a, 2, voters_per_door=1, name="Small")
    large = build_turf(team_a, 40, voters_per_door=3, name="Large")
    for turf in (small, large):
        turf_assign(actor=lead_a, turf=turf, canvasser=canvasser_a)
    client = client_for(canvasser_a)
    client.get("/api/me/turfs")  # the token's first use records last_used_at; warm it up

    counts = []
    for turf in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/turfs/{turf.pk}/walk-list")
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert len(response.json()["stops"]) == 40


def test_walk_list_query_count_is_bounded(
    client_for, canvasser_a, lead_a, team_a, django_assert_max_num_queries
):
    turf = build_turf(team_a, 60, voters_per_door=2, name="Big")
    turf_assign(actor=lead_a, turf=turf, canvasser=canvasser_a)
    client = client_for(canvasser_a)

    with django_assert_max_num_queries(8):
        response = client.get(f"/api/turfs/{turf.pk}/walk-list")

    assert response.status_code == 200


def test_my_turfs_query_count_does_not_grow_with_turfs(client_for, canvasser_a, lead_a, team_a):
    client = client_for(canvasser_a)
    client.get("/api/me/turfs")  # the token's first use records last_used_at; warm it up
    turf_assign(actor=lead_a, turf=build_turf(team_a, 2, name="T0"), canvasser=canvasser_a)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/me/turfs")
    for index in range(1, 5):
        turf = build_turf(team_a, 3, name=f"T{index}")
        turf_assign(actor=lead_a, turf=turf, canvasser=canvasser_a)
    with CaptureQueriesContext(connection) as five:
        response = client.get("/api/me/turfs")

    assert len(response.json()) == 5
    assert len(one) == len(five)


def test_canvasser_cannot_see_a_turf_they_are_not_assigned_to(
    client_for, canvasser_a, canvasser_b, team_a, assigned
):
    other = build_turf(team_a, 1, name="Other")

    assert client_for(canvasser_a).get(f"/api/turfs/{other.pk}/walk-list").status_code == 404
    assert client_for(canvasser_b).get(f"/api/turfs/{assigned.pk}/walk-list").status_code == 404
    assert client_for(canvasser_b).get(f"/api/turfs/{assigned.pk}.geojson").status_code == 404


def test_canvasser_cannot_list_or_manage_turf(client_for, canvasser_a, assigned):
    client = client_for(canvasser_a)

    assert client.get("/api/turfs").status_code == 403
    assert client.post(f"/api/turfs/{assigned.pk}/walk-order").status_code == 403


def test_my_turfs_is_for_canvassers(client_for, lead_a):
    assert client_for(lead_a).get("/api/me/turfs").status_code == 403
    assert client_for(None).get("/api/me/turfs").status_code == 401


def test_turf_geojson_has_the_boundary_and_ordered_doors(client_for, canvasser_a, assigned):
    response = client_for(canvasser_a).get(f"/api/turfs/{assigned.pk}.geojson")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    boundary, *doors = body["features"]
    assert boundary["geometry"]["type"] == "Polygon"
    assert boundary["properties"] == {"kind": "boundary", "turf_id": assigned.pk, "name": "Walk"}
    assert [d["properties"]["position"] for d in doors] == [1, 2, 3]
    assert doors[0]["geometry"] == {"type": "Point", "coordinates": [-93.62, 41.58]}
    assert doors[0]["properties"]["voters"] == 2
    assert doors[0]["properties"]["address"].endswith("DES MOINES, IA 50309")
