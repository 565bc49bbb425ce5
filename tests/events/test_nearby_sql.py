"""The nearby search on PostgreSQL is one statement (box, great-circle distance, sort and limit in
the database) and its common query is parsed by hand: it finds what the Python path finds, in
the same order and at the same distances, and answers the same bytes as the serializer's path."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from events.api.serializers.schedule import nearby_events_json_bytes, nearby_events_lean
from events.models import EventKind, EventStatus
from events.selectors import schedule
from events.selectors.schedule import nearby_events

pytestmark = pytest.mark.django_db
NEARBY = "/api/public/events/nearby"
TODAY = timezone.localdate()


@pytest.fixture
def scattered_events(make_event, make_location):
    """80 events around Des Moines, some of them not to be found (private, sensitive,
    cancelled, ended), of two kinds, over two weeks; a few share a site."""
    rng = random.Random(20)
    sites = [
        make_location(
            latitude=41.59 + rng.uniform(-0.4, 0.4), longitude=-93.62 + rng.uniform(-0.5, 0.5)
        )
        for _ in range(60)
    ]
    now = timezone.now()
    for i in range(80):
        starts = now + timedelta(days=rng.randint(0, 14), hours=rng.randint(1, 5))
        make_event(
            title=f"Event {i}",
            kind=rng.choice([EventKind.CANVASS_LAUNCH, EventKind.CAUCUS_NIGHT]),
            location=sites[i % len(sites)],
            starts_at=starts if i % 17 else now - timedelta(hours=5),  # some have ended
            ends_at=starts + timedelta(hours=2) if i % 17 else now - timedelta(hours=3),
            is_public=i % 11 != 0,
            is_sensitive=i % 13 == 0,
            status=EventStatus.CANCELLED if i % 19 == 0 else EventStatus.SCHEDULED,
        )


@pytest.mark.postgres  # the one-statement search is PostgreSQL's
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"limit": 7},
        {"kind": EventKind.CANVASS_LAUNCH},
        {
            "date_from": TODAY + timedelta(days=3),
            "date_to": TODAY + timedelta(days=9),
        },
        {"radius_km": 12},
    ],
)
def test_the_one_statement_finds_what_the_python_path_finds(scattered_events, filters):
    assert connection.vendor == "postgresql"
    query = {"latitude": 41.6, "longitude": -93.6, "radius_km": 40, **filters}

    in_sql = nearby_events(**query)
    radius_m = query.pop("radius_km") * 1000
    in_python = schedule._nearby_events_orm(
        connection,
        radius_m=radius_m,
        **{"kind": None, "date_from": None, "date_to": None, "limit": 50, **query},
    )

    assert in_python  # the comparison is not vacuous
    assert [found.row for found in in_sql] == [found.row for found in in_python]
    assert [found.distance_m for found in in_sql] == pytest.approx(
        [found.distance_m for found in in_python], abs=0.01
    )
    assert all(not found.row["is_sensitive"] for found in in_sql)


@pytest.mark.parametrize(
    "odd",
    [
        {"latitude": "4.16e1", "longitude": "-93.60"},  # exponent: the serializer parses it
        {"latitude": "41.6", "longitude": "-93.6", "limit": "50.0"},
        {"latitude": "41.6", "longitude": "-93.6", "radius_km": "25", "limit": "50"},
    ],
)
def test_a_hand_parsed_query_answers_the_same_bytes_as_the_serializers(
    api_client, scattered_events, odd
):
    plain = api_client.get(NEARBY, {"latitude": "41.6", "longitude": "-93.6"})
    other = api_client.get(NEARBY, odd)

    assert plain.status_code == other.status_code == 200
    assert plain["Content-Type"] == other["Content-Type"] == "application/json"
    assert plain.json()["count"] > 10
    assert plain.content == other.content


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"latitude": "41.6", "longitude": "-93.6", "limit": "0"}, "limit"),
        ({"latitude": "41.6", "longitude": "-93.6", "limit": "101"}, "limit"),
        ({"latitude": "41.6", "longitude": "-193.6"}, "longitude"),
        ({"latitude": "41.6", "longitude": "-93.6", "radius_km": "0.01"}, "radius_km"),
        ({"latitude": "41.6", "longitude": "-93.6", "kind": "party"}, "kind"),
        ({"latitude": "41.6", "longitude": ""}, "longitude"),
    ],
)
def test_a_bad_value_is_still_a_400_naming_the_field(api_client, params, field):
    response = api_client.get(NEARBY, params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


@pytest.mark.postgres  # the one-statement search is PostgreSQL's
@pytest.mark.parametrize("zone", ["America/Chicago", "America/Denver", "UTC", "Asia/Kolkata"])
def test_the_json_written_in_sql_is_the_python_renderings_bytes(make_event, make_location, zone):
    """Odd text (quotes, backslashes, control characters, non-ASCII, U+2028), integral
    coordinates, microseconds or none, both sides of a clock change."""
    now = timezone.now()
    make_event(
        title='The "big" \\ launch\n\t\x01 — café \u2028',
        description="Ünïcode \u2029 and \x1f",
        time_zone=zone,
        location=make_location(latitude=42.0, longitude=-93.0, city="DES\x7fMOINES"),
        starts_at=now.replace(microsecond=120000) + timedelta(days=2),
    )
    make_event(
        kind=EventKind.CANVASS_LAUNCH,
        time_zone=zone,
        location=make_location(latitude=42.01, longitude=-93.015),
        starts_at=now.replace(microsecond=0) + timedelta(days=200),
    )
    query = {"latitude": 42.0, "longitude": -93.0, "radius_km": 10.0, "limit": 50}

    written = nearby_events_json_bytes(schedule.nearby_events_search_json(**query))

    expected = JSONRenderer().render(nearby_events_lean(schedule.nearby_events_search(**query)))
    assert json.loads(written)["count"] == 2
    assert written == expected
