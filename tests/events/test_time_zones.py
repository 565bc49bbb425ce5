"""Times are stored in UTC and shown in the event's zone, right across daylight-saving changes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from events.models import Event

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(datetime(2026, 1, 5, tzinfo=UTC), tick=False):
        yield


def test_an_event_across_the_november_fall_back_keeps_its_real_duration(client_for, lead_a):
    # America/Chicago falls back at 02:00 CDT on 2026-11-01 (to 01:00 CST).
    client = client_for(lead_a)
    event = client.post(
        "/api/events",
        {
            "title": "Overnight phone bank",
            "kind": "phone_bank",
            "starts_at": "2026-11-01T00:30:00-05:00",
            "ends_at": "2026-11-01T03:30:00-06:00",
        },
        format="json",
    ).json()
    shift = client.post(
        f"/api/events/{event['id']}/shifts",
        {
            "role": "phone_banker",
            "starts_at": "2026-11-01T06:30:00Z",
            "ends_at": "2026-11-01T07:30:00Z",
            "capacity": 3,
        },
        format="json",
    ).json()

    assert (event["starts_at"], event["ends_at"]) == (
        "2026-11-01T05:30:00Z",
        "2026-11-01T09:30:00Z",
    )
    assert (event["starts_at_local"], event["ends_at_local"]) == (
        "2026-11-01T00:30:00-05:00",
        "2026-11-01T03:30:00-06:00",
    )
    # 01:30 happens twice that night; the offset says which one.
    assert (shift["starts_at_local"], shift["ends_at_local"]) == (
        "2026-11-01T01:30:00-05:00",
        "2026-11-01T01:30:00-06:00",
    )
    stored = Event.objects.get()
    assert (stored.ends_at - stored.starts_at).total_seconds() == 4 * 3600


def test_an_event_in_march_after_spring_forward_is_shown_in_cdt(client_for, lead_a, api_client):
    # 2026-03-08: clocks jump from 02:00 CST to 03:00 CDT.
    client = client_for(lead_a)
    event = client.post(
        "/api/events",
        {
            "title": "Spring canvass",
            "kind": "canvass_launch",
            "starts_at": "2026-03-08T07:00:00Z",
            "ends_at": "2026-03-08T10:00:00Z",
        },
        format="json",
    ).json()

    public = api_client.get(f"/api/public/events/{event['id']}").json()

    assert (public["starts_at_local"], public["ends_at_local"]) == (
        "2026-03-08T01:00:00-06:00",
        "2026-03-08T05:00:00-05:00",
    )


def test_an_event_in_another_zone_is_shown_in_that_zone(client_for, lead_a):
    response = client_for(lead_a).post(
        "/api/events",
        {
            "title": "Omaha rally",
            "kind": "rally",
            "starts_at": "2026-07-04T17:00:00Z",
            "ends_at": "2026-07-04T19:00:00Z",
            "time_zone": "America/Denver",
        },
        format="json",
    )

    assert response.json()["starts_at_local"] == "2026-07-04T11:00:00-06:00"


def test_an_unknown_time_zone_is_400(client_for, lead_a):
    response = client_for(lead_a).post(
        "/api/events",
        {
            "title": "x",
            "kind": "rally",
            "starts_at": "2026-07-04T17:00:00Z",
            "ends_at": "2026-07-04T19:00:00Z",
            "time_zone": "Iowa/Des_Moines",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"time_zone": ["Unknown time zone."]}
    assert Event.objects.count() == 0
