"""Defects found by trying the served app from outside (review "rv"), each pinned by HTTP."""

from __future__ import annotations

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
