"""A shift's check-in code: drawn when staff add the shift, unique among shifts not yet over,
shown to staff on the shift and on the roster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from events.services import schedule
from events.services.signups import signup_create
from tests.console.conftest import console_login
from tests.events.helpers import phone

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 1, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def shift_body():
    return {
        "role": "canvasser",
        "starts_at": "2026-10-10T09:00:00-05:00",
        "ends_at": "2026-10-10T11:00:00-05:00",
        "capacity": 2,
    }


def test_a_new_shift_never_takes_the_code_of_a_shift_not_yet_over(
    client_for, lead_a, make_event, make_shift, monkeypatch
):
    event = make_event(starts_at=datetime(2026, 10, 10, 14, 0, tzinfo=UTC))
    make_shift(event, short_code="AAAAA")
    make_shift(
        event, starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(days=1),
        short_code="CCCCC",
    )  # fmt: skip
    # The random draw, scripted: first a code an upcoming shift has, then one a past shift had.
    draws = iter(["AAAAA", "CCCCC"])
    monkeypatch.setattr(schedule, "new_short_code", lambda: next(draws))

    response = client_for(lead_a).post(
        f"/api/events/{event.pk}/shifts", shift_body(), format="json"
    )

    assert response.status_code == 201
    assert response.json()["short_code"] == "CCCCC"
    assert event.shifts.get(pk=response.json()["id"]).short_code == "CCCCC"


def test_the_roster_shows_each_signups_check_in_code_and_another_team_sees_nothing(
    client_for, lead_a, lead_b, make_shift
):
    shift = make_shift()
    signup_create(shift_id=shift.pk, name="Ana", phone=phone(1), sms_consent=True)

    mine = client_for(lead_a).get(f"/api/shifts/{shift.pk}/roster")
    theirs = client_for(lead_b).get(f"/api/shifts/{shift.pk}/roster")

    assert mine.status_code == 200
    [entry] = mine.json()["results"] if "results" in mine.json() else mine.json()
    assert entry["shift_code"] == shift.short_code
    assert theirs.status_code == 404


def test_the_console_event_page_shows_each_shifts_check_in_code(lead_a, make_shift):
    shift = make_shift()
    client = Client()
    console_login(client, lead_a)

    page = client.get(f"/console/events/{shift.event_id}").content.decode()

    assert f"Check-in code {shift.short_code}" in page
