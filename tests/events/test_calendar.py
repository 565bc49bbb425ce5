"""iCalendar files: per event and per volunteer, with the event's VTIMEZONE."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from icalendar import Calendar

from events.services.signups import signup_create
from tests.events.helpers import phone, signup_body

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(datetime(2026, 10, 1, 12, tzinfo=CHICAGO), tick=False):
        yield


def vevents(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def test_event_calendar_has_the_event_and_its_shifts_in_local_time(
    api_client, make_event, make_shift, settings
):
    settings.PUBLIC_BASE_URL = "https://field.example.org:8443"
    # Caucus-style night on 2026-11-01, the day clocks fall back in Chicago.
    event = make_event(title="Caucus night", starts_at=datetime(2026, 11, 1, 18, tzinfo=CHICAGO))
    make_shift(event=event, role="greeter", requirement="Bring a flashlight")

    response = api_client.get(f"/api/public/events/{event.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert "BEGIN:VTIMEZONE\r\nTZID:America/Chicago" in text
    assert "DTSTART;TZID=America/Chicago:20261101T180000" in text
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    first, shift = vevents(response.content)
    assert str(first["SUMMARY"]) == "Caucus night"
    assert first.decoded("DTSTART") == datetime(2026, 11, 2, 0, tzinfo=ZoneInfo("UTC"))
    assert first.decoded("DTSTART").utcoffset() == timedelta(hours=-6)
    assert str(shift["SUMMARY"]) == "Caucus night: Greeter"
    assert "Bring a flashlight" in str(shift["DESCRIPTION"])
    assert str(first["UID"]) == f"event-{event.pk}@field.example.org"


def test_a_volunteers_calendar_lists_their_active_shifts_through_the_signed_link(
    api_client, make_event, make_shift
):
    summer = make_shift(
        event=make_event(title="Summer BBQ", starts_at=datetime(2026, 10, 3, 12, tzinfo=CHICAGO))
    )
    winter = make_shift(
        event=make_event(title="Winter caucus", starts_at=datetime(2026, 12, 3, 18, tzinfo=CHICAGO))
    )
    gone = make_shift(
        event=make_event(title="Cancelled one", starts_at=datetime(2026, 10, 20, 9, tzinfo=CHICAGO))
    )
    body = api_client.post(
        f"/api/public/shifts/{summer.pk}/signups", signup_body(1), format="json"
    ).json()
    api_client.post(f"/api/public/shifts/{winter.pk}/signups", signup_body(1), format="json")
    dropped = api_client.post(
        f"/api/public/shifts/{gone.pk}/signups", signup_body(1), format="json"
    ).json()
    api_client.post(
        f"/api/public/me/{body['manage_token']}/signups/{dropped['signup']['id']}/cancel"
    )
    signup_create(shift_id=summer.pk, name="Other", phone=phone(2), sms_consent=True)

    response = api_client.get(f"/api/public/me/{body['manage_token']}/calendar.ics")

    assert response.status_code == 200
    events = vevents(response.content)
    assert [str(e["SUMMARY"]) for e in events] == [
        "Summer BBQ: Canvasser",
        "Winter caucus: Canvasser",
    ]
    # October is CDT (-05:00), December is CST (-06:00): the same VTIMEZONE covers both.
    assert [e.decoded("DTSTART").utcoffset() for e in events] == [
        timedelta(hours=-5),
        timedelta(hours=-6),
    ]
    assert api_client.get(f"/api/public/me/{body['manage_token']}x/calendar.ics").status_code == 404


def test_our_calendar_parses_like_the_reference_calendars():
    # Sanity check: the icalendar parser reads the reference files we compare against.
    reference = Path(django_settings.SHARED_DATA_DIR) / "icalendar" / "calendars"
    calendar = Calendar.from_ical((reference / "america_new_york.ics").read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=-4)
