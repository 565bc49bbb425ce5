"""The public API: upcoming events, nearby search, event detail and the signed manage link."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing

from backend.sms.backends import locmem
from events.links import SALT, manage_token_for
from events.models import EventKind, EventStatus, Signup, SignupStatus, Volunteer
from messaging.models import SmsKind, SmsMessage
from tests.events.helpers import e164, phone, signup_body

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=CHICAGO)

# Real places in Iowa (approximate): Des Moines (Capitol), Ankeny, Ames, Iowa City.
CAPITOL = (41.5911, -93.6037)
ANKENY = (41.7297, -93.6058)
AMES = (42.0267, -93.6465)
IOWA_CITY = (41.6611, -91.5302)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def at(days: int, hour: int = 18) -> datetime:
    return (NOW + timedelta(days=days)).replace(hour=hour, minute=0)


def test_upcoming_public_events_are_listed_soonest_first_without_login(api_client, make_event):
    later = make_event(title="Later", starts_at=at(5))
    sooner = make_event(title="Sooner", starts_at=at(2))
    make_event(title="Private", starts_at=at(3), is_public=False)
    make_event(title="Cancelled", starts_at=at(3), status=EventStatus.CANCELLED)
    make_event(title="Over", starts_at=at(-2))

    response = api_client.get("/api/public/events")

    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [sooner.pk, later.pk]


def test_public_events_filter_by_kind_and_local_dates(api_client, make_event):
    rally = make_event(title="Rally", kind=EventKind.RALLY, starts_at=at(2))
    make_event(title="Training", kind=EventKind.TRAINING, starts_at=at(2))
    make_event(title="Rally later", kind=EventKind.RALLY, starts_at=at(9))

    response = api_client.get(
        "/api/public/events",
        {"kind": "rally", "date_from": "2026-10-03", "date_to": "2026-10-03"},
    )

    assert [e["id"] for e in response.json()["results"]] == [rally.pk]


def test_bad_filters_are_400_naming_the_field(api_client):
    assert api_client.get("/api/public/events", {"kind": "party"}).json()["error"]["fields"] == {
        "kind": ['"party" is not a valid choice.']
    }
    response = api_client.get(
        "/api/public/events", {"date_from": "2026-10-05", "date_to": "2026-10-01"}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["date_to"]


def test_nearby_events_are_sorted_by_distance_with_the_distance(
    api_client, make_event, make_location
):
    ankeny = make_event(
        title="Ankeny",
        starts_at=at(2),
        location=make_location(latitude=ANKENY[0], longitude=ANKENY[1]),
    )
    ames = make_event(
        title="Ames", starts_at=at(1), location=make_location(latitude=AMES[0], longitude=AMES[1])
    )
    make_event(
        title="Iowa City",
        starts_at=at(1),
        location=make_location(latitude=IOWA_CITY[0], longitude=IOWA_CITY[1]),
    )
    make_event(
        title="Unplaced", starts_at=at(1), location=make_location(latitude=None, longitude=None)
    )

    response = api_client.get(
        "/api/public/events/nearby",
        {"latitude": CAPITOL[0], "longitude": CAPITOL[1], "radius_km": 60},
    )

    assert response.status_code == 200
    body = response.json()
    assert [r["event"]["id"] for r in body["results"]] == [ankeny.pk, ames.pk]
    assert body["count"] == 2
    assert body["results"][0]["distance_m"] == pytest.approx(15_350, rel=0.01)
    assert body["results"][1]["distance_m"] == pytest.approx(48_400, rel=0.01)
    assert body["results"][0]["event"]["location"]["latitude"] == ANKENY[0]


def test_nearby_by_zip_uses_the_centre_of_our_sites_in_that_zip(
    api_client, make_event, make_location
):
    make_location(zip_code="50010", latitude=AMES[0], longitude=AMES[1])
    ames = make_event(
        starts_at=at(1),
        location=make_location(zip_code="50011", latitude=AMES[0] + 0.01, longitude=AMES[1]),
    )

    response = api_client.get("/api/public/events/nearby", {"zip": "50010", "radius_km": 5})

    assert response.status_code == 200
    assert [r["event"]["id"] for r in response.json()["results"]] == [ames.pk]
    assert response.json()["results"][0]["distance_m"] == pytest.approx(1112, rel=0.01)


def test_nearby_with_an_unknown_zip_is_400(api_client, make_location):
    make_location(zip_code="50010", latitude=None, longitude=None)  # known but unplaced

    response = api_client.get("/api/public/events/nearby", {"zip": "50010"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_zip"
    assert response.json()["error"]["fields"] == {"zip": ["Unknown ZIP code."]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"latitude": 41.6, "longitude": -93.6, "radius_km": 0}, "radius_km"),
        ({"latitude": 41.6, "longitude": -93.6, "radius_km": 201}, "radius_km"),
        ({"latitude": 41.6, "longitude": -93.6, "radius_km": "far"}, "radius_km"),
        ({"latitude": 91, "longitude": -93.6}, "latitude"),
        ({"latitude": 41.6}, "longitude"),
        ({}, "latitude"),
        ({"zip": "5001"}, "zip"),
    ],
)
def test_nearby_bad_input_is_400_naming_the_field(api_client, params, field):
    response = api_client.get("/api/public/events/nearby", params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_event_detail_shows_shifts_with_spots_left(api_client, make_event, make_shift):
    event = make_event(starts_at=at(3))
    shift = make_shift(event=event, capacity=2, requirement="Must be 16+", minimum_age=16)
    make_shift(event=event, status="cancelled")
    api_client.post(f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json")

    response = api_client.get(f"/api/public/events/{event.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Caucus night"
    assert body["starts_at"] == "2026-10-04T23:00:00Z"
    assert body["starts_at_local"] == "2026-10-04T18:00:00-05:00"
    assert body["time_zone"] == "America/Chicago"
    assert body["shifts"] == [
        {
            "id": shift.pk,
            "role": "canvasser",
            "role_label": "Canvasser",
            "starts_at": "2026-10-04T23:00:00Z",
            "ends_at": "2026-10-05T01:00:00Z",
            "starts_at_local": "2026-10-04T18:00:00-05:00",
            "ends_at_local": "2026-10-04T20:00:00-05:00",
            "capacity": 2,
            "spots_left": 1,
            "waitlisted": 0,
            "minimum_age": 16,
            "requirement": "Must be 16+",
        }
    ]


def test_private_and_unknown_events_are_404_to_the_public(api_client, make_event):
    private = make_event(is_public=False)

    assert api_client.get(f"/api/public/events/{private.pk}").status_code == 404
    assert api_client.get("/api/public/events/999999").status_code == 404


def test_the_public_event_list_does_not_grow_queries_with_the_data(
    api_client, make_event, django_assert_max_num_queries
):
    for day in range(1, 4):
        make_event(starts_at=at(day))
    with django_assert_max_num_queries(3):
        api_client.get("/api/public/events")
    for day in range(4, 20):
        make_event(starts_at=at(day))
    with django_assert_max_num_queries(3):
        api_client.get("/api/public/events")


def test_the_manage_link_lists_only_that_volunteers_signups(api_client, make_shift):
    shift = make_shift(starts_at=at(3))
    mine = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json"
    ).json()
    api_client.post(f"/api/public/shifts/{shift.pk}/signups", signup_body(2), format="json")

    response = api_client.get(f"/api/public/me/{mine['manage_token']}")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["phone_last4"], body["sms_consent"]) == ("Volunteer 1", "0101", True)
    assert [s["id"] for s in body["signups"]] == [mine["signup"]["id"]]
    assert body["calendar_url"].endswith(f"/api/public/me/{mine['manage_token']}/calendar.ics")


def test_a_volunteer_cannot_cancel_another_volunteers_signup(api_client, make_shift):
    shift = make_shift(starts_at=at(3))
    mine = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json"
    ).json()
    theirs = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(2), format="json"
    ).json()

    response = api_client.post(
        f"/api/public/me/{mine['manage_token']}/signups/{theirs['signup']['id']}/cancel"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_tampered_or_forged_manage_link_is_404(api_client, make_shift):
    shift = make_shift(starts_at=at(3))
    mine = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json"
    ).json()
    other = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(2), format="json"
    ).json()
    other_volunteer = Volunteer.objects.get(phone_last4="0102")
    token = mine["manage_token"]
    _payload, rest = token.split(":", 1)
    # Point the payload at the other volunteer but keep the original signature.
    forged_payload = signing.dumps(
        {"v": other_volunteer.pk, "h": other_volunteer.phone_hash[:12]}, salt=SALT
    ).split(":", 1)[0]
    wrong_salt = signing.dumps({"v": other_volunteer.pk, "h": other_volunteer.phone_hash[:12]})

    for bad in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        f"{forged_payload}:{rest}",
        wrong_salt,
        "not-a-token",
    ):
        assert api_client.get(f"/api/public/me/{bad}").status_code == 404, bad
        cancel = api_client.post(f"/api/public/me/{bad}/signups/{other['signup']['id']}/cancel")
        assert cancel.status_code == 404
    assert manage_token_for(other_volunteer) != token


def test_an_expired_manage_link_is_404(api_client, make_shift, settings):
    settings.EVENTS_MANAGE_LINK_MAX_AGE_DAYS = 30
    shift = make_shift(starts_at=at(3))
    body = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json"
    ).json()

    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        response = api_client.get(f"/api/public/me/{body['manage_token']}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invalid_link"


def test_a_signup_with_a_known_number_hands_out_no_manage_link(api_client, make_shift):
    """Anyone can type a known phone number into the public form: the answer must not unlock
    that person's other signups (their name, their shifts, a link that cancels them)."""
    mine, theirs = make_shift(starts_at=at(3)), make_shift(starts_at=at(5))
    victim = api_client.post(
        f"/api/public/shifts/{mine.pk}/signups", signup_body(1), format="json"
    ).json()

    response = api_client.post(
        f"/api/public/shifts/{theirs.pk}/signups",
        signup_body(1, name="Someone Else"),
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["manage_token"], body["manage_url"]) == (None, None)
    assert "Volunteer 1" not in response.content.decode()
    assert body["signup"]["shift"]["id"] == theirs.pk
    # The first signup's link went to whoever typed the number first, who may not own it: it no
    # longer opens the record once anyone else signs that number up.
    assert api_client.get(f"/api/public/me/{victim['manage_token']}").status_code == 404
    assert Volunteer.objects.get().manage_link_generation == 1


def test_a_number_registered_by_someone_else_first_never_shows_the_owners_signups(
    api_client, make_shift, settings
):
    """A squatter types the owner's number into the form before the owner ever does and keeps
    the link of the record that creates. The owner's own signups must never reach that link;
    the owner gets a working link by text."""
    settings.SMS_BACKEND = "locmem"
    settings.SMS_RATE_PER_SECOND = 0
    bait, real = make_shift(starts_at=at(3)), make_shift(starts_at=at(5))
    squatter = api_client.post(
        f"/api/public/shifts/{bait.pk}/signups", signup_body(1, name="Squatter"), format="json"
    ).json()
    assert api_client.get(f"/api/public/me/{squatter['manage_token']}").status_code == 200

    owner = api_client.post(
        f"/api/public/shifts/{real.pk}/signups", signup_body(1, name="Owner"), format="json"
    )
    stale = api_client.get(f"/api/public/me/{squatter['manage_token']}")
    cancel = api_client.post(
        f"/api/public/me/{squatter['manage_token']}/signups/{owner.json()['signup']['id']}/cancel"
    )
    locmem.outbox.clear()
    api_client.post("/api/public/manage-link", {"phone": phone(1)}, format="json")
    texted = locmem.outbox[-1].body.rsplit("/api/public/me/", 1)[1].split()[0]

    assert owner.status_code == 201
    assert stale.status_code == 404
    assert cancel.status_code == 404
    assert Signup.objects.get(pk=owner.json()["signup"]["id"]).status == SignupStatus.CONFIRMED
    page = api_client.get(f"/api/public/me/{texted}")
    assert page.status_code == 200
    assert len(page.json()["signups"]) == 2
    locmem.outbox.clear()


def test_the_manage_link_is_texted_to_the_number_and_never_answered(
    api_client, make_shift, settings
):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_RATE_PER_SECOND = 0
    settings.VOLUNTEER_LINK_CODES_PER_NUMBER = 3
    locmem.outbox.clear()
    shift = make_shift(starts_at=at(3))
    first = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json"
    ).json()
    locmem.outbox.clear()

    known = api_client.post("/api/public/manage-link", {"phone": phone(1)}, format="json")
    unknown = api_client.post("/api/public/manage-link", {"phone": phone(9)}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert first["manage_token"] not in known.content.decode()
    assert [m.to for m in locmem.outbox] == [e164(1)]
    texted = locmem.outbox[0].body.rsplit("/api/public/me/", 1)[1].split()[0]
    assert api_client.get(f"/api/public/me/{texted}").json()["name"] == "Volunteer 1"
    stored = SmsMessage.objects.get(kind=SmsKind.MANAGE_LINK)
    assert first["manage_token"] not in stored.body
    # Limited per number.
    more = [
        api_client.post("/api/public/manage-link", {"phone": phone(1)}, format="json")
        for _ in range(3)
    ]
    assert [r.status_code for r in more] == [202, 202, 429]
    assert len(locmem.outbox) == 3
    bad = api_client.post("/api/public/manage-link", {"phone": "12"}, format="json")
    assert bad.status_code == 400
    assert "phone" in bad.json()["error"]["fields"]
    locmem.outbox.clear()
