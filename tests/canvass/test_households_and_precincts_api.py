"""Field leads see doors (with geocoding status and voter counts) and precincts to cut."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from canvass.models import GeocodeStatus
from tests.canvass.conftest import load_precincts, make_household, make_turf, make_voter

pytestmark = pytest.mark.django_db


def test_field_lead_lists_households_needing_review(client_for, lead_a):
    review = make_household(None, None, geocode_status=GeocodeStatus.NEEDS_REVIEW)
    make_voter(review)
    make_voter(review)
    make_household(41.58, -93.62)

    response = client_for(lead_a).get("/api/households", {"geocode_status": "needs_review"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(h["id"], h["voter_count"], h["latitude"], h["in_active_turf"]) for h in results] == [
        (review.pk, 2, None, False)
    ]
    assert "phone" not in response.content.decode()


def test_households_filter_by_active_turf_membership(client_for, organizer, team_a):
    in_turf = make_household(41.58, -93.62)
    free = make_household(41.59, -93.62)
    make_turf(team_a, [in_turf])

    response = client_for(organizer).get("/api/households", {"in_active_turf": "false"})

    assert [h["id"] for h in response.json()["results"]] == [free.pk]


def test_household_list_query_count_does_not_grow(client_for, organizer):
    client = client_for(organizer)
    client.get("/api/households")
    for _ in range(2):
        make_voter(make_household(41.58, -93.62))
    with CaptureQueriesContext(connection) as few:
        client.get("/api/households")
    for _ in range(20):
        make_voter(make_household(41.58, -93.62))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/households")

    assert response.json()["count"] == 22
    assert len(few) == len(many)


def test_bad_household_filter_is_a_400(client_for, organizer):
    response = client_for(organizer).get("/api/households", {"geocode_status": "lost"})

    assert response.status_code == 400
    assert "geocode_status" in response.json()["error"]["fields"]


def test_canvasser_cannot_list_households_or_precincts(client_for, canvasser_a):
    assert client_for(canvasser_a).get("/api/households").status_code == 403
    assert client_for(canvasser_a).get("/api/precincts").status_code == 403


def test_precincts_list_by_county_ignoring_punctuation(client_for, lead_a):
    load_precincts(("Obrien", "Franklin"), ("Polk", "Des Moines 71"))

    response = client_for(lead_a).get("/api/precincts", {"county": "O'Brien"})

    assert response.status_code == 200
    (precinct,) = response.json()["results"]
    assert (precinct["county"], precinct["name"], precinct["geometry_repaired"]) == (
        "Obrien",
        "Franklin",
        False,
    )
    assert len(precinct["bbox"]) == 4
