from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from backend.demo import BUNDLED_DATA_DIR, demo_data_file
from events.models import Event, Location, Shift

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_real_iowa_sites_and_upcoming_events_idempotently(api_client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Location.objects.count(), Event.objects.count(), Shift.objects.count())

    call_command("seed_demo", stdout=StringIO())

    # 1,242 distinct sites statewide (SHARED_DATA_DIR), 117 in the Polk County cut shipped with
    # the repository (a clone with nothing beside it).
    statewide = demo_data_file("iowa_polling_places_2020.csv").parent != BUNDLED_DATA_DIR
    sites = 1242 if statewide else 117
    assert f"Iowa polling places: {sites} new sites" in out.getvalue()
    assert (Location.objects.count(), Event.objects.count(), Shift.objects.count()) == counts
    assert counts[1] == 5  # four public events and one sensitive (docs/safety.md)
    assert set(Event.objects.values_list("team__name", flat=True)) == {"Polk County Team"}
    # Hand-placed demo sites say so; real sites without a geocoder stay unplaced.
    placed = Location.objects.filter(latitude__isnull=False)
    assert all(
        loc.name.startswith("Demo:") and "DEMO SITE" in loc.accessibility_notes for loc in placed
    )
    nearby = api_client.get(
        "/api/public/events/nearby", {"latitude": 41.59, "longitude": -93.62, "radius_km": 20}
    )
    assert nearby.json()["count"] == 4
