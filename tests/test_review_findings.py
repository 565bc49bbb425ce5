"""Defects found by trying the served app from outside (review "rv"), each pinned by HTTP."""

from __future__ import annotations

import json

import pytest

from backend.accounts.models import Membership

pytestmark = pytest.mark.django_db


def test_field_lead_sees_the_shared_team_of_each_member(client_for, lead_a, canvasser_a, team_a):
    """A field lead's people list and person detail showed `teams: []` for every member of the
    lead's own team: the prefetch reused the lead's membership join, so only the lead's own row
    kept its team."""
    response = client_for(lead_a).get("/api/users")
    assert response.status_code == 200
    by_name = {row["username"]: row["teams"] for row in response.json()["results"]}
    assert by_name[canvasser_a.username] == [{"id": team_a.id, "name": team_a.name}]
    assert by_name[lead_a.username] == [{"id": team_a.id, "name": team_a.name}]

    detail = client_for(lead_a).get(f"/api/users/{canvasser_a.id}")
    assert detail.status_code == 200
    assert detail.json()["teams"] == [{"id": team_a.id, "name": team_a.name}]


def test_field_lead_sees_only_own_team_of_a_member_of_two_teams(
    client_for, lead_a, canvasser_a, team_a, team_b
):
    Membership.objects.create(team=team_b, user=canvasser_a)
    response = client_for(lead_a).get(f"/api/users/{canvasser_a.id}")
    assert response.status_code == 200
    assert response.json()["teams"] == [{"id": team_a.id, "name": team_a.name}]


EVENT = {
    "title": "Door-knock training",
    "kind": "training",
    "time_zone": "America/Chicago",
    "starts_at": "2026-12-20T10:00:00-06:00",
    "ends_at": "2026-12-20T12:00:00-06:00",
}


def _post_raw(client, path: str, body: str):
    return client.post(path, data=body, content_type="application/json")


@pytest.mark.parametrize("field", ["location_id", "team_id"])
@pytest.mark.parametrize("number", ["1e400", "-1e400"])
def test_an_overflowing_number_in_a_body_is_a_400_not_a_500(client_for, lead_a, field, number):
    """JSON `1e400` parses as infinity; an id field handed it to the database lookup (500)."""
    from events.models import Event

    body = json.dumps(EVENT)[:-1] + f', "{field}": {number}}}'
    response = _post_raw(client_for(lead_a), "/api/events", body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in {"parse_error", "invalid"}
    assert not Event.objects.exists()


def test_a_fractional_id_is_refused_not_truncated(client_for, lead_a, team_a):
    """`location_id: 1.5` was silently taken as location 1."""
    from events.models import Event, Location

    Location.objects.create(name="Hall", address="1 Main St", city="Ames", county="Story")
    location = Location.objects.get()
    body = json.dumps(EVENT)[:-1] + f', "location_id": {location.pk}.5}}'
    response = _post_raw(client_for(lead_a), "/api/events", body)
    assert response.status_code == 400, response.content
    assert "location_id" in response.json()["error"]["fields"]
    assert not Event.objects.exists()
