"""iCalendar files: per event and per volunteer, with the event's VTIMEZONE."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from icalendar import Calendar

from events.links import manage_token_for
from events.models import Signup
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
    # Signing the number up again retired the first answer's link; the texted one is current.
    token = manage_token_for(Signup.objects.get(pk=body["signup"]["id"]).volunteer)
    api_client.post(f"/api/public/me/{token}/signups/{dropped['signup']['id']}/cancel")
    signup_create(shift_id=summer.pk, name="Other", phone=phone(2), sms_consent=True)

    response = api_client.get(f"/api/public/me/{token}/calendar.ics")

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
    assert api_client.get(f"/api/public/me/{token}x/calendar.ics").status_code == 404
    assert api_client.get(f"/api/public/me/{body['manage_token']}/calendar.ics").status_code == 404


def test_our_calendar_parses_like_the_reference_calendars():
    # Sanity check: the icalendar parser reads the reference files we compare against.
    reference = Path(django_settings.SHARED_DATA_DIR) / "icalendar" / "calendars"
    calendar = Calendar.from_ical((reference / "america_new_york.ics").read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=-4)


def _dst_change_days(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC midnight before each day of `year` on which the zone's offset changes."""
    days = []
    moment = datetime(year, 1, 1, 12, tzinfo=ZoneInfo("UTC"))
    while moment.year == year:
        if (
            moment.astimezone(zone).utcoffset()
            != (moment + timedelta(days=1)).astimezone(zone).utcoffset()
        ):
            days.append(moment + timedelta(days=1))
        moment += timedelta(days=1)
    return days


def _instants_from_vobject(body: bytes) -> list[datetime]:
    import vobject

    # vobject keeps the first VTIMEZONE it ever saw per TZID for the whole process: forget it,
    # so this file's own VTIMEZONE is the one read.
    getattr(vobject.icalendar, "__tzidMap").clear()
    vobject.icalendar.registerTzid("UTC", vobject.icalendar.utc)
    calendar = vobject.readOne(body.decode())
    starts = [
        component.dtstart.value for component in calendar.components() if component.name == "VEVENT"
    ]
    zones = {type(start.tzinfo).__name__ for start in starts}
    assert zones <= {"_tzicalvtz", "tzutc"}, zones  # read from the VTIMEZONE, not a tz database
    return [start.astimezone(ZoneInfo("UTC")) for start in starts]


def _instants_from_the_embedded_vtimezone(body: bytes) -> list[datetime]:
    # icalendar reads TZID=America/Chicago with zoneinfo; rebuild the zone from the file's own
    # VTIMEZONE instead, so the VTIMEZONE itself is what is checked.
    calendar = Calendar.from_ical(body)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz()
    out = []
    for component in calendar.walk("VEVENT"):
        prop = component["DTSTART"]
        value = prop.dt
        if "TZID" in prop.params:
            value = value.replace(tzinfo=None)
            value = (
                zone.localize(value) if hasattr(zone, "localize") else value.replace(tzinfo=zone)
            )
        out.append(value.astimezone(ZoneInfo("UTC")))
    return out


@pytest.mark.parametrize("zone_name", ["America/Chicago", "America/New_York"])
@pytest.mark.parametrize("year", [2026, 2027, 2028, 2029, 2030])
def test_every_instant_round_trips_through_two_parsers_on_dst_change_days(
    api_client, make_event, make_shift, year, zone_name
):
    zone = ZoneInfo(zone_name)
    utc = ZoneInfo("UTC")
    expected = []
    for day in _dst_change_days(zone, year):
        # Every half hour from 23:00 the evening before to 05:00 local: both 01:30s of the
        # fall-back night, and the instants around the missing 02:00-03:00 of spring.
        start = day.astimezone(zone).replace(hour=0) - timedelta(hours=1)
        event = make_event(starts_at=start, ends_at=start + timedelta(hours=8), time_zone=zone_name)
        # Steps in UTC (wall-clock steps would skip the second 01:30 and repeat 03:30).
        instants = [start.astimezone(utc) + timedelta(minutes=30 * i) for i in range(13)]
        for instant in instants:
            make_shift(event=event, starts_at=instant, ends_at=instant + timedelta(minutes=30))
        body = api_client.get(f"/api/public/events/{event.pk}/calendar.ics").content
        wanted = [start.astimezone(utc), *instants]
        expected.append(wanted)

        by_icalendar = [e.decoded("DTSTART").astimezone(utc) for e in vevents(body)]
        assert by_icalendar == wanted
        assert _instants_from_vobject(body) == wanted
        assert _instants_from_the_embedded_vtimezone(body) == wanted
    assert len(expected) == 2


def test_the_vtimezone_starts_daylight_time_at_two_in_the_morning_standard_time(
    api_client, make_event
):
    event = make_event(starts_at=datetime(2026, 3, 8, 12, tzinfo=CHICAGO))

    text = api_client.get(f"/api/public/events/{event.pk}/calendar.ics").content.decode()

    daylight = [part.split("END:DAYLIGHT")[0] for part in text.split("BEGIN:DAYLIGHT\r\n")[1:]]
    (onset,) = [part for part in daylight if "DTSTART:2026" in part]
    assert "DTSTART:20260308T020000" in onset
    assert "TZOFFSETFROM:-0600" in onset and "TZOFFSETTO:-0500" in onset
    standard = [part.split("END:STANDARD")[0] for part in text.split("BEGIN:STANDARD\r\n")[1:]]
    assert any("DTSTART:20261101T020000" in part for part in standard)


def test_the_second_one_thirty_of_the_fall_back_night_is_written_in_utc(
    api_client, make_event, make_shift
):
    event = make_event(starts_at=datetime(2026, 10, 31, 22, tzinfo=CHICAGO))
    first = datetime(2026, 11, 1, 6, 30, tzinfo=ZoneInfo("UTC"))  # 01:30 CDT
    second = datetime(2026, 11, 1, 7, 30, tzinfo=ZoneInfo("UTC"))  # 01:30 CST
    make_shift(event=event, starts_at=first, ends_at=first + timedelta(minutes=30))
    make_shift(event=event, starts_at=second, ends_at=second + timedelta(minutes=30))

    text = api_client.get(f"/api/public/events/{event.pk}/calendar.ics").content.decode()

    assert "DTSTART;TZID=America/Chicago:20261101T013000" in text
    assert "DTSTART:20261101T073000Z" in text
