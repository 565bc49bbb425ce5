"""Field sessions and check-ins: start, check in (app or text), end ("home safe"); a missed
check-in escalates canvasser -> field leads -> organizers through the real twilio client against
a fake Twilio, on a controlled clock; the duress PIN answers like a normal check-in; locations
are seen by the team's field leads and organizers only and erased at the end."""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from twilio.request_validator import RequestValidator

from backend.accounts.models import Role, User
from backend.crypto import keyed_hash
from canvass.models import (
    FieldSession,
    SafetyEscalation,
    SafetyEscalationText,
    SafetyPin,
    TeamSafetySettings,
    Turf,
    TurfAssignment,
)
from canvass.services.safety import safety_escalations_run
from messaging.models import InboundAction, InboundSms, SmsKind, SmsMessage, SmsOptOut
from messaging.services.dispatch import sms_dispatch_due
from tests.events.helpers import e164
from tests.messaging import conftest as sms_fixtures
from tests.messaging.conftest import AUTH_TOKEN, PUBLIC_BASE_URL

# The SMS tests' fixtures, shared: their settings (autouse) and the fake Twilio.
sms_settings = sms_fixtures.sms_settings
fake_twilio = sms_fixtures.fake_twilio

pytestmark = pytest.mark.django_db

# 06:00 in Iowa (CST): inside quiet hours, which safety texts ignore.
START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CANVASSER, LEAD, ORGANIZER, OTHER_LEAD = 1, 2, 3, 4


def iso(moment: datetime) -> str:
    """As the API renders it: in the server's zone, with the offset."""
    return moment.astimezone(ZoneInfo(django_settings.TIME_ZONE)).isoformat()


def with_phone(user: User, n: int, *, language: str = "en") -> User:
    user.phone, user.phone_hash, user.language = e164(n), keyed_hash(e164(n)), language
    user.safety_texts_consent_at = START - timedelta(days=1)
    user.save()
    return user


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def turf_a(team_a, canvasser_a, lead_a, organizer, lead_b) -> Turf:
    canvasser_a.first_name, canvasser_a.last_name = "Ana", "Lopez"
    with_phone(canvasser_a, CANVASSER)
    with_phone(lead_a, LEAD)
    with_phone(organizer, ORGANIZER)
    with_phone(lead_b, OTHER_LEAD)
    turf = Turf.objects.create(name="A1", team=team_a)
    TurfAssignment.objects.create(
        turf=turf, canvasser=canvasser_a, assigned_by=lead_a, assigned_at=START - timedelta(days=1)
    )
    return turf


@pytest.fixture
def turf_b(team_b, canvasser_b) -> Turf:
    turf = Turf.objects.create(name="B1", team=team_b)
    TurfAssignment.objects.create(
        turf=turf, canvasser=canvasser_b, assigned_at=START - timedelta(days=1)
    )
    return turf


def start(client, turf: Turf, *, hours: float = 3) -> Any:
    return client.post(
        "/api/safety/sessions",
        {"turf": turf.pk, "expected_end_at": iso(START + timedelta(hours=hours))},
        format="json",
    )


def texts(fake) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(number, body) of every text the fake Twilio accepted, in order."""
    return [(message["To"], message["Body"]) for message in fake.accepted]


def dispatch() -> None:
    sms_dispatch_due(batch_size=50, max_batches=5)


def stored_location(session_id: int) -> tuple[str, object]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_location, last_location_at FROM canvass_fieldsession WHERE id = %s",
            [session_id],
        )
        return cursor.fetchone()


# --- Start, check in, end ------------------------------------------------------------------


def test_a_canvasser_starts_checks_in_and_ends_and_no_location_survives(
    clock, client_for, canvasser_a, lead_a, organizer, turf_a, team_a
):
    client = client_for(canvasser_a)

    started = start(client, turf_a)

    assert started.status_code == 201
    session_id = started.json()["id"]
    assert started.json() == {
        "id": session_id,
        "canvasser": {"id": canvasser_a.pk, "username": "canvasser_a"},
        "turf": {"id": turf_a.pk, "name": "A1", "team": team_a.pk},
        "status": "open",
        "started_at": iso(START),
        "expected_end_at": iso(START + timedelta(hours=3)),
        "checkin_interval_minutes": 30,
        "next_checkin_due_at": iso(START + timedelta(minutes=30)),
        "last_checkin_at": iso(START),
        "ended_at": None,
        "last_location": None,
        "open_escalations": [],
    }

    clock.move_to(START + timedelta(minutes=20))
    checked = client.post(
        f"/api/safety/sessions/{session_id}/check-in",
        {"latitude": 41.58681, "longitude": -93.62502},
        format="json",
    )

    assert checked.status_code == 200
    assert checked.json()["last_checkin_at"] == iso(START + timedelta(minutes=20))
    assert checked.json()["next_checkin_due_at"] == iso(START + timedelta(minutes=50))
    assert checked.json()["last_location"] is None, "the canvasser's own answer has no location"
    location = {"latitude": 41.58681, "longitude": -93.62502, "at": iso(clock_now())}
    for watcher in (lead_a, organizer):
        seen = client_for(watcher).get(f"/api/safety/sessions/{session_id}")
        assert seen.status_code == 200 and seen.json()["last_location"] == location
    listed = client_for(lead_a).get("/api/safety/sessions").json()
    assert [row["id"] for row in listed["results"]] == [session_id]
    assert listed["results"][0]["last_location"] == location
    raw, _ = stored_location(session_id)
    assert raw and "41.58" not in raw, "encrypted at rest"

    clock.move_to(START + timedelta(minutes=45))
    ended = client.post(f"/api/safety/sessions/{session_id}/end", {}, format="json")

    assert ended.status_code == 200
    assert (ended.json()["status"], ended.json()["ended_at"]) == ("ended", iso(clock_now()))
    assert ended.json()["next_checkin_due_at"] is None
    assert stored_location(session_id) == ("", None)
    after = client_for(lead_a).get(f"/api/safety/sessions/{session_id}").json()
    assert (after["status"], after["last_location"]) == ("ended", None)
    assert client_for(lead_a).get("/api/safety/sessions").json()["results"] == []
    assert SafetyEscalation.objects.count() == 0
    again = client.post(f"/api/safety/sessions/{session_id}/check-in", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "session_ended"


def clock_now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def test_a_session_on_turf_not_assigned_is_refused_and_nothing_is_stored(
    clock, client_for, canvasser_a, turf_a, turf_b, team_a
):
    unassigned = Turf.objects.create(name="A2", team=team_a)
    client = client_for(canvasser_a)

    for turf in (turf_b, unassigned):
        response = start(client, turf)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "turf_not_assigned"
        assert "turf" in response.json()["error"]["fields"]
    missing = client.post(
        "/api/safety/sessions",
        {"turf": 999999, "expected_end_at": iso(START + timedelta(hours=1))},
        format="json",
    )
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "turf_not_assigned"
    TurfAssignment.objects.filter(turf=turf_a).update(unassigned_at=START - timedelta(hours=1))
    assert start(client, turf_a).status_code == 400
    assert FieldSession.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expected_end_at": "2026-12-03T15:00:00Z"}, "turf"),
        ({"turf": "x", "expected_end_at": "2026-12-03T15:00:00Z"}, "turf"),
        ({"turf": "TURF", "expected_end_at": "2026-12-03T15:00:00"}, "expected_end_at"),
        ({"turf": "TURF", "expected_end_at": "2026-12-03T11:00:00Z"}, "expected_end_at"),
        ({"turf": "TURF", "expected_end_at": "2026-12-04T05:00:00Z"}, "expected_end_at"),
        ({"turf": "TURF", "expected_end_at": "soon"}, "expected_end_at"),
        ({"turf": "TURF"}, "expected_end_at"),
    ],
)
def test_a_bad_start_is_a_400_naming_the_field(clock, client_for, canvasser_a, turf_a, body, field):
    body = {key: turf_a.pk if value == "TURF" else value for key, value in body.items()}

    response = client_for(canvasser_a).post("/api/safety/sessions", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert FieldSession.objects.count() == 0


def test_a_second_open_session_is_a_409(clock, client_for, canvasser_a, turf_a):
    client = client_for(canvasser_a)
    assert start(client, turf_a).status_code == 201

    response = start(client, turf_a)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_already_open"
    assert FieldSession.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"latitude": 41.5}, "longitude"),
        ({"longitude": -93.6}, "latitude"),
        ({"latitude": 91, "longitude": -93.6}, "latitude"),
        ({"latitude": 41.5, "longitude": -181}, "longitude"),
        ({"latitude": "north", "longitude": -93.6}, "latitude"),
        ({"pin": 1234}, "pin"),
        ({"pin": "1234567890123"}, "pin"),
    ],
)
def test_a_bad_check_in_is_a_400_naming_the_field_and_records_nothing(
    clock, client_for, canvasser_a, turf_a, body, field
):
    client = client_for(canvasser_a)
    session_id = start(client, turf_a).json()["id"]
    clock.move_to(START + timedelta(minutes=10))

    response = client.post(f"/api/safety/sessions/{session_id}/check-in", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    session = FieldSession.objects.get()
    assert (session.last_checkin_at, session.last_location) == (START, "")


def test_nobody_checks_in_or_ends_someone_elses_session(
    clock, client_for, canvasser_a, canvasser_b, lead_a, organizer, lead_b, turf_a
):
    session_id = start(client_for(canvasser_a), turf_a).json()["id"]
    clock.move_to(START + timedelta(minutes=10))

    for user in (canvasser_b, lead_a, organizer, lead_b):
        client = client_for(user)
        check_in = client.post(
            f"/api/safety/sessions/{session_id}/check-in",
            {"latitude": 1.0, "longitude": 2.0},
            format="json",
        )
        end = client.post(f"/api/safety/sessions/{session_id}/end", {}, format="json")
        assert (check_in.status_code, end.status_code) == (404, 404), user.username

    session = FieldSession.objects.get()
    assert (session.status, session.last_checkin_at, session.last_location) == ("open", START, "")
    assert client_for(lead_b).get(f"/api/safety/sessions/{session_id}").status_code == 404
    assert client_for(canvasser_b).get(f"/api/safety/sessions/{session_id}").status_code == 404
    escalations = f"/api/safety/sessions/{session_id}/escalations"
    assert client_for(lead_b).get(escalations).status_code == 404
    assert client_for(lead_b).get("/api/safety/sessions").json()["results"] == []


# --- Team interval --------------------------------------------------------------------------


def test_a_field_lead_sets_their_teams_interval_within_bounds(
    clock, client_for, lead_a, lead_b, canvasser_a, team_a, turf_a
):
    path = f"/api/safety/teams/{team_a.pk}"
    assert client_for(lead_a).get(path).json() == {
        "team": team_a.pk,
        "checkin_interval_minutes": 30,
        "is_default": True,
    }

    response = client_for(lead_a).put(path, {"checkin_interval_minutes": 15}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "team": team_a.pk,
        "checkin_interval_minutes": 15,
        "is_default": False,
    }
    for bad in (4, 241, "15", None):
        refused = client_for(lead_a).put(path, {"checkin_interval_minutes": bad}, format="json")
        assert refused.status_code == 400
        assert "checkin_interval_minutes" in refused.json()["error"]["fields"]
    assert (
        client_for(lead_b).put(path, {"checkin_interval_minutes": 60}, format="json").status_code
        == 404
    )
    assert (
        client_for(canvasser_a)
        .put(path, {"checkin_interval_minutes": 60}, format="json")
        .status_code
        == 403
    )
    assert TeamSafetySettings.objects.get().checkin_interval_minutes == 15
    session = start(client_for(canvasser_a), turf_a).json()
    assert session["checkin_interval_minutes"] == 15
    assert session["next_checkin_due_at"] == iso(START + timedelta(minutes=15))


def test_the_expected_end_is_a_deadline_too(clock, client_for, canvasser_a, turf_a):
    session = start(client_for(canvasser_a), turf_a, hours=0.25).json()

    assert session["next_checkin_due_at"] == iso(START + timedelta(minutes=15))


# --- Escalation -----------------------------------------------------------------------------


def test_a_missed_check_in_escalates_canvasser_then_lead_then_organizers_then_resolves(
    clock, client_for, canvasser_a, lead_a, organizer, turf_a, fake_twilio, settings
):
    client = client_for(canvasser_a)
    session_id = start(client, turf_a).json()["id"]
    client.post(
        f"/api/safety/sessions/{session_id}/check-in",
        {"latitude": 41.58681, "longitude": -93.62502},
        format="json",
    )
    deadline = START + timedelta(minutes=30)

    clock.move_to(deadline - timedelta(seconds=1))
    assert safety_escalations_run().as_dict() == {"sessions": 0, "steps": {}}

    clock.move_to(deadline)
    assert safety_escalations_run().steps == {"canvasser": 1}
    dispatch()
    assert texts(fake_twilio) == [
        (
            e164(CANVASSER),
            "DontLookAway safety: Check-in due at 6:30 AM. Reply OK if you are safe, or check in "
            "in the app.",
        )
    ]

    clock.move_to(deadline + timedelta(minutes=4, seconds=59))
    assert safety_escalations_run().steps == {}
    clock.move_to(deadline + timedelta(minutes=5))
    assert safety_escalations_run().steps == {"field_lead": 1}
    dispatch()
    missed = (
        "Ana Lopez missed a check-in due 6:30 AM on turf A1. Last check-in 6:00 AM. Last "
        "location 41.58681,-93.62502 at 6:00 AM."
    )
    assert texts(fake_twilio)[1:] == [(e164(LEAD), f"DontLookAway SAFETY ALERT: {missed}")]

    clock.move_to(deadline + timedelta(minutes=10))
    assert safety_escalations_run().steps == {"organizer": 1}
    assert safety_escalations_run().steps == {}, "a second run sends nothing again"
    dispatch()
    assert texts(fake_twilio)[2:] == [(e164(ORGANIZER), f"DontLookAway SAFETY ALERT: {missed}")]
    assert all(number != e164(OTHER_LEAD) for number, _ in texts(fake_twilio))

    recorded = client_for(lead_a).get(f"/api/safety/sessions/{session_id}/escalations").json()
    assert [(row["step"], row["deadline"], row["created_at"]) for row in recorded] == [
        ("canvasser", iso(deadline), iso(deadline)),
        ("field_lead", iso(deadline), iso(deadline + timedelta(minutes=5))),
        ("organizer", iso(deadline), iso(deadline + timedelta(minutes=10))),
    ]
    outbox = {m.pk: m.user_id for m in SmsMessage.objects.all()}
    assert [
        [(t["recipient"]["id"], outbox[t["outbox_message_id"]]) for t in row["texts"]]
        for row in recorded
    ] == [
        [(canvasser_a.pk, canvasser_a.pk)],
        [(lead_a.pk, lead_a.pk)],
        [(organizer.pk, organizer.pk)],
    ]
    watched = client_for(lead_a).get(f"/api/safety/sessions/{session_id}").json()
    assert watched["open_escalations"] == ["canvasser", "field_lead", "organizer"]
    own = client.get(f"/api/safety/sessions/{session_id}").json()
    assert own["open_escalations"] == []

    clock.move_to(deadline + timedelta(minutes=12))
    checked = client.post(f"/api/safety/sessions/{session_id}/check-in", {}, format="json")

    assert checked.status_code == 200
    assert checked.json()["next_checkin_due_at"] == iso(deadline + timedelta(minutes=42))
    dispatch()
    resolved = "DontLookAway SAFETY ALERT: Ana Lopez checked in at 6:42 AM (turf A1)."
    assert texts(fake_twilio)[3:] == [(e164(LEAD), resolved), (e164(ORGANIZER), resolved)]
    assert not SafetyEscalation.objects.filter(resolved_at__isnull=True).exists()
    assert (
        client_for(lead_a).get(f"/api/safety/sessions/{session_id}").json()["open_escalations"]
        == []
    )
    clock.move_to(deadline + timedelta(minutes=20))
    assert safety_escalations_run().steps == {}


def test_a_check_in_before_the_grace_period_tells_no_field_lead(
    clock, client_for, canvasser_a, turf_a, fake_twilio
):
    client = client_for(canvasser_a)
    session_id = start(client, turf_a).json()["id"]
    clock.move_to(START + timedelta(minutes=31))
    safety_escalations_run()

    client.post(f"/api/safety/sessions/{session_id}/check-in", {}, format="json")
    clock.move_to(START + timedelta(minutes=45))
    safety_escalations_run()
    dispatch()

    assert [number for number, _ in texts(fake_twilio)] == [e164(CANVASSER)]
    assert list(SafetyEscalation.objects.values_list("step", flat=True)) == ["canvasser"]


def test_a_field_lead_without_a_number_is_recorded_as_skipped(
    clock, client_for, canvasser_a, lead_a, turf_a, fake_twilio
):
    lead_a.phone, lead_a.phone_hash, lead_a.safety_texts_consent_at = "", "", None
    lead_a.save()
    start(client_for(canvasser_a), turf_a)
    clock.move_to(START + timedelta(minutes=35))

    safety_escalations_run()
    dispatch()

    text = SafetyEscalationText.objects.get(escalation__step="field_lead")
    message = SmsMessage.objects.get(pk=text.outbox_message_id)
    assert (text.recipient_id, message.status, message.skip_reason) == (
        lead_a.pk,
        "skipped",
        "no_consent",
    )
    assert [number for number, _ in texts(fake_twilio)] == [e164(CANVASSER)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_the_same_escalation_step_twice(
    team_a, lead_a, organizer, fake_twilio
):
    with_phone(lead_a, LEAD)
    with_phone(organizer, ORGANIZER)
    sessions = []
    for n in range(12):
        canvasser = User.objects.create_user(
            username=f"walker{n}", password="x-Pass-2026!", role=Role.CANVASSER
        )
        with_phone(canvasser, 10 + n)
        turf = Turf.objects.create(name=f"T{n}", team=team_a)
        sessions.append(
            FieldSession.objects.create(
                canvasser=canvasser,
                turf=turf,
                started_at=START,
                expected_end_at=START + timedelta(hours=3),
                checkin_interval_minutes=30,
                next_checkin_due_at=START + timedelta(minutes=30),
                last_checkin_at=START,
            )
        )
    barrier = threading.Barrier(2)
    reports = []

    def worker() -> None:
        try:
            barrier.wait()
            reports.append(safety_escalations_run(batch_size=5))
            reports.append(safety_escalations_run(batch_size=5))
            reports.append(safety_escalations_run(batch_size=5))
        finally:
            connection.close()

    with time_machine.travel(START + timedelta(minutes=45), tick=False):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sms_dispatch_due(batch_size=50, max_batches=5)

    steps = Counter(SafetyEscalation.objects.values_list("session_id", "step").order_by())
    assert len(steps) == 36 and max(steps.values()) == 1
    assert sum(sum(report.steps.values()) for report in reports) == 36
    assert SafetyEscalationText.objects.count() == 36
    per_number = Counter(number for number, _ in texts(fake_twilio))
    assert per_number[e164(LEAD)] == 12 and per_number[e164(ORGANIZER)] == 12
    assert all(per_number[e164(10 + n)] == 1 for n in range(12))
    assert len(fake_twilio.accepted) == 36


# --- The duress PIN -------------------------------------------------------------------------

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def neutral(content: bytes, session_id: int) -> bytes:
    """The body with its timestamps and its session id blanked."""
    text = TIMESTAMP.sub("T", content.decode())
    return text.replace(f'"id":{session_id},', '"id":0,', 1).encode()


def set_pins(client, duress: str = "9111", all_clear: str = "") -> Any:
    body = {"duress_pin": duress, **({"all_clear_pin": all_clear} if all_clear else {})}
    return client.put("/api/me/safety-pin", body, format="json")


@pytest.mark.parametrize("all_clear", ["", "2468"])
@pytest.mark.parametrize("action", ["check-in", "end"])
def test_the_duress_pin_answers_exactly_like_a_normal_one_and_alerts_the_leads_at_once(
    clock, client_for, canvasser_a, turf_a, fake_twilio, action, all_clear
):
    client = client_for(canvasser_a)
    assert set_pins(client, all_clear=all_clear).status_code == 200
    normal_pin = {"pin": all_clear} if all_clear else {}
    body = {"latitude": 41.6, "longitude": -93.6} if action == "check-in" else {}

    answers = []
    for pin in (normal_pin, {"pin": "9111"}):
        clock.move_to(START)
        session_id = start(client, turf_a).json()["id"]
        clock.move_to(START + timedelta(minutes=7))
        response = client.post(
            f"/api/safety/sessions/{session_id}/{action}", {**body, **pin}, format="json"
        )
        answers.append((response.status_code, neutral(response.content, session_id), response))
        dispatch()
        if action == "check-in":
            client.post(f"/api/safety/sessions/{session_id}/end", normal_pin, format="json")

    (normal_status, normal_body, normal), (duress_status, duress_body, duress) = answers
    assert (normal_status, duress_status) == (200, 200)
    assert normal_body == duress_body
    assert normal["Content-Type"] == duress["Content-Type"]
    assert sorted(k for k in normal.headers if k.lower() != "date") == sorted(
        k for k in duress.headers if k.lower() != "date"
    )
    where = " Last location 41.60000,-93.60000 at 6:07 AM." if action == "check-in" else ""
    alert = (
        f"DontLookAway SAFETY ALERT: Ana Lopez used the duress PIN at 6:07 AM on turf A1.{where} "
        "Do not call or text them: go or send help."
    )
    assert texts(fake_twilio) == [(e164(LEAD), alert), (e164(ORGANIZER), alert)]
    assert SafetyEscalation.objects.filter(step="duress").count() == 1


def test_pins_are_stored_hashed_and_bad_pins_are_refused(clock, client_for, canvasser_a, turf_a):
    client = client_for(canvasser_a)
    assert client.get("/api/me/safety-pin").json() == {
        "duress_pin_set": False,
        "all_clear_pin_set": False,
    }
    for bad, field in [
        ({"duress_pin": "12"}, "duress_pin"),
        ({"duress_pin": "123456789"}, "duress_pin"),
        ({"duress_pin": "12a4"}, "duress_pin"),
        ({"duress_pin": 1234}, "duress_pin"),
        ({}, "duress_pin"),
        ({"duress_pin": "1234", "all_clear_pin": "1234"}, "all_clear_pin"),
        ({"duress_pin": "1234", "all_clear_pin": "99"}, "all_clear_pin"),
    ]:
        response = client.put("/api/me/safety-pin", bad, format="json")
        assert response.status_code == 400, bad
        assert field in response.json()["error"]["fields"], bad
    assert not SafetyPin.objects.exists()

    assert set_pins(client, "9111", "2468").json() == {
        "duress_pin_set": True,
        "all_clear_pin_set": True,
    }
    pins = SafetyPin.objects.get()
    assert "9111" not in pins.duress_pin_hash and "2468" not in pins.all_clear_pin_hash
    assert pins.duress_pin_hash.startswith(("pbkdf2", "md5", "argon2", "bcrypt"))

    session_id = start(client, turf_a).json()["id"]
    clock.move_to(START + timedelta(minutes=5))
    for body in ({}, {"pin": ""}, {"pin": "0000"}):
        response = client.post(f"/api/safety/sessions/{session_id}/check-in", body, format="json")
        assert response.status_code == 400 and response.json()["error"]["code"] == "wrong_pin"
        assert "pin" in response.json()["error"]["fields"]
    ended = client.post(f"/api/safety/sessions/{session_id}/end", {"pin": "1111"}, format="json")
    assert ended.status_code == 400
    session = FieldSession.objects.get()
    assert (session.status, session.last_checkin_at) == ("open", START)
    assert (
        client.post(
            f"/api/safety/sessions/{session_id}/check-in", {"pin": "2468"}, format="json"
        ).status_code
        == 200
    )

    assert client.delete("/api/me/safety-pin").status_code == 204
    assert not SafetyPin.objects.exists()
    assert (
        client.post(f"/api/safety/sessions/{session_id}/check-in", {}, format="json").status_code
        == 200
    )


# --- Check-ins by text ----------------------------------------------------------------------


def inbound(client, body: str, *, sid: str, number: int = CANVASSER) -> Any:
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": e164(number),
        "To": "+15155550100",
        "Body": body,
        "NumMedia": "0",
    }
    path = "/api/sms/inbound"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, params)
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def test_a_text_checks_in_and_another_ends_the_session(
    clock, api_client, client_for, canvasser_a, turf_a, fake_twilio
):
    session_id = start(client_for(canvasser_a), turf_a).json()["id"]
    clock.move_to(START + timedelta(minutes=10))

    assert inbound(api_client, " ok! ", sid="SM1").status_code == 200

    session = FieldSession.objects.get()
    assert session.last_checkin_at == START + timedelta(minutes=10)
    assert InboundSms.objects.get(message_sid="SM1").action == InboundAction.CHECKED_IN
    dispatch()
    assert texts(fake_twilio) == [
        (
            e164(CANVASSER),
            "DontLookAway safety: Checked in at 6:10 AM. Next check-in due 6:40 AM.",
        )
    ]

    clock.move_to(START + timedelta(minutes=20))
    inbound(api_client, "Casa", sid="SM2")

    session.refresh_from_db()
    assert (session.status, session.ended_at) == ("ended", START + timedelta(minutes=20))
    dispatch()
    assert texts(fake_twilio)[1:] == [
        (e164(CANVASSER), "DontLookAway safety: Session ended at 6:20 AM. Glad you are home safe.")
    ]
    assert (
        client_for(canvasser_a).get(f"/api/safety/sessions/{session_id}").json()["status"]
        == "ended"
    )


def test_a_duress_pin_by_text_answers_like_a_normal_one_and_is_not_stored(
    clock, api_client, client_for, canvasser_a, turf_a, fake_twilio
):
    set_pins(client_for(canvasser_a), "9111", "2468")
    start(client_for(canvasser_a), turf_a)
    clock.move_to(START + timedelta(minutes=10))

    inbound(api_client, "OK 2468", sid="SM1")
    dispatch()
    clock.move_to(START + timedelta(minutes=10))
    inbound(api_client, "ok 9111", sid="SM2")
    dispatch()

    replies = [body for number, body in texts(fake_twilio) if number == e164(CANVASSER)]
    assert replies[0] == replies[1]
    alerts = [number for number, body in texts(fake_twilio) if "duress" in body]
    assert alerts == [e164(LEAD), e164(ORGANIZER)]
    assert [i.body for i in InboundSms.objects.order_by("id")] == ["OK", "OK"]

    inbound(api_client, "OK 5555", sid="SM3")
    inbound(api_client, "OK", sid="SM4")
    dispatch()
    assert FieldSession.objects.get().last_checkin_at == START + timedelta(minutes=10)
    wrong = "DontLookAway safety: PIN not recognized: nothing recorded. Reply OK and your PIN."
    assert [body for number, body in texts(fake_twilio)][-2:] == [wrong, wrong]


def test_stop_from_a_canvasser_in_session_opts_out_and_is_not_a_check_in(
    clock, api_client, client_for, canvasser_a, turf_a, fake_twilio
):
    start(client_for(canvasser_a), turf_a)
    clock.move_to(START + timedelta(minutes=10))

    inbound(api_client, "STOP", sid="SM1")

    assert InboundSms.objects.get().action == InboundAction.OPTED_OUT
    assert SmsOptOut.objects.filter(phone_hash=keyed_hash(e164(CANVASSER))).exists()
    assert FieldSession.objects.get().last_checkin_at == START
    clock.move_to(START + timedelta(minutes=30))
    safety_escalations_run()
    dispatch()
    due = SmsMessage.objects.get(kind=SmsKind.CHECKIN_DUE)
    assert (due.status, due.skip_reason) == ("skipped", "opted_out")
    assert texts(fake_twilio) == []


def test_ok_from_a_number_without_an_open_session_is_left_to_the_other_handlers(
    clock, api_client, canvasser_a, turf_a
):
    inbound(api_client, "OK", sid="SM1")

    assert InboundSms.objects.get().action != InboundAction.CHECKED_IN
    assert FieldSession.objects.count() == 0


def test_a_session_nobody_ended_keeps_no_location_past_retention(
    clock, client_for, canvasser_a, turf_a, settings
):
    from backend.privacy.services import retention_purge

    client = client_for(canvasser_a)
    session_id = start(client, turf_a).json()["id"]
    client.post(
        f"/api/safety/sessions/{session_id}/check-in",
        {"latitude": 41.6, "longitude": -93.6},
        format="json",
    )

    retention_purge(now=START + timedelta(days=settings.RETENTION_DAYS - 1))
    assert stored_location(session_id)[1] is not None
    results = retention_purge(now=START + timedelta(days=settings.RETENTION_DAYS + 1))

    assert results["canvass-field-session-locations"] == {"field_session_locations": 1}
    assert stored_location(session_id) == ("", None)
    assert FieldSession.objects.get().status == "open"


def test_a_field_lead_walking_turf_never_sees_their_own_alerts(
    clock, client_for, lead_a, canvasser_a, organizer, turf_a, fake_twilio
):
    TurfAssignment.objects.create(turf=turf_a, canvasser=lead_a, assigned_at=START)
    client = client_for(lead_a)
    set_pins(client, "9111")
    session_id = start(client, turf_a).json()["id"]

    answer = client.post(
        f"/api/safety/sessions/{session_id}/check-in",
        {"latitude": 41.6, "longitude": -93.6, "pin": "9111"},
        format="json",
    )

    assert (answer.json()["last_location"], answer.json()["open_escalations"]) == (None, [])
    assert client.get(f"/api/safety/sessions/{session_id}/escalations").status_code == 404
    assert client.get("/api/safety/sessions").json()["results"][0]["open_escalations"] == []
    dispatch()
    assert [number for number, _ in texts(fake_twilio)] == [e164(ORGANIZER)]
    seen = client_for(organizer).get(f"/api/safety/sessions/{session_id}").json()
    assert seen["open_escalations"] == ["duress"]


def test_each_duress_check_in_alerts_even_when_two_share_a_deadline(
    clock, client_for, canvasser_a, turf_a, fake_twilio
):
    client = client_for(canvasser_a)
    set_pins(client, "9111")
    session_id = start(client, turf_a, hours=0.5).json()["id"]

    for minute in (10, 12):
        clock.move_to(START + timedelta(minutes=minute))
        answer = client.post(
            f"/api/safety/sessions/{session_id}/check-in", {"pin": "9111"}, format="json"
        )
        assert answer.json()["next_checkin_due_at"] == iso(START + timedelta(minutes=30))
    dispatch()

    assert [number for number, _ in texts(fake_twilio)] == [e164(LEAD), e164(ORGANIZER)] * 2


def test_the_session_list_costs_the_same_queries_for_one_session_or_many(
    clock, client_for, lead_a, team_a, turf_a, canvasser_a
):
    from django.test.utils import CaptureQueriesContext

    def add_sessions(count: int) -> None:
        for n in range(count):
            walker = User.objects.create_user(username=f"w{n}-{count}", role=Role.CANVASSER)
            FieldSession.objects.create(
                canvasser=walker,
                turf=turf_a,
                started_at=START,
                expected_end_at=START + timedelta(hours=1),
                checkin_interval_minutes=30,
                next_checkin_due_at=START + timedelta(minutes=30),
                last_checkin_at=START,
                last_location="41.6,-93.6",
                last_location_at=START,
            )

    client = client_for(lead_a)
    add_sessions(1)
    client.get("/api/safety/sessions")  # the token's first use of the day records itself once
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/safety/sessions").json()["results"]) == 1
    add_sessions(6)
    with CaptureQueriesContext(connection) as seven:
        rows = client.get("/api/safety/sessions").json()["results"]

    assert len(rows) == 7 and all(row["last_location"] for row in rows)
    assert len(seven.captured_queries) == len(one.captured_queries)
