"""Cutting turf: from a polygon (holes handled), automatically into compact packets, and the
walk order on real clustered addresses."""

from __future__ import annotations

from collections import defaultdict

import pytest
from shapely.geometry import shape

from canvass.models import Household, Turf, TurfHousehold
from canvass.routing import cut_into_pieces, route_length, walk_order
from canvass.services.turf import turf_auto_cut, turf_order_walk
from tests.canvass.conftest import load_precincts, make_household, make_turf, rrad_addresses

pytestmark = pytest.mark.django_db

LAT0, LON0 = 41.586, -93.625


def square(lat0: float, lon0: float, lat1: float, lon1: float) -> list[list[float]]:
    return [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]


def polygon(*rings: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


# --- Create from a polygon ---------------------------------------------------------------------


def test_field_lead_creates_turf_from_a_polygon_with_the_households_inside(
    client_for, lead_a, team_a, grid_households
):
    households = grid_households(5, 5)  # rows 0..4, cols 0..4
    boundary = polygon(square(LAT0 - 0.0001, LON0 - 0.0001, LAT0 + 0.0019, LON0 + 0.0025))

    response = client_for(lead_a).post(
        "/api/turfs", {"name": "North blocks", "team": team_a.pk, "boundary": boundary}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["status"], body["door_count"]) == ("North blocks", "draft", 9)
    turf = Turf.objects.get(pk=body["id"])
    inside = {h.pk for h in households[:3] + households[5:8] + households[10:13]}
    assert set(turf.households.values_list("id", flat=True)) == inside
    assert sorted(turf.stops.values_list("position", flat=True)) == list(range(1, 10))


def test_households_in_a_polygon_hole_are_left_out(client_for, lead_a, team_a, grid_households):
    grid_households(3, 3)
    outer = square(LAT0 - 0.0001, LON0 - 0.0001, LAT0 + 0.0019, LON0 + 0.0025)
    hole = square(LAT0 + 0.0005, LON0 + 0.0008, LAT0 + 0.0013, LON0 + 0.0016)  # the centre one

    response = client_for(lead_a).post(
        "/api/turfs", {"name": "Donut", "team": team_a.pk, "boundary": polygon(outer, hole)}
    )

    assert response.status_code == 201
    assert response.json()["door_count"] == 8


def test_a_household_already_in_an_active_turf_does_not_join_another(
    client_for, lead_a, team_a, grid_households
):
    households = grid_households(2, 2)
    make_turf(team_a, households[:1])
    boundary = polygon(square(LAT0 - 0.001, LON0 - 0.001, LAT0 + 0.002, LON0 + 0.002))

    response = client_for(lead_a).post(
        "/api/turfs", {"name": "Second", "team": team_a.pk, "boundary": boundary}
    )

    assert response.json()["door_count"] == 3


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ({"type": "Point", "coordinates": [-93.6, 41.5]}, "Expected a GeoJSON Polygon"),
        ("not json at all", "Expected a GeoJSON Polygon"),
        (
            polygon([[-93.6, 41.5], [-93.5, 41.6], [-93.5, 41.5], [-93.6, 41.6], [-93.6, 41.5]]),
            "Invalid polygon: Self-intersection",
        ),
        (polygon(square(95.0, -93.6, 41.6, -93.5)), "Coordinates out of range"),
        ({"type": "Polygon", "coordinates": [[[-93.6, 41.5], [-93.5]]]}, "needs longitude"),
        ({"type": "Polygon", "coordinates": [[["a", "b"], [1, 2]]]}, "nested arrays"),
        ({"type": "Polygon", "coordinates": [[[-93.6, 41.5], [-93.5, 41.5]]]}, "Malformed"),
    ],
)
def test_bad_boundaries_are_a_400_naming_the_boundary(
    client_for, lead_a, team_a, boundary, message
):
    response = client_for(lead_a).post(
        "/api/turfs", {"name": "Bad", "team": team_a.pk, "boundary": boundary}, format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_geometry"
    assert message in error["fields"]["boundary"][0]
    assert Turf.objects.count() == 0


def test_field_lead_cannot_create_turf_for_another_team(client_for, lead_a, team_b):
    boundary = polygon(square(LAT0, LON0, LAT0 + 0.01, LON0 + 0.01))

    response = client_for(lead_a).post(
        "/api/turfs", {"name": "Theirs", "team": team_b.pk, "boundary": boundary}
    )

    assert response.status_code == 403
    assert Turf.objects.count() == 0


def test_canvasser_cannot_create_turf(client_for, canvasser_a, team_a):
    boundary = polygon(square(LAT0, LON0, LAT0 + 0.01, LON0 + 0.01))

    response = client_for(canvasser_a).post(
        "/api/turfs", {"name": "Mine", "team": team_a.pk, "boundary": boundary}
    )

    assert response.status_code == 403


# --- Auto-cut ----------------------------------------------------------------------------------


def test_auto_cut_puts_every_household_in_exactly_one_compact_turf_of_the_target_size(
    client_for, lead_a, team_a
):
    (precinct,) = load_precincts(("Polk", "Des Moines 71"))
    area = shape(precinct.boundary)
    min_lon, min_lat, max_lon, max_lat = area.bounds
    import random

    rng = random.Random(7)
    points = []
    while len(points) < 437:
        lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
        if area.contains(shape({"type": "Point", "coordinates": [lon, lat]})):
            points.append((lat, lon))
    households = [make_household(lat, lon, precinct=precinct) for lat, lon in points]
    make_household(None, None, precinct=precinct)  # no coordinates: cannot be cut

    response = client_for(lead_a).post(
        "/api/turfs/auto-cut",
        {"team": team_a.pk, "precinct": precinct.pk, "min_doors": 40, "max_doors": 60},
    )

    assert response.status_code == 201
    turfs = response.json()["turfs"]
    sizes = [t["door_count"] for t in turfs]
    assert all(40 <= size <= 60 for size in sizes), sizes
    assert sum(sizes) == len(households)
    memberships = list(TurfHousehold.objects.values_list("household_id", flat=True))
    assert sorted(memberships) == sorted(h.pk for h in households)
    assert turfs[0]["name"] == "Des Moines 71 01"
    # Compact and non-overlapping: the turfs' hulls do not overlap each other.
    hulls = [shape(t.boundary) for t in Turf.objects.all()]
    for i, a in enumerate(hulls):
        for b in hulls[i + 1 :]:
            assert a.intersection(b).area < 1e-12


def test_auto_cut_by_polygon_and_a_second_cut_finds_nothing_left(team_a, lead_a, grid_households):
    grid_households(10, 12)
    boundary = polygon(square(LAT0 - 0.001, LON0 - 0.001, LAT0 + 0.01, LON0 + 0.015))

    turfs = turf_auto_cut(actor=lead_a, team=team_a, boundary=boundary, min_doors=20, max_doors=30)

    assert sorted(t.stops.count() for t in turfs) == [24, 24, 24, 24, 24]
    from backend.errors import ApplicationError

    with pytest.raises(ApplicationError, match="no unassigned households"):
        turf_auto_cut(actor=lead_a, team=team_a, boundary=boundary, min_doors=20, max_doors=30)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"min_doors": 40, "max_doors": 60}, "precinct"),
        ({"precinct": 1, "min_doors": 60, "max_doors": 40}, "max_doors"),
        ({"precinct": 1, "min_doors": 0}, "min_doors"),
    ],
)
def test_auto_cut_bad_input_is_a_400_naming_the_field(client_for, lead_a, team_a, payload, field):
    response = client_for(lead_a).post("/api/turfs/auto-cut", {"team": team_a.pk, **payload})

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_cut_sizes_stay_in_range_for_many_totals():
    import random

    rng = random.Random(3)
    for total in (60, 61, 99, 100, 120, 121, 500, 1000, 1234):
        points = [(41 + rng.random() * 0.05, -93 + rng.random() * 0.05) for _ in range(total)]
        pieces = cut_into_pieces(points, min_size=40, max_size=60)
        sizes = [len(p) for p in pieces]
        assert sorted(i for p in pieces for i in p) == list(range(total))
        assert max(sizes) <= 60
        if total >= 80:
            assert min(sizes) >= 40, (total, sizes)


# --- Walk order --------------------------------------------------------------------------------


def clustered_real_addresses() -> dict[str, list[tuple[float, float]]]:
    by_city: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for address in rrad_addresses():
        if address.get("city"):
            by_city[address["city"]].append(
                (address["coordinates"]["lat"], address["coordinates"]["lng"])
            )
    return by_city


def test_walk_order_on_real_clustered_addresses_is_at_least_25_percent_shorter():
    by_city = clustered_real_addresses()
    for city in ("Arvada", "Manchester", "Nashville", "Anchorage", "Savannah"):
        points = by_city[city]
        before = route_length(points)
        after = route_length(points, walk_order(points))
        assert after <= 0.75 * before, (city, before, after)


def test_walk_order_is_never_longer_than_the_given_order():
    by_city = clustered_real_addresses()
    for city, points in by_city.items():
        for chunk in (points[:2], points[:3], points[:5], points[:12]):
            assert route_length(chunk, walk_order(chunk)) <= route_length(chunk) + 1e-6, city


def test_reordering_a_turf_of_real_addresses_shortens_the_route_through_the_service(team_a, lead_a):
    points = clustered_real_addresses()["Arvada"][:60]
    households = [make_household(lat, lon) for lat, lon in points]
    turf = make_turf(team_a, households)

    lengths = turf_order_walk(actor=lead_a, turf=turf)

    assert lengths["after_m"] <= 0.75 * lengths["before_m"]
    ordered = list(
        turf.stops.order_by("position").values_list("household__latitude", "household__longitude")
    )
    assert abs(route_length(ordered) - lengths["after_m"]) < 1
    assert sorted(turf.stops.values_list("household_id", flat=True)) == sorted(
        h.pk for h in households
    )


def test_walk_order_endpoint_answers_lengths_and_is_scoped(
    client_for, lead_a, lead_b, team_a, grid_households
):
    turf = make_turf(team_a, grid_households(3, 3)[::-1])

    mine = client_for(lead_a).post(f"/api/turfs/{turf.pk}/walk-order")
    theirs = client_for(lead_b).post(f"/api/turfs/{turf.pk}/walk-order")

    assert mine.status_code == 200
    assert mine.json()["after_m"] <= mine.json()["before_m"]
    assert theirs.status_code == 404


def test_households_table_is_untouched_by_cutting(team_a, lead_a, grid_households):
    grid_households(4, 4)
    before = list(Household.objects.order_by("id").values())
    turf_auto_cut(
        actor=lead_a,
        team=team_a,
        boundary=polygon(square(LAT0 - 0.01, LON0 - 0.01, LAT0 + 0.01, LON0 + 0.01)),
        min_doors=5,
        max_doors=8,
    )
    assert list(Household.objects.order_by("id").values()) == before
