"""GeoJSON rings must be closed (RFC 7946 3.1.6): an unclosed one is a 400, never guessed at."""

from __future__ import annotations

import pytest

from canvass.models import Turf

pytestmark = pytest.mark.django_db

OPEN_RING = [[-93.626, 41.585], [-93.622, 41.585], [-93.622, 41.588], [-93.626, 41.588]]


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Polygon", "coordinates": [OPEN_RING]},
        {"type": "MultiPolygon", "coordinates": [[[*OPEN_RING, OPEN_RING[0]]], [OPEN_RING]]},
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [OPEN_RING]},
        },
    ],
)
def test_an_unclosed_ring_is_a_400_naming_the_boundary(client_for, lead_a, team_a, boundary):
    response = client_for(lead_a).post(
        "/api/turfs", {"name": "Open", "team": team_a.pk, "boundary": boundary}, format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_geometry"
    assert "not closed" in error["fields"]["boundary"][0]
    assert Turf.objects.count() == 0


def test_the_same_ring_closed_is_accepted(client_for, lead_a, team_a):
    boundary = {"type": "Polygon", "coordinates": [[*OPEN_RING, OPEN_RING[0]]]}

    response = client_for(lead_a).post(
        "/api/turfs", {"name": "Closed", "team": team_a.pk, "boundary": boundary}, format="json"
    )

    assert response.status_code == 201
    assert Turf.objects.get().boundary["coordinates"][0][0] == OPEN_RING[0]
