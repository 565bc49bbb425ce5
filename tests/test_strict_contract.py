"""JSON bodies are strictly typed and text is storable; bad query parameters are named."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_number_where_a_string_belongs_is_400_naming_the_field(client_for, organizer):
    response = client_for(organizer).post("/api/teams", {"name": 12})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"name": ["Expected a string, got int."]}


def test_a_string_where_a_boolean_belongs_is_400(client_for, organizer, canvasser_a):
    response = client_for(organizer).patch(f"/api/users/{canvasser_a.id}", {"is_active": "false"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"is_active": ["Expected a boolean, got str."]}
    canvasser_a.refresh_from_db()
    assert canvasser_a.is_active


def test_a_string_where_an_integer_belongs_is_400(client_for, organizer, team_a, canvasser_a):
    response = client_for(organizer).post(
        f"/api/teams/{team_a.id}/members", {"user": str(canvasser_a.id)}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"user": ["Expected an integer, got str."]}


def test_nul_characters_are_refused_before_they_reach_the_database(client_for, organizer):
    response = client_for(organizer).post("/api/teams", {"name": "Team\x00Z"})

    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_nul_in_a_query_string_is_400(client_for, organizer):
    response = client_for(organizer).get("/api/audit-events", {"action": "a\x00b"})

    assert response.status_code == 400


def test_a_login_with_a_nul_is_just_a_wrong_login(api_client):
    response = api_client.post("/api/auth/login", {"username": "a\x00", "password": "b"})

    assert response.status_code == 401


def test_an_empty_filter_is_400_naming_it(client_for, organizer):
    response = client_for(organizer).get("/api/audit-events", {"until": ""})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"until": ["This parameter may not be empty."]}


@pytest.mark.parametrize("value", ["0", "-1", "abc"])
def test_a_bad_page_size_is_400(client_for, organizer, value):
    response = client_for(organizer).get("/api/users", {"page_size": value})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page_size"]


def test_only_json_bodies_are_accepted(client_for, organizer):
    response = client_for(organizer).post(
        "/api/teams", "name=x", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_duplicate_team_name_is_400_not_500(client_for, organizer, team_a):
    response = client_for(organizer).post("/api/teams", {"name": "Team A"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"name": ["A team with this name exists."]}
