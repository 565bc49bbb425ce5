"""Quiet hours follow the recipient, not only the event (docs/sms.md): the recipient's state from
their ZIP or area code, that state's zone, and its stricter hours where its law sets them. A
text or call goes only when both the event's and the recipient's quiet hours allow it. Sent by
the `dispatch_sms` command through the real twilio client against a fake Twilio."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from events.models import Volunteer
from events.services.signups import signup_create
from messaging.models import Channel, SmsKind, SmsMessage, SmsStatus
from messaging.recipients import (
    STATE_TIME_ZONES,
    area_code_states,
    recipient_place,
    zip_prefix_states,
)
from tests.messaging.test_voice import choose_voice
from tests.messaging.test_voice import fake_calls as fake_calls  # the fixture

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EVENT_START = datetime(2026, 10, 10, 15, 0, tzinfo=UTC)

IOWA = "(515) 555-0101"
FLORIDA = "(305) 555-0123"  # Miami
GEORGIA = "(404) 555-0123"  # Atlanta: Eastern time, no state rule of its own
CALIFORNIA = "(415) 555-0142"  # San Francisco
TORONTO = "(416) 555-0123"  # a NANP number, but no US state


def dispatch() -> str:
    out = StringIO()
    call_command("dispatch_sms", stdout=out)
    return out.getvalue()


def join(shift, phone: str, n: int, *, zip_code: str = "") -> SmsMessage:
    """Sign up through the real service; the confirmation text it queues."""
    outcome = signup_create(
        shift_id=shift.pk, name=f"Volunteer {n}", phone=phone, sms_consent=True, zip_code=zip_code
    )
    return SmsMessage.objects.get(signup=outcome.signup, kind=SmsKind.CONFIRMATION)


def sent_to(fake_twilio) -> list[str]:
    return [message["To"] for message in fake_twilio.accepted]


# --- Through the dispatcher -----------------------------------------------------------------


def test_a_florida_number_at_half_past_eight_waits_for_eight_while_iowa_at_half_past_eight_goes(
    fake_twilio, make_event, make_shift
):
    # An Iowa event (Central time). 00:30 UTC is 20:30 in Miami and Atlanta, 19:30 in Des Moines:
    # the event allows it, Georgia's usual hours too, Florida's 8:00-20:00 law does not.
    shift = make_shift(make_event(starts_at=EVENT_START), capacity=5)
    with time_machine.travel(datetime(2026, 10, 5, 23, 0, tzinfo=UTC), tick=False):
        florida, georgia = join(shift, FLORIDA, 1), join(shift, GEORGIA, 2)
    with time_machine.travel(datetime(2026, 10, 6, 0, 30, tzinfo=UTC), tick=False):
        dispatch()

    florida.refresh_from_db()
    assert sent_to(fake_twilio) == ["+14045550123"]
    assert florida.status == SmsStatus.QUEUED
    # 08:00 in Miami is 07:00 in Des Moines, still the event's quiet hours: both must allow it.
    assert florida.next_attempt_at == datetime(2026, 10, 6, 13, 0, tzinfo=UTC)
    georgia.refresh_from_db()
    assert georgia.status == SmsStatus.SENT

    # 20:30 in Des Moines: the Iowa number's text goes at once.
    with time_machine.travel(datetime(2026, 10, 6, 1, 30, tzinfo=UTC), tick=False):
        iowa = join(shift, IOWA, 3)
        assert iowa.next_attempt_at == datetime(2026, 10, 6, 1, 30, tzinfo=UTC)
        dispatch()
    assert sent_to(fake_twilio) == ["+14045550123", "+15155550101"]

    with time_machine.travel(datetime(2026, 10, 6, 12, 59, tzinfo=UTC), tick=False):
        dispatch()  # 07:59 in Des Moines
    assert len(fake_twilio.accepted) == 2
    with time_machine.travel(datetime(2026, 10, 6, 13, 0, tzinfo=UTC), tick=False):
        dispatch()  # 08:00 in Des Moines, 09:00 in Miami
    assert sent_to(fake_twilio)[-1] == "+13055550123"
    florida.refresh_from_db()
    assert florida.status == SmsStatus.SENT


def test_a_text_queued_for_a_florida_number_at_half_past_eight_waits_for_eight_there(
    fake_twilio, make_event, make_shift
):
    # An event in Eastern time: its own quiet hours start at 21:00, Florida's at 20:00.
    shift = make_shift(make_event(starts_at=EVENT_START, time_zone="America/New_York"))
    with time_machine.travel(datetime(2026, 10, 6, 0, 30, tzinfo=UTC), tick=False):
        florida = join(shift, FLORIDA, 1)
        report = dispatch()

    assert florida.send_after == datetime(2026, 10, 6, 12, 0, tzinfo=UTC)
    assert "'claimed': 0" in report and fake_twilio.accepted == []


def test_an_iowa_event_texting_a_california_number_at_half_past_seven_pacific_waits(
    fake_twilio, make_event, make_shift
):
    # 14:30 UTC: 09:30 in Des Moines (the event allows it), 07:30 in San Francisco.
    shift = make_shift(make_event(starts_at=EVENT_START), capacity=5)
    with time_machine.travel(datetime(2026, 10, 6, 14, 30, tzinfo=UTC), tick=False):
        california = join(shift, CALIFORNIA, 1)
        join(shift, IOWA, 2)
        dispatch()

    assert sent_to(fake_twilio) == ["+15155550101"]
    california.refresh_from_db()
    assert california.status == SmsStatus.QUEUED
    assert california.next_attempt_at == datetime(2026, 10, 6, 15, 0, tzinfo=UTC)  # 08:00 PDT

    with time_machine.travel(datetime(2026, 10, 6, 15, 0, tzinfo=UTC), tick=False):
        dispatch()
    assert sent_to(fake_twilio) == ["+15155550101", "+14155550142"]


@pytest.mark.parametrize(
    ("evening", "morning"),
    [
        # Spring forward (Sun 2026-03-08): Sat 20:30 EST -> Sun 08:00 EDT.
        (datetime(2026, 3, 8, 1, 30, tzinfo=UTC), datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        # Fall back (Sun 2026-11-01): Sat 20:30 EDT -> Sun 08:00 EST.
        (datetime(2026, 11, 1, 0, 30, tzinfo=UTC), datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
    ],
)
def test_a_florida_number_waits_for_eight_local_across_a_daylight_saving_change(
    fake_twilio, make_event, make_shift, evening, morning
):
    shift = make_shift(
        make_event(starts_at=evening + timedelta(days=3), time_zone="America/New_York")
    )
    with time_machine.travel(evening - timedelta(hours=2), tick=False):
        florida = join(shift, FLORIDA, 1)
    with time_machine.travel(evening, tick=False):
        dispatch()
    florida.refresh_from_db()
    assert florida.status == SmsStatus.QUEUED and florida.next_attempt_at == morning

    with time_machine.travel(morning - timedelta(minutes=1), tick=False):
        dispatch()
    assert fake_twilio.accepted == []
    with time_machine.travel(morning, tick=False):
        dispatch()
    assert sent_to(fake_twilio) == ["+13055550123"]


def test_an_unknown_area_code_falls_back_to_the_events_quiet_hours(
    fake_twilio, make_event, make_shift
):
    # 01:30 UTC: 20:30 in Des Moines (the event allows it), 21:30 in Toronto and Atlanta.
    shift = make_shift(make_event(starts_at=EVENT_START), capacity=5)
    with time_machine.travel(datetime(2026, 10, 6, 1, 30, tzinfo=UTC), tick=False):
        toronto = join(shift, TORONTO, 1)  # no US state: the event's hours alone
        georgia = join(shift, GEORGIA, 2)  # Georgia: its own 21:00 holds it
        dispatch()
    assert sent_to(fake_twilio) == ["+14165550123"]
    toronto.refresh_from_db()
    georgia.refresh_from_db()
    assert toronto.status == SmsStatus.SENT
    assert georgia.next_attempt_at == datetime(2026, 10, 6, 13, 0, tzinfo=UTC)  # 08:00 CDT

    # 21:30 in Des Moines: the event's quiet hours hold the Toronto number too.
    with time_machine.travel(datetime(2026, 10, 6, 2, 30, tzinfo=UTC), tick=False):
        held = join(shift, "(416) 555-0124", 3)
        dispatch()
    assert held.next_attempt_at == datetime(2026, 10, 6, 13, 0, tzinfo=UTC)  # 08:00 CDT
    assert len(fake_twilio.accepted) == 1


def test_the_zip_code_names_the_state_before_the_area_code(fake_twilio, make_event, make_shift):
    # A Miami number kept by someone who lives in Des Moines now: Iowa's hours.
    shift = make_shift(make_event(starts_at=EVENT_START), capacity=5)
    with time_machine.travel(datetime(2026, 10, 6, 0, 30, tzinfo=UTC), tick=False):
        moved = join(shift, FLORIDA, 1, zip_code="50309")
        # A Des Moines number of someone living in Tampa: Florida's hours.
        away = join(shift, IOWA, 2, zip_code="33602")
        dispatch()

    assert sent_to(fake_twilio) == ["+13055550123"]
    away.refresh_from_db()
    moved.refresh_from_db()
    assert moved.status == SmsStatus.SENT
    assert (away.status, away.next_attempt_at) == (
        SmsStatus.QUEUED,
        datetime(2026, 10, 6, 13, 0, tzinfo=UTC),  # 08:00 for the event, 09:00 in Tampa
    )


def test_a_call_to_a_florida_number_follows_the_same_rules(
    client, make_event, make_shift, fake_calls
):
    # A shift at 22:30 Eastern (21:30 Central): its two-hour reminder call falls at 20:30 in
    # Miami, and Florida's 8:00 would be after the shift started, so the call never goes; the
    # same call to an Iowa number (19:30 there) is placed.
    starts = datetime(2026, 10, 7, 2, 30, tzinfo=UTC)
    shift = make_shift(make_event(starts_at=starts), capacity=5)
    with time_machine.travel(datetime(2026, 10, 5, 15, 0, tzinfo=UTC), tick=False):
        florida = signup_create(shift_id=shift.pk, name="F", phone=FLORIDA, sms_consent=True)
        iowa = signup_create(shift_id=shift.pk, name="I", phone=IOWA, sms_consent=True)
        for outcome in (florida, iowa):
            assert choose_voice(client, outcome.signup.volunteer).status_code == 200
    with time_machine.travel(datetime(2026, 10, 6, 16, 0, tzinfo=UTC), tick=False):
        dispatch()  # the confirmations and day-before reminders, in daytime everywhere
    fake_calls.clear()
    with time_machine.travel(starts - timedelta(hours=2), tick=False):
        dispatch()

    def two_hour_reminder(outcome):
        return SmsMessage.objects.get(
            signup=outcome.signup, kind=SmsKind.REMINDER, offset_minutes=120
        )

    assert [call["To"] for call in fake_calls] == ["+15155550101"]
    called = two_hour_reminder(iowa)
    assert (called.channel, called.status) == (Channel.VOICE, SmsStatus.SENT)
    # Skipped as soon as it was written: no morning before the shift would let it go.
    held = two_hour_reminder(florida)
    assert (held.status, held.skip_reason) == (SmsStatus.SKIPPED, "quiet_hours")


def test_the_state_windows_are_a_setting(fake_twilio, make_event, make_shift, settings):
    settings.SMS_STATE_QUIET_HOURS = {}  # no state rules: Florida keeps the usual 21:00
    shift = make_shift(make_event(starts_at=EVENT_START), capacity=5)
    with time_machine.travel(datetime(2026, 10, 6, 0, 30, tzinfo=UTC), tick=False):
        join(shift, FLORIDA, 1)
        dispatch()

    assert sent_to(fake_twilio) == ["+13055550123"]


# --- The recipient's place ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "zip_code", "state", "time_zone", "source"),
    [
        ("+13195550100", "", "IA", "America/Chicago", "area_code"),
        ("+13055550100", "", "FL", "America/New_York", "area_code"),
        ("+14155550100", "", "CA", "America/Los_Angeles", "area_code"),
        ("+16025550100", "", "AZ", "America/Phoenix", "area_code"),
        ("+13055550100", "50309-1234", "IA", "America/Chicago", "zip"),
        ("+13055550100", "ABCDE", "FL", "America/New_York", "area_code"),  # a bad ZIP: the number
        ("+13055550100", "09012", "FL", "America/New_York", "area_code"),  # a military ZIP
        ("+14165550100", "", None, None, ""),  # Toronto
        ("+18005550100", "", None, None, ""),  # toll-free
        ("+15555550100", "", None, None, ""),  # not an area code in service
        ("+4930123456", "", None, None, ""),  # not a NANP number
        ("", "", None, None, ""),
    ],
)
def test_the_recipients_state_comes_from_the_zip_or_else_the_area_code(
    phone, zip_code, state, time_zone, source
):
    place = recipient_place(phone=phone, zip_code=zip_code)

    assert (place.state, place.time_zone, place.source) == (state, time_zone, source)


def test_the_area_code_table_covers_every_state_and_dc():
    states = set(area_code_states().values())

    assert set(STATE_TIME_ZONES) <= states
    assert {code for code, state in area_code_states().items() if state == "IA"} == {
        "319",
        "515",
        "563",
        "641",
        "712",
    }
    assert all(len(code) == 3 and code.isdigit() for code in area_code_states())


def test_every_zip_prefix_names_a_state_with_a_time_zone():
    prefixes = zip_prefix_states()

    assert set(prefixes.values()) <= set(STATE_TIME_ZONES)
    assert set(STATE_TIME_ZONES) - set(prefixes.values()) <= {"MP", "AS"}  # ZIPs shared with GU/HI
    assert prefixes["503"] == "IA" and prefixes["331"] == "FL" and prefixes["900"] == "CA"


def test_a_malformed_state_quiet_hours_setting_stops_the_start_naming_it():
    env = {**os.environ, "SMS_STATE_QUIET_HOURS": "Florida"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SMS_STATE_QUIET_HOURS" in result.stderr and "Florida" in result.stderr


def test_volunteers_without_a_zip_are_placed_by_their_number():
    volunteer = Volunteer.objects.create(
        name="No ZIP", phone="+13055550199", phone_hash="h-no-zip", phone_last4="0199"
    )

    assert recipient_place(phone=volunteer.phone, zip_code=volunteer.zip_code).state == "FL"
