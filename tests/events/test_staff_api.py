"""Organizers and field leads: events and shifts, rosters, check-in, CSV export, stats."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.audit.models import AuditEvent
from events.models import Event, Shift, Signup
from events.services.signups import signup_create
from tests.events.helpers import phone

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def event_body(**extra):
    return {
        "title": "Canvass launch",
        "kind": "canvass_launch",
        "starts_at": "2026-10-10T09:00:00-05:00",
        "ends_at": "2026-10-10T13:00:00-05:00",
        **extra,
    }


def shift_body(**extra):
    return {
        "role": "canvasser",
        "starts_at": "2026-10-10T09:00:00-05:00",
        "ends_at": "2026-10-10T11:00:00-05:00",
        "capacity": 2,
        **extra,
    }


def sign_up(shift, n, name=None):
    return signup_create(
        shift_id=shift.pk, name=name or f"Volunteer {n}", phone=phone(n), sms_consent=True
    ).signup


def test_a_field_lead_creates_an_event_for_their_team_with_shifts(
    client_for, lead_a, team_a, make_location
):
    client = client_for(lead_a)
    site = make_location()

    created = client.post("/api/events", event_body(location_id=site.pk), format="json")
    shift = client.post(f"/api/events/{created.json()['id']}/shifts", shift_body(), format="json")

    assert created.status_code == 201
    assert created.json()["team"] == team_a.pk
    assert created.json()["starts_at"] == "2026-10-10T14:00:00Z"
    assert created.json()["location"]["id"] == site.pk
    assert created.json()["shifts"] == []
    assert shift.status_code == 201
    assert (shift.json()["capacity"], shift.json()["spots_left"]) == (2, 2)


def test_an_organizer_must_say_which_team(client_for, organizer, team_a, team_b):
    client = client_for(organizer)

    without = client.post("/api/events", event_body(), format="json")
    with_team = client.post("/api/events", event_body(team_id=team_b.pk), format="json")

    assert without.status_code == 400
    assert without.json()["error"]["fields"] == {"team": ["This field is required."]}
    assert with_team.status_code == 201
    assert with_team.json()["team"] == team_b.pk


def test_a_field_lead_cannot_create_events_for_another_team(client_for, lead_a, team_b):
    response = client_for(lead_a).post("/api/events", event_body(team_id=team_b.pk), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"team": ["Not one of your teams."]}
    assert Event.objects.count() == 0


def test_canvassers_and_anonymous_users_cannot_manage_events(client_for, canvasser_a, make_event):
    event = make_event()

    assert client_for(canvasser_a).get("/api/events").status_code == 403
    assert client_for(canvasser_a).get(f"/api/events/{event.pk}/roster").status_code == 403
    assert client_for(None).get("/api/events").status_code == 401
    assert client_for(None).post("/api/events", event_body(), format="json").status_code == 401


def test_another_teams_event_and_its_shifts_are_404_to_a_field_lead(
    client_for, lead_b, make_event, make_shift
):
    event = make_event()  # team A
    shift = make_shift(event=event)
    signup = sign_up(shift, 1)
    client = client_for(lead_b)

    assert client.get("/api/events").json()["results"] == []
    for url in (
        f"/api/events/{event.pk}",
        f"/api/events/{event.pk}/roster",
        f"/api/events/{event.pk}/roster.csv",
        f"/api/events/{event.pk}/stats",
        f"/api/shifts/{shift.pk}",
        f"/api/shifts/{shift.pk}/roster",
        f"/api/volunteers/{signup.volunteer_id}/stats",
    ):
        assert client.get(url).status_code == 404, url
    assert client.patch(f"/api/events/{event.pk}", {"title": "x"}, format="json").status_code == 404
    assert client.post(f"/api/events/{event.pk}/cancel").status_code == 404
    assert client.post(f"/api/shifts/{shift.pk}/cancel").status_code == 404
    assert (
        client.post(
            f"/api/signups/{signup.pk}/attendance", {"status": "attended"}, format="json"
        ).status_code
        == 404
    )
    assert Event.objects.get().title == "Caucus night"


def test_an_organizer_sees_every_teams_events(client_for, organizer, make_event):
    event = make_event()

    assert client_for(organizer).get(f"/api/events/{event.pk}").status_code == 200


def test_an_event_must_end_after_it_starts(client_for, lead_a):
    response = client_for(lead_a).post(
        "/api/events", event_body(ends_at="2026-10-10T08:00:00-05:00"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"ends_at": ["Must be after starts_at."]}


def test_a_shift_must_lie_inside_its_event(client_for, lead_a):
    client = client_for(lead_a)
    event = client.post("/api/events", event_body(), format="json").json()

    response = client.post(
        f"/api/events/{event['id']}/shifts",
        shift_body(ends_at="2026-10-10T14:00:00-05:00"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "shift_outside_event"
    assert Shift.objects.count() == 0


def test_moving_an_event_away_from_its_shifts_is_refused(client_for, lead_a):
    client = client_for(lead_a)
    event = client.post("/api/events", event_body(), format="json").json()
    client.post(f"/api/events/{event['id']}/shifts", shift_body(), format="json")

    response = client.patch(
        f"/api/events/{event['id']}", {"starts_at": "2026-10-10T10:00:00-05:00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "shift_outside_event"
    assert Event.objects.get().starts_at == datetime(2026, 10, 10, 9, tzinfo=CHICAGO)


def test_editing_an_event_emits_event_changed_with_the_changes(client_for, lead_a, make_event):
    from events import domain_events

    seen = []
    domain_events.subscribe(seen.append)
    try:
        event = make_event(title="Old")
        response = client_for(lead_a).patch(
            f"/api/events/{event.pk}", {"title": "New", "description": ""}, format="json"
        )
    finally:
        domain_events.unsubscribe(seen.append)

    assert response.status_code == 200
    assert response.json()["title"] == "New"
    assert [(e.name, e.event.pk, e.changes) for e in seen] == [
        ("event.changed", event.pk, {"title": {"old": "Old", "new": "New"}})
    ]


def test_cancelling_an_event_emits_event_cancelled_and_closes_signups(
    client_for, lead_a, api_client, make_shift, recorded_events
):
    shift = make_shift()
    signup = sign_up(shift, 1)

    response = client_for(lead_a).post(f"/api/events/{shift.event_id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert recorded_events[-1] == ("event.cancelled", None)
    signup.refresh_from_db()
    assert signup.status == "confirmed"  # kept, so messaging can tell everyone
    late = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups",
        {"name": "Late", "phone": phone(2), "sms_consent": True},
        format="json",
    )
    assert late.status_code in (404, 409)


def test_raising_capacity_promotes_the_waitlist(client_for, lead_a, make_shift, recorded_events):
    shift = make_shift(capacity=1)
    _first, second, _third = (sign_up(shift, n) for n in range(3))

    response = client_for(lead_a).patch(f"/api/shifts/{shift.pk}", {"capacity": 2}, format="json")

    assert response.status_code == 200
    assert response.json()["spots_left"] == 0
    assert list(Signup.objects.order_by("position").values_list("status", flat=True)) == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert recorded_events[-1] == ("signup.promoted", second.pk)


def test_capacity_cannot_drop_below_the_confirmed_count(client_for, lead_a, make_shift):
    shift = make_shift(capacity=2)
    sign_up(shift, 1)
    sign_up(shift, 2)

    response = client_for(lead_a).patch(f"/api/shifts/{shift.pk}", {"capacity": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "capacity_below_confirmed"


def test_cancelling_a_shift_cancels_its_signups(client_for, lead_a, make_shift, recorded_events):
    shift = make_shift(capacity=1)
    first, second = sign_up(shift, 1), sign_up(shift, 2)

    response = client_for(lead_a).post(f"/api/shifts/{shift.pk}/cancel")

    assert response.json()["status"] == "cancelled"
    assert set(Signup.objects.values_list("status", flat=True)) == {"cancelled"}
    assert recorded_events[-2:] == [("signup.cancelled", first.pk), ("signup.cancelled", second.pk)]


def test_rosters_per_shift_and_per_event(client_for, lead_a, make_event, make_shift):
    event = make_event()
    morning = make_shift(event=event, capacity=1)
    noon = make_shift(event=event, starts_at=event.starts_at + timedelta(hours=2))
    a, b, c = sign_up(morning, 1), sign_up(morning, 2), sign_up(noon, 3)
    client = client_for(lead_a)

    shift_roster = client.get(f"/api/shifts/{morning.pk}/roster").json()
    event_roster = client.get(f"/api/events/{event.pk}/roster").json()

    assert [(e["id"], e["status"], e["position"]) for e in shift_roster] == [
        (a.pk, "confirmed", 1),
        (b.pk, "waitlisted", 2),
    ]
    assert shift_roster[0]["volunteer"] == {
        "id": a.volunteer_id,
        "name": "Volunteer 1",
        "phone_last4": "0101",
        "language": "en",
        "vetted": False,
    }
    assert [e["id"] for e in event_roster] == [a.pk, b.pk, c.pk]


def test_check_in_no_show_and_undo(client_for, lead_a, make_shift):
    shift = make_shift()
    signup = sign_up(shift, 1)
    client = client_for(lead_a)
    url = f"/api/signups/{signup.pk}/attendance"

    attended = client.post(url, {"status": "attended"}, format="json").json()
    no_show = client.post(url, {"status": "no_show"}, format="json").json()
    undone = client.post(url, {"status": "confirmed"}, format="json").json()

    assert attended["status"] == "attended"
    assert attended["checked_in_at"] == "2026-10-01T17:00:00Z"
    assert (no_show["status"], no_show["checked_in_at"]) == ("no_show", None)
    assert undone["status"] == "confirmed"


def test_waitlisted_people_cannot_be_checked_in(client_for, lead_a, make_shift):
    shift = make_shift(capacity=1)
    sign_up(shift, 1)
    waiting = sign_up(shift, 2)

    response = client_for(lead_a).post(
        f"/api/signups/{waiting.pk}/attendance", {"status": "attended"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_markable"


def test_bulk_check_in_is_all_or_nothing(client_for, lead_a, make_event, make_shift):
    event = make_event()
    shift = make_shift(event=event, capacity=2)
    a, b, waiting = sign_up(shift, 1), sign_up(shift, 2), sign_up(shift, 3)
    other_event_signup = sign_up(make_shift(starts_at=event.starts_at + timedelta(days=2)), 4)
    client = client_for(lead_a)
    url = f"/api/events/{event.pk}/attendance"

    refused = client.post(url, {"status": "attended", "signup_ids": [a.pk, waiting.pk]})
    foreign = client.post(url, {"status": "attended", "signup_ids": [a.pk, other_event_signup.pk]})
    done = client.post(url, {"status": "attended", "signup_ids": [a.pk, b.pk]})

    assert refused.status_code == 409
    assert refused.json()["error"]["signup_ids"] == [waiting.pk]
    assert foreign.status_code == 404
    assert foreign.json()["error"]["signup_ids"] == [other_event_signup.pk]
    assert done.status_code == 200
    assert [(e["id"], e["status"]) for e in done.json()] == [(a.pk, "attended"), (b.pk, "attended")]


def test_roster_csv_is_streamed_and_audited(client_for, lead_a, make_event, make_shift):
    event = make_event(starts_at=datetime(2026, 10, 10, 9, tzinfo=CHICAGO))
    shift = make_shift(event=event)
    sign_up(shift, 1, name="=HYPERLINK(evil)")
    sign_up(shift, 2, name="Ana López")

    response = client_for(lead_a).get(f"/api/events/{event.pk}/roster.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response.streaming
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == [
        "signup_id",
        "shift_id",
        "shift_code",
        "role",
        "shift_start_local",
        "shift_end_local",
        "status",
        "position",
        "source",
        "volunteer_id",
        "name",
        "phone_last4",
        "language",
        "signed_up_at_utc",
        "checked_in_at_utc",
    ]
    assert [row[10] for row in rows[1:]] == ["'=HYPERLINK(evil)", "Ana López"]
    assert rows[1][2] == shift.short_code  # what volunteers text with HERE at the site
    assert rows[1][4] == "2026-10-10T09:00:00-05:00"
    assert "+1515" not in content  # no full phone numbers in exports
    audit = AuditEvent.objects.get(action="event.roster_export")
    assert (audit.actor, audit.target_id, audit.details) == (lead_a, str(event.pk), {"signups": 2})


def test_attendance_stats_per_event_and_per_volunteer(client_for, lead_a, make_event, make_shift):
    event = make_event()
    shift = make_shift(event=event, capacity=2)
    a, b, c = sign_up(shift, 1), sign_up(shift, 2), sign_up(shift, 3)
    later = make_shift(starts_at=event.starts_at + timedelta(days=1))
    d = sign_up(later, 1)
    client = client_for(lead_a)
    client.post(f"/api/events/{event.pk}/attendance", {"status": "attended", "signup_ids": [a.pk]})
    client.post(f"/api/signups/{b.pk}/attendance", {"status": "no_show"})
    client.post(
        f"/api/events/{later.event_id}/attendance", {"status": "no_show", "signup_ids": [d.pk]}
    )

    event_stats = client.get(f"/api/events/{event.pk}/stats").json()
    volunteer_stats = client.get(f"/api/volunteers/{a.volunteer_id}/stats").json()

    assert event_stats == {
        "event_id": event.pk,
        "totals": {
            "signups": 3,
            "confirmed": 0,
            "waitlisted": 1,
            "cancelled": 0,
            "attended": 1,
            "no_show": 1,
        },
        "shifts": [
            {
                "shift_id": shift.pk,
                "role": "canvasser",
                "capacity": 2,
                "signups": 3,
                "confirmed": 0,
                "waitlisted": 1,
                "cancelled": 0,
                "attended": 1,
                "no_show": 1,
            }
        ],
    }
    assert volunteer_stats == {
        "volunteer_id": a.volunteer_id,
        "name": "Volunteer 1",
        "totals": {
            "signups": 2,
            "confirmed": 0,
            "waitlisted": 0,
            "cancelled": 0,
            "attended": 1,
            "no_show": 1,
        },
    }
    assert c.status == "waitlisted"


def test_staff_can_sign_someone_up_for_a_private_event(client_for, lead_a, make_event, make_shift):
    shift = make_shift(event=make_event(is_public=False))

    response = client_for(lead_a).post(
        f"/api/shifts/{shift.pk}/signups",
        {"name": "Ana", "phone": phone(1), "sms_consent": False},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["source"]) == ("confirmed", "organizer")


def test_organizers_create_sites_and_field_leads_only_read_them(client_for, organizer, lead_a):
    body = {"name": "Hall", "address": "1 MAIN ST", "city": "AMES", "zip_code": "50010"}

    created = client_for(organizer).post("/api/locations", body, format="json")
    refused = client_for(lead_a).post("/api/locations", body, format="json")
    listed = client_for(lead_a).get("/api/locations")

    assert created.status_code == 201
    assert (created.json()["latitude"], created.json()["needs_review"]) == (None, False)
    assert refused.status_code == 403
    assert [loc["id"] for loc in listed.json()["results"]] == [created.json()["id"]]


def test_placing_a_site_by_hand_clears_the_review_flag(client_for, organizer, make_location):
    site = make_location(latitude=None, longitude=None, needs_review=True, review_reason="vague")

    half = client_for(organizer).patch(
        f"/api/locations/{site.pk}", {"latitude": 41.6}, format="json"
    )
    placed = client_for(organizer).patch(
        f"/api/locations/{site.pk}", {"latitude": 41.6, "longitude": -93.6}, format="json"
    )

    assert half.status_code == 400
    assert list(half.json()["error"]["fields"]) == ["longitude"]
    assert placed.status_code == 200
    assert (placed.json()["needs_review"], placed.json()["review_reason"]) == (False, "")


def test_moving_a_shift_emits_shift_changed(client_for, lead_a, make_shift):
    from events import domain_events

    shift = make_shift()
    seen = []
    domain_events.subscribe(seen.append)
    try:
        new_end = (shift.ends_at + timedelta(minutes=30)).isoformat()
        response = client_for(lead_a).patch(
            f"/api/shifts/{shift.pk}", {"ends_at": new_end, "capacity": 2}, format="json"
        )
    finally:
        domain_events.unsubscribe(seen.append)

    assert response.status_code == 200
    assert [(e.name, e.shift.pk, e.changes) for e in seen] == [
        (
            "shift.changed",
            shift.pk,
            {
                "ends_at": {
                    "old": shift.ends_at.isoformat(),
                    "new": (shift.ends_at + timedelta(minutes=30)).isoformat(),
                }
            },
        )
    ]


def test_rosters_and_event_lists_do_not_grow_queries_with_the_data(
    client_for, lead_a, make_event, make_shift, django_assert_max_num_queries
):
    event = make_event()
    shift = make_shift(event=event, capacity=50)
    client = client_for(lead_a)
    urls = [
        "/api/events",
        f"/api/events/{event.pk}",
        f"/api/events/{event.pk}/roster",
        f"/api/shifts/{shift.pk}/roster",
    ]
    sign_up(shift, 1)
    baseline = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        baseline[url] = len(ctx)
    for n in range(2, 12):
        sign_up(shift, n)
        make_event()
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            client.get(url)


def test_sites_needing_review_can_be_listed(client_for, organizer, make_location):
    fine = make_location(county="Story")
    vague = make_location(county="Story", latitude=None, longitude=None, needs_review=True)
    make_location(county="Polk", needs_review=True)

    response = client_for(organizer).get(
        "/api/locations", {"county": "story", "needs_review": "true"}
    )
    placed = client_for(organizer).get("/api/locations", {"county": "Story", "placed": "true"})

    assert [loc["id"] for loc in response.json()["results"]] == [vague.pk]
    assert [loc["id"] for loc in placed.json()["results"]] == [fine.pk]
