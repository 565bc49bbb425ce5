"""One value the database would refuse is a 400 naming the field, never a 500 and never a whole
batch lost; a time without a UTC offset is refused, not read as UTC."""

from __future__ import annotations

import pytest

from events.models import Location, Shift

pytestmark = pytest.mark.django_db


def fields_of(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


@pytest.mark.parametrize("capacity", [2**31, 2**63])
def test_capacity_beyond_the_column_is_a_400(client_for, organizer, capacity):
    response = client_for(organizer).post(
        "/api/locations", {"name": "Hall", "capacity": capacity}, format="json"
    )
    assert "capacity" in fields_of(response)
    assert not Location.objects.exists()


def shift_body(**extra):
    return {
        "role": "canvasser",
        "starts_at": "2026-10-10T09:00:00-05:00",
        "ends_at": "2026-10-10T11:00:00-05:00",
        "capacity": 2,
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"waitlist_limit": 2**31}, "waitlist_limit"),
        ({"waitlist_limit": 2**64}, "waitlist_limit"),
        ({"starts_at": "2026-10-10T09:00:00"}, "starts_at"),
        ({"ends_at": "2026-10-10T11:00:00-20:00"}, "ends_at"),
    ],
)
def test_shift_values_the_database_would_refuse_are_a_400(
    client_for, lead_a, make_event, extra, field
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    event = make_event(starts_at=datetime(2026, 10, 10, 8, 0, tzinfo=ZoneInfo("America/Chicago")))
    response = client_for(lead_a).post(
        f"/api/events/{event.pk}/shifts", shift_body(**extra), format="json"
    )
    assert set(fields_of(response)) == {field}
    assert not Shift.objects.filter(event=event).exists()


def test_an_event_time_without_an_offset_is_refused_not_moved(client_for, lead_a):
    response = client_for(lead_a).post(
        "/api/events",
        {
            "title": "Launch",
            "kind": "canvass_launch",
            "starts_at": "2026-10-10T09:00:00",
            "ends_at": "2026-10-10T13:00:00-05:00",
        },
        format="json",
    )
    assert "starts_at" in fields_of(response)
