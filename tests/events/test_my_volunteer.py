"""A canvasser's account links to their volunteer record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import SmsConsent, Volunteer
from tests.events.helpers import phone, signup_body

pytestmark = pytest.mark.django_db


def test_a_canvasser_links_the_volunteer_record_that_has_their_phone(
    api_client, client_for, canvasser_a, make_shift
):
    shift = make_shift(starts_at=timezone.now() + timedelta(days=2))
    api_client.post(f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json")
    client = client_for(canvasser_a)

    assert client.get("/api/me/volunteer").status_code == 404
    linked = client.post(
        "/api/me/volunteer", {"phone": phone(1), "sms_consent": True}, format="json"
    )

    assert linked.status_code == 200
    assert Volunteer.objects.get().user == canvasser_a
    body = client.get("/api/me/volunteer").json()
    assert (body["name"], body["phone_last4"], body["sms_consent"]) == ("Volunteer 1", "0101", True)
    assert [s["shift"]["id"] for s in body["signups"]] == [shift.pk]
    assert SmsConsent.objects.latest("recorded_at").method == "app"


def test_a_phone_already_linked_to_someone_else_is_409(client_for, canvasser_a, canvasser_b):
    client_for(canvasser_a).post(
        "/api/me/volunteer", {"phone": phone(1), "sms_consent": False}, format="json"
    )

    taken = client_for(canvasser_b).post(
        "/api/me/volunteer", {"phone": phone(1), "sms_consent": False}, format="json"
    )
    second_number = client_for(canvasser_a).post(
        "/api/me/volunteer", {"phone": phone(2), "sms_consent": False}, format="json"
    )

    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "already_linked"
    assert second_number.status_code == 409
    assert Volunteer.objects.count() == 1


def test_linking_needs_a_login(api_client):
    assert api_client.post("/api/me/volunteer", {"phone": phone(1)}).status_code == 401


def test_completing_an_event(client_for, lead_a, lead_b, make_event):
    event = make_event()

    assert client_for(lead_b).post(f"/api/events/{event.pk}/complete").status_code == 404
    done = client_for(lead_a).post(f"/api/events/{event.pk}/complete")
    again = client_for(lead_a).post(f"/api/events/{event.pk}/complete")

    assert done.json()["status"] == "completed"
    assert again.status_code == 409
