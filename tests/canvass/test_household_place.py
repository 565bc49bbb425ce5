"""A field lead places a needs-review door by hand: coordinates set, precinct found, audited,
and scoped (a door in another team's active turf is a 404)."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from backend.audit.models import AuditEvent
from canvass.models import GeocodeStatus, Household
from tests.canvass.conftest import load_precincts, make_household, make_turf

pytestmark = pytest.mark.django_db


def test_a_field_lead_places_a_needs_review_door_and_it_is_audited(client_for, lead_a):
    (precinct,) = load_precincts(("Polk", "Des Moines 71"))
    inside = shape(precinct.boundary).representative_point()
    door = make_household(None, None, geocode_status=GeocodeStatus.NEEDS_REVIEW)

    response = client_for(lead_a).post(
        f"/api/households/{door.pk}/place",
        {"latitude": inside.y, "longitude": inside.x},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": door.pk,
        "latitude": inside.y,
        "longitude": inside.x,
        "geocode_status": "placed",
        "precinct": precinct.pk,
    }
    door.refresh_from_db()
    assert (door.latitude, door.longitude, door.geocode_status, door.precinct_id) == (
        inside.y,
        inside.x,
        GeocodeStatus.PLACED,
        precinct.pk,
    )
    event = AuditEvent.objects.get(action="household.place")
    assert (event.actor, event.target_id, event.details) == (
        lead_a,
        str(door.pk),
        {"previous_status": "needs_review"},
    )
    # The household list now shows it placed.
    listed = client_for(lead_a).get("/api/households?geocode_status=placed").json()
    assert [row["id"] for row in listed["results"]] == [door.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"latitude": 95, "longitude": -93.6}, "latitude"),
        ({"latitude": 41.6}, "longitude"),
        ({"latitude": "north", "longitude": -93.6}, "latitude"),
    ],
)
def test_bad_coordinates_are_a_400_naming_the_field(client_for, lead_a, body, field):
    door = make_household(None, None, geocode_status=GeocodeStatus.NEEDS_REVIEW)

    response = client_for(lead_a).post(f"/api/households/{door.pk}/place", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    door.refresh_from_db()
    assert (door.latitude, door.geocode_status) == (None, GeocodeStatus.NEEDS_REVIEW)


def test_a_door_in_another_teams_active_turf_is_a_404_and_a_canvasser_gets_403(
    client_for, lead_a, canvasser_a, team_b
):
    door = make_household(None, None, geocode_status=GeocodeStatus.NEEDS_REVIEW)
    make_turf(team_b, [door])
    body = {"latitude": 41.6, "longitude": -93.6}

    assert (
        client_for(lead_a).post(f"/api/households/{door.pk}/place", body, format="json").status_code
        == 404
    )
    assert (
        client_for(canvasser_a)
        .post(f"/api/households/{door.pk}/place", body, format="json")
        .status_code
        == 403
    )
    assert Household.objects.get(pk=door.pk).latitude is None
    assert not AuditEvent.objects.filter(action="household.place").exists()
