"""The nearby search renders its results by hand (the hot path of the public search): each one
equals what PublicEventSerializer writes for the same event, in any time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.api.serializers.schedule import PublicEventSerializer, public_event_lean
from events.models import Event, EventKind, Location
from events.selectors.schedule import nearby_events

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["America/Chicago", "America/Denver", "UTC"])
def test_each_result_renders_as_the_public_event_serializer_does(team_a, zone):
    site = Location.objects.create(
        name="Hall",
        address="1 Main St",
        city="AMES",
        zip_code="50010",
        latitude=42.03,
        longitude=-93.62,
        accessibility_notes="Ramp at the back",
    )
    event = Event.objects.create(
        title="Launch",
        kind=EventKind.CANVASS_LAUNCH,
        description="Bring water",
        location=site,
        team=team_a,
        time_zone=zone,
        starts_at=datetime(2036, 11, 1, 7, 30, 15, 120000, tzinfo=UTC),
        ends_at=datetime(2036, 11, 1, 9, 0, tzinfo=UTC),
    )

    [found] = nearby_events(latitude=42.031, longitude=-93.621, radius_km=5)

    expected = PublicEventSerializer(Event.objects.select_related("location").get(pk=event.pk))
    assert public_event_lean(found.row) == expected.data
    assert 100 < found.distance_m < 200
