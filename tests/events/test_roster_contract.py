"""Roster entries answer null for the times that have not happened, as the schema now says (the
five operations that return them: staff signup, shift and event roster, single and bulk
attendance). Before issue 14 the schema said a required date-time and a generated client crashed
on null after the server had already committed the change."""

from __future__ import annotations

import pytest

from events.models import Signup, SignupStatus
from tests.events.helpers import signup_body

pytestmark = pytest.mark.django_db


def test_roster_times_not_yet_reached_are_null(client_for, lead_a, lead_b, make_shift):
    shift = make_shift(capacity=1)
    client = client_for(lead_a)

    confirmed = client.post(f"/api/shifts/{shift.pk}/signups", signup_body(1), format="json")
    waitlisted = client.post(f"/api/shifts/{shift.pk}/signups", signup_body(2), format="json")

    assert confirmed.status_code == waitlisted.status_code == 201
    assert confirmed.json()["confirmed_at"] is not None
    assert confirmed.json()["cancelled_at"] is None
    assert confirmed.json()["checked_in_at"] is None
    assert waitlisted.json()["status"] == "waitlisted"
    assert waitlisted.json()["confirmed_at"] is None
    assert Signup.objects.get(pk=waitlisted.json()["id"]).confirmed_at is None

    shift_roster = client.get(f"/api/shifts/{shift.pk}/roster").json()
    event_roster = client.get(f"/api/events/{shift.event_id}/roster").json()
    for roster in (shift_roster, event_roster):
        by_status = {entry["status"]: entry for entry in roster}
        assert by_status["waitlisted"]["confirmed_at"] is None
        assert by_status["confirmed"]["checked_in_at"] is None

    signup_id = confirmed.json()["id"]
    checked_in = client.post(
        f"/api/signups/{signup_id}/attendance", {"status": "attended"}, format="json"
    )
    undone = client.post(
        f"/api/events/{shift.event_id}/attendance",
        {"status": "confirmed", "signup_ids": [signup_id]},
        format="json",
    )

    assert checked_in.status_code == 200 and checked_in.json()["checked_in_at"] is not None
    assert undone.status_code == 200
    assert [entry["checked_in_at"] for entry in undone.json()] == [None]
    signup = Signup.objects.get(pk=signup_id)
    assert signup.status == SignupStatus.CONFIRMED and signup.checked_in_at is None

    other_team = client_for(lead_b).get(f"/api/shifts/{shift.pk}/roster")
    assert other_team.status_code == 404
