"""Sensitive events: the address never reaches the public or a list; held signups; vetting; the
address texted (real twilio client, fake Twilio) and shown on the manage link only after the
release time, every release audited; refusals for waitlisted and non-vetted volunteers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import resolve
from rest_framework.permissions import AllowAny

from backend.audit.models import AuditEvent
from events.links import manage_token_for
from events.models import (
    Event,
    EventKind,
    Location,
    Shift,
    ShiftRole,
    Signup,
    SignupStatus,
    Volunteer,
)
from messaging.models import SmsKind, SmsMessage, SmsStatus
from messaging.services.dispatch import sms_dispatch_due
from messaging.templates import ADDRESS_PLACEHOLDER, segments
from tests.access.framework import api_patterns
from tests.access.test_access_matrix import ROUTES
from tests.events.helpers import e164, phone
from tests.messaging import conftest as sms_fixtures
from tests.messaging.conftest import FakeTwilio

# The SMS tests' settings (autouse) and fake Twilio server, shared.
sms_settings = sms_fixtures.sms_settings
fake_twilio = sms_fixtures.fake_twilio

# Now: a Tuesday morning in Des Moines (15:00 UTC = 09:00 CST); the shift is on Friday at
# 12:00 CST, so its address is released on Friday at 10:00 CST (16:00 UTC), outside quiet hours.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SHIFT_START = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
RELEASE = SHIFT_START - timedelta(hours=2)

STREET = "1418 SECRET HOLLOW LN"
# Everything of the place except its city: none may appear in a public or list answer.
LEAKS = ("SECRET HOLLOW", "Casa Ramirez", "41.6123", "-93.5876", "Side door", "50316")


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def home(db: None) -> Location:
    return Location.objects.create(
        name="Casa Ramirez",
        address=STREET,
        city="DES MOINES",
        county="Polk",
        zip_code="50316",
        latitude=41.61234,
        longitude=-93.58765,
        accessibility_notes="Side door, ring twice",
    )


@pytest.fixture
def event(team_a: Any, organizer: Any, home: Location) -> Event:
    return Event.objects.create(
        title="Check-in accompaniment",
        kind=EventKind.OTHER,
        location=home,
        starts_at=SHIFT_START,
        ends_at=SHIFT_START + timedelta(hours=3),
        team=team_a,
        is_public=True,
        is_sensitive=True,
        created_by=organizer,
    )


@pytest.fixture
def shift(event: Event) -> Shift:
    return Shift.objects.create(
        event=event,
        role=ShiftRole.OTHER,
        starts_at=SHIFT_START,
        ends_at=SHIFT_START + timedelta(hours=2),
        capacity=1,
    )


@pytest.fixture
def org(client_for: Any, organizer: Any) -> Any:
    return client_for(organizer)


def public_signup(api_client: Any, shift: Shift, n: int, **extra: Any) -> dict[str, Any]:
    response = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups",
        {"name": f"Volunteer {n}", "phone": phone(n), "sms_consent": True, **extra},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def vetted_volunteer(org: Any, api_client: Any, shift: Shift, n: int) -> Signup:
    """Volunteer n, vetted by the organizer (through the API), then signed up: confirmed."""
    volunteer = Volunteer.objects.filter(phone_hash=_hash(n)).first()
    if volunteer is None:
        held = public_signup(api_client, shift, n)
        assert held["signup"]["status"] == "pending"
        response = org.post(f"/api/signups/{held['signup']['id']}/approve")
        assert response.status_code == 200, response.content
        return Signup.objects.get(pk=held["signup"]["id"])
    raise AssertionError("volunteer already exists")


def _hash(n: int) -> str:
    from backend.crypto import keyed_hash

    return keyed_hash(e164(n))


def fill_known(pattern: str, kwargs: dict[str, str]) -> str:
    for name, value in kwargs.items():
        pattern = re.sub(rf"<(\w+:)?{name}>", value, pattern)
    return pattern


def assert_no_leak(body: str, where: str) -> None:
    for leak in LEAKS:
        assert leak not in body, f"{where} shows {leak!r}"


# --- What the public and every list see -----------------------------------------------------


def test_the_public_sees_only_the_city_and_the_time(api_client, shift, event):
    response = api_client.get(f"/api/public/events/{event.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["location"] is None
    assert body["area"] == "DES MOINES"
    assert body["is_sensitive"] is True
    assert body["starts_at"] == "2026-12-04T18:00:00Z"
    assert [s["id"] for s in body["shifts"]] == [shift.pk]
    assert_no_leak(response.content.decode(), "public event")


def test_the_public_calendar_names_only_the_city(api_client, shift, event):
    response = api_client.get(f"/api/public/events/{event.pk}/calendar.ics")

    assert response.status_code == 200
    text = response.content.decode()
    assert "LOCATION:DES MOINES" in text
    assert "GEO:" not in text
    assert_no_leak(text, "public calendar")


def test_a_nearby_search_never_finds_a_sensitive_event(api_client, shift):
    response = api_client.get(
        "/api/public/events/nearby", {"latitude": 41.61, "longitude": -93.58, "radius_km": 5}
    )
    by_zip = api_client.get("/api/public/events/nearby", {"zip": "50316"})

    assert response.status_code == 200
    assert response.json()["count"] == 0
    # Its ZIP has no other site: the centre of the ZIP would be the home itself.
    assert by_zip.status_code == 400
    assert by_zip.json()["error"]["code"] == "unknown_zip"


def test_staff_see_the_address_on_the_event_but_not_in_lists(org, shift, event, home):
    detail = org.get(f"/api/events/{event.pk}")
    listed = org.get("/api/events")
    sites = org.get("/api/locations")

    assert detail.json()["location"]["address"] == STREET
    assert [e["location"] for e in listed.json()["results"] if e["id"] == event.pk] == [None]
    assert home.pk not in [site["id"] for site in sites.json()["results"]]


def _world(org: Any, api_client: Any, shift: Shift, event: Event) -> dict[str, str]:
    """A vetted confirmed volunteer (outbox rows queued), a held one, a waitlisted one."""
    confirmed = vetted_volunteer(org, api_client, shift, 1)
    held = public_signup(api_client, shift, 2)
    # Volunteer 3 is vetted ahead of time and signs up once the shift is full: waitlisted.
    public_signup(
        api_client,
        Shift.objects.create(
            event=event,
            role=ShiftRole.DRIVER,
            starts_at=SHIFT_START + timedelta(hours=2),
            ends_at=SHIFT_START + timedelta(hours=3),
            capacity=5,
        ),
        3,
    )
    volunteer_3 = Volunteer.objects.get(phone_hash=_hash(3))
    assert org.post(f"/api/volunteers/{volunteer_3.pk}/vetting").status_code == 200
    waitlisted = public_signup(api_client, shift, 3)
    assert waitlisted["signup"]["status"] == "waitlisted"
    assert held["signup"]["status"] == "pending"
    return {"token": manage_token_for(confirmed.volunteer), "event": str(event.pk)}


def test_no_public_or_list_route_shows_the_address(
    org, api_client, client_for, lead_a, canvasser_a, shift, event
):
    """Walks every GET route from the URL resolver: every route without URL parameters (the
    lists) as every role, every public route with parameters as the public (the sensitive
    event, the volunteer's manage link before the release time) and the rosters as staff."""
    world = _world(org, api_client, shift, event)
    clients = {
        "anonymous": client_for(None),
        "organizer": org,
        "field_lead": client_for(lead_a),
        "canvasser": client_for(canvasser_a),
    }
    queries = {"api/public/events/nearby": {"latitude": 41.61, "longitude": -93.58}}
    walked = []
    for pattern in api_patterns():
        if "GET" not in ROUTES[pattern].methods:
            continue
        view = resolve("/" + re.sub(r"<(\w+:)?(\w+)>", "1", pattern)).func
        view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
        public = AllowAny in getattr(view_class, "permission_classes", [])
        if "<" not in pattern:
            targets = [(pattern, role) for role in clients]
        elif public or "roster" in pattern:
            kwargs = {"pk": world["event"], "token": world["token"]}
            if pattern.startswith("api/shifts/"):
                kwargs["pk"] = str(shift.pk)
            path = re.sub(r"<(\w+:)?(\w+)>", "1", fill_known(pattern, kwargs))
            targets = [(path, "anonymous" if public else "organizer")]
        else:
            continue
        for path, role in targets:
            response = clients[role].get("/" + path, queries.get(pattern, {}))
            assert response.status_code < 500, (path, role)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert_no_leak(body.decode(), f"GET /{path} as {role}")
            walked.append((path, role, response.status_code))
    ok = {(path, role) for path, role, status in walked if status == 200}
    # The walk reached the routes that matter (and the outbox with its queued texts).
    assert ("api/public/events", "anonymous") in ok
    assert (f"api/public/events/{event.pk}", "anonymous") in ok
    assert (f"api/public/events/{event.pk}/calendar.ics", "anonymous") in ok
    assert (f"api/public/me/{world['token']}", "anonymous") in ok
    assert (f"api/public/me/{world['token']}/calendar.ics", "anonymous") in ok
    assert (f"api/events/{event.pk}/roster", "organizer") in ok
    assert ("api/events", "organizer") in ok
    assert ("api/locations", "organizer") in ok
    assert ("api/sms/messages", "organizer") in ok
    assert ("api/audit-events", "organizer") in ok
    assert SmsMessage.objects.filter(kind=SmsKind.ADDRESS_RELEASE).count() == 1


# --- Held signups, approval, vetting --------------------------------------------------------


def test_a_volunteer_nobody_vetted_is_held_without_a_spot(
    api_client, org, client_for, lead_a, shift, event
):
    held = public_signup(api_client, shift, 1)

    assert held["signup"]["status"] == "pending"
    assert held["signup"]["address"] is None
    signup = Signup.objects.get(pk=held["signup"]["id"])
    assert signup.status == SignupStatus.PENDING
    assert not SmsMessage.objects.filter(signup=signup).exists()
    shifts = api_client.get(f"/api/public/events/{event.pk}").json()["shifts"]
    assert shifts[0]["spots_left"] == 1
    roster = client_for(lead_a).get(f"/api/events/{event.pk}/roster").json()
    assert [(r["id"], r["status"], r["volunteer"]["vetted"]) for r in roster] == [
        (signup.pk, "pending", False)
    ]


def test_approving_vets_and_confirms_by_the_capacity_rules(api_client, org, shift, event):
    first = public_signup(api_client, shift, 1)
    second = public_signup(api_client, shift, 2)

    one = org.post(f"/api/signups/{first['signup']['id']}/approve")
    two = org.post(f"/api/signups/{second['signup']['id']}/approve")

    assert one.status_code == 200 and two.status_code == 200
    assert one.json()["status"] == "confirmed"
    assert one.json()["volunteer"]["vetted"] is True
    # The one spot is taken: the second is placed on the waitlist, after everyone already there.
    assert two.json()["status"] == "waitlisted"
    assert two.json()["position"] > one.json()["position"]
    volunteer = Volunteer.objects.get(pk=one.json()["volunteer"]["id"])
    assert volunteer.vetted_at == NOW
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "target_id"))
    assert ("volunteer.vetted", str(volunteer.pk)) in actions
    assert ("signup.approved", str(first["signup"]["id"])) in actions
    kinds = set(
        SmsMessage.objects.filter(signup_id=first["signup"]["id"]).values_list("kind", flat=True)
    )
    assert {SmsKind.CONFIRMATION, SmsKind.ADDRESS_RELEASE} <= kinds
    assert SmsKind.ADDRESS_RELEASE not in set(
        SmsMessage.objects.filter(signup_id=second["signup"]["id"]).values_list("kind", flat=True)
    )


def test_approval_over_a_full_waitlist_changes_nothing(api_client, org, shift, event):
    shift.waitlist_limit = 0
    shift.save()
    vetted_volunteer(org, api_client, shift, 1)
    held = public_signup(api_client, shift, 2)

    response = org.post(f"/api/signups/{held['signup']['id']}/approve")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "shift_full"
    signup = Signup.objects.select_related("volunteer").get(pk=held["signup"]["id"])
    assert signup.status == SignupStatus.PENDING
    assert signup.volunteer.vetted_at is None


def test_a_vetted_volunteer_is_confirmed_directly(api_client, org, shift, event, make_shift):
    other = make_shift(event=event, starts_at=SHIFT_START + timedelta(hours=2), capacity=3)
    public_signup(api_client, other, 1)
    volunteer = Volunteer.objects.get(phone_hash=_hash(1))

    vet = org.post(f"/api/volunteers/{volunteer.pk}/vetting")
    signed = public_signup(api_client, shift, 1)

    assert vet.json() == {
        "volunteer_id": volunteer.pk,
        "vetted": True,
        "vetted_at": "2026-12-01T15:00:00Z",
    }
    assert signed["signup"]["status"] == "confirmed"
    assert (
        AuditEvent.objects.filter(action="volunteer.vetted", target_id=str(volunteer.pk)).count()
        == 1
    )


def test_declining_a_held_signup(api_client, org, shift):
    held = public_signup(api_client, shift, 1)

    declined = org.post(f"/api/signups/{held['signup']['id']}/decline")
    again = org.post(f"/api/signups/{held['signup']['id']}/decline")
    resubmitted = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups",
        {"name": "Volunteer 1", "phone": phone(1), "sms_consent": True},
        format="json",
    )

    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "signup_not_pending"
    assert resubmitted.json()["signup"]["status"] == "pending"
    assert AuditEvent.objects.filter(action="signup.declined").count() == 1
    assert not SmsMessage.objects.exists()


def test_only_organizers_approve_or_vet(api_client, client_for, lead_a, lead_b, org, shift):
    held = public_signup(api_client, shift, 1)
    volunteer_id = held["signup"]["id"]

    for user in (lead_a, lead_b):
        client = client_for(user)
        assert client.post(f"/api/signups/{volunteer_id}/approve").status_code == 403
        assert client.post(f"/api/signups/{volunteer_id}/decline").status_code == 403
    assert org.post("/api/signups/999999/approve").status_code == 404
    confirmed = org.post(f"/api/signups/{volunteer_id}/approve")
    twice = org.post(f"/api/signups/{volunteer_id}/approve")
    assert confirmed.status_code == 200
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "signup_not_pending"
    assert Signup.objects.get(pk=volunteer_id).status == SignupStatus.CONFIRMED


# --- Releasing the address ------------------------------------------------------------------


def test_the_address_is_texted_at_the_release_time_and_not_before(
    api_client, org, shift, fake_twilio: FakeTwilio, frozen
):
    signup = vetted_volunteer(org, api_client, shift, 1)
    token = manage_token_for(signup.volunteer)
    row = SmsMessage.objects.get(signup=signup, kind=SmsKind.ADDRESS_RELEASE)
    assert row.send_after == RELEASE
    assert STREET not in row.body and ADDRESS_PLACEHOLDER in row.body

    frozen.move_to(RELEASE - timedelta(minutes=1))
    sms_dispatch_due()
    before = api_client.get(f"/api/public/me/{token}").json()["signups"][0]

    assert not any(STREET in text["Body"] for text in fake_twilio.accepted)
    assert before["address"] is None
    assert before["address_release_at"] == "2026-12-04T16:00:00Z"
    assert not AuditEvent.objects.filter(action__startswith="event.address_").exists()

    frozen.move_to(RELEASE + timedelta(minutes=1))
    sms_dispatch_due()
    page = api_client.get(f"/api/public/me/{token}").json()["signups"][0]

    sent = [text for text in fake_twilio.accepted if STREET in text["Body"]]
    assert len(sent) == 1
    assert sent[0]["To"] == e164(1)
    assert sent[0]["Body"].startswith("DontLookAway: Address for Check-in accompaniment")
    assert "Casa Ramirez, 1418 SECRET HOLLOW LN, DES MOINES, IA 50316" in sent[0]["Body"]
    assert segments(sent[0]["Body"]) <= 2
    row.refresh_from_db()
    assert row.status == SmsStatus.SENT
    assert STREET not in row.body  # the outbox never holds the address
    assert page["address"] == "Casa Ramirez, 1418 SECRET HOLLOW LN, DES MOINES, IA 50316"
    released = AuditEvent.objects.get(action="event.address_released")
    assert (released.target_type, released.target_id) == ("events.signup", str(signup.pk))
    assert released.details["channel"] == "sms"
    viewed = AuditEvent.objects.get(action="event.address_viewed")
    assert (viewed.target_id, viewed.details) == (str(signup.pk), {"channel": "manage_link"})
    # A calendar file is copied into phones and clouds: never the address, even now.
    ics = api_client.get(f"/api/public/me/{token}/calendar.ics").content.decode()
    assert STREET not in ics and "LOCATION:DES MOINES" in ics
    # The other texts of a sensitive event name only its city.
    for other in SmsMessage.objects.exclude(kind=SmsKind.ADDRESS_RELEASE):
        assert STREET not in other.body
    assert all(STREET not in t["Body"] for t in fake_twilio.accepted if t is not sent[0])


def test_an_early_shift_gets_its_address_the_evening_before(api_client, org, event, settings):
    # 07:00 CST: two hours before is 05:00, in quiet hours (21:00-08:00).
    early = Shift.objects.create(
        event=event,
        role=ShiftRole.OTHER,
        starts_at=datetime(2026, 12, 4, 13, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 4, 15, 0, tzinfo=UTC),
        capacity=3,
    )
    signup = vetted_volunteer(org, api_client, early, 1)

    row = SmsMessage.objects.get(signup=signup, kind=SmsKind.ADDRESS_RELEASE)
    # 20:45 CST on the evening before: the last quarter hour before quiet hours.
    assert row.send_after == datetime(2026, 12, 4, 2, 45, tzinfo=UTC)


def test_withdrawn_vetting_stops_the_text(api_client, org, shift, fake_twilio, frozen):
    signup = vetted_volunteer(org, api_client, shift, 1)

    assert org.delete(f"/api/volunteers/{signup.volunteer_id}/vetting").json()["vetted"] is False
    frozen.move_to(RELEASE + timedelta(minutes=1))
    sms_dispatch_due()

    row = SmsMessage.objects.get(signup=signup, kind=SmsKind.ADDRESS_RELEASE)
    assert (row.status, row.skip_reason) == (SmsStatus.SKIPPED, "volunteer_not_vetted")
    assert not any(STREET in text["Body"] for text in fake_twilio.accepted)
    page = api_client.get(f"/api/public/me/{manage_token_for(signup.volunteer)}").json()
    assert page["signups"][0]["address"] is None
    assert AuditEvent.objects.filter(action="volunteer.unvetted").count() == 1


def test_an_organizer_releases_the_address_now(api_client, org, shift, fake_twilio):
    signup = vetted_volunteer(org, api_client, shift, 1)

    response = org.post(f"/api/signups/{signup.pk}/address-release")
    sms_dispatch_due()

    assert response.status_code == 202
    assert response.json()["signup_id"] == signup.pk
    assert [t["To"] for t in fake_twilio.accepted if STREET in t["Body"]] == [e164(1)]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"event.address_release_requested", "event.address_released"} <= actions


def test_no_address_for_a_waitlisted_held_or_unvetted_volunteer(
    api_client, org, client_for, lead_a, shift, event, fake_twilio, frozen
):
    vetted_volunteer(org, api_client, shift, 1)
    volunteer_2 = Volunteer.objects.get(
        pk=vetted_volunteer(
            org,
            api_client,
            Shift.objects.create(
                event=event,
                role=ShiftRole.DRIVER,
                starts_at=SHIFT_START + timedelta(hours=2),
                ends_at=SHIFT_START + timedelta(hours=3),
                capacity=5,
            ),
            2,
        ).volunteer_id
    )
    waitlisted = public_signup(api_client, shift, 2)["signup"]
    held = public_signup(api_client, shift, 3)["signup"]
    # A volunteer confirmed before the event was made sensitive is confirmed but not vetted.
    plain = Event.objects.create(
        title="Training",
        kind=EventKind.TRAINING,
        location=event.location,
        starts_at=SHIFT_START + timedelta(days=1),
        ends_at=SHIFT_START + timedelta(days=1, hours=2),
        team=event.team,
    )
    plain_shift = Shift.objects.create(
        event=plain,
        role=ShiftRole.OTHER,
        starts_at=plain.starts_at,
        ends_at=plain.ends_at,
        capacity=5,
    )
    unvetted = public_signup(api_client, plain_shift, 4)["signup"]
    assert unvetted["status"] == "confirmed"
    assert (
        org.patch(f"/api/events/{plain.pk}", {"is_sensitive": True}, format="json").status_code
        == 200
    )
    texts_before = len(fake_twilio.accepted)

    answers = {
        name: org.post(f"/api/signups/{signup_id}/address-release")
        for name, signup_id in (
            ("waitlisted", waitlisted["id"]),
            ("held", held["id"]),
            ("unvetted", unvetted["id"]),
        )
    }
    lead = client_for(lead_a).post(f"/api/signups/{waitlisted['id']}/address-release")
    frozen.move_to(RELEASE + timedelta(minutes=1))
    sms_dispatch_due()

    assert {name: r.status_code for name, r in answers.items()} == {
        "waitlisted": 409,
        "held": 409,
        "unvetted": 409,
    }
    assert {r.json()["error"]["code"] for r in answers.values()} == {"address_not_releasable"}
    assert lead.status_code == 403
    assert not SmsMessage.objects.filter(
        signup_id__in=[waitlisted["id"], held["id"], unvetted["id"]], kind=SmsKind.ADDRESS_RELEASE
    ).exists()
    assert [
        t for t in fake_twilio.accepted[texts_before:] if STREET in t["Body"] and t["To"] != e164(1)
    ] == []
    volunteer_2.refresh_from_db()  # its link generation moved on with each new signup
    page = api_client.get(f"/api/public/me/{manage_token_for(volunteer_2)}").json()
    addresses = {s["id"]: s["address"] for s in page["signups"]}
    assert addresses[waitlisted["id"]] is None
    assert not AuditEvent.objects.filter(action="event.address_release_requested").exists()


# --- Concurrency ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approvals_and_signups_at_once_never_overfill_the_shift(organizer, team_a, home):
    from events.services.sensitive import signup_approve, volunteer_vet
    from events.services.signups import signup_create
    from tests.events.test_concurrency import run_at_once

    sensitive = Event.objects.create(
        title="Legal observers",
        kind=EventKind.OTHER,
        location=home,
        starts_at=SHIFT_START,
        ends_at=SHIFT_START + timedelta(hours=3),
        team=team_a,
        is_sensitive=True,
    )
    spot = Shift.objects.create(
        event=sensitive,
        role=ShiftRole.OTHER,
        starts_at=SHIFT_START,
        ends_at=SHIFT_START + timedelta(hours=2),
        capacity=3,
    )
    held = [
        signup_create(shift_id=spot.pk, name=f"V{n}", phone=phone(n), sms_consent=True).signup
        for n in range(1, 7)
    ]
    for n in range(7, 13):  # vetted ahead: their signups are placed at once
        volunteer_vet(
            actor=organizer,
            volunteer=signup_create(
                shift_id=Shift.objects.create(
                    event=sensitive,
                    role=ShiftRole.DRIVER,
                    starts_at=SHIFT_START + timedelta(hours=2),
                    ends_at=SHIFT_START + timedelta(hours=3),
                    capacity=1,
                ).pk,
                name=f"V{n}",
                phone=phone(n),
                sms_consent=True,
            ).volunteer,
        )

    def work(i: int) -> str:
        if i < 6:
            return signup_approve(actor=organizer, signup_id=held[i].pk).status
        return signup_create(
            shift_id=spot.pk, name=f"V{i + 1}", phone=phone(i + 1), sms_consent=True
        ).signup.status

    results = run_at_once(12, work)

    assert all(isinstance(result, str) for result in results), results
    statuses = list(
        Signup.objects.filter(shift=spot).order_by("position").values_list("status", flat=True)
    )
    assert statuses.count(SignupStatus.CONFIRMED) == 3
    assert statuses.count(SignupStatus.WAITLISTED) == 9
    # Positions follow the lock order: the first three placed are the confirmed ones.
    assert statuses[:3] == [SignupStatus.CONFIRMED] * 3


def test_the_demo_has_a_sensitive_event_and_the_kyr_texts(db, api_client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)

    event = Event.objects.get(is_sensitive=True)
    public = api_client.get(f"/api/public/events/{event.pk}").json()
    assert (public["location"], public["area"]) == (None, "DES MOINES")
    assert "sensitive event: 1 created" in out.getvalue()
    assert "know-your-rights texts: en, es" in out.getvalue()
