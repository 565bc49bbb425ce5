"""Know-your-rights texts: organizers keep them per language (two SMS segments at most);
canvassers send one at the door on the person's explicit request, through the real twilio
client against a fake Twilio; the number is never stored (not even hashed), anywhere; the send
counts only per day, language and team."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import connection

from backend.audit.models import AuditEvent
from backend.crypto import EncryptedTextField, keyed_hash
from messaging.models import KnowYourRightsSendCount, KnowYourRightsText, SmsMessage, SmsOptOut
from messaging.templates import segments
from tests.messaging.conftest import FakeTwilio

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 09:00 in Des Moines
NUMBER = "(515) 555-0177"
E164 = "+15155550177"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def send_body(**extra: Any) -> dict[str, Any]:
    return {"language": "es", "phone": NUMBER, "requested_by_recipient": True, **extra}


def places_holding(*needles: str) -> list[str]:
    """Every table and column (every column of every table, cast to text; and every encrypted
    column decrypted through its model) where one of `needles` appears."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                name = connection.ops.quote_name(column.name)
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "
                        f"WHERE CAST({name} AS TEXT) LIKE %s",
                        [f"%{needle}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.append(f"{table}.{column.name}")
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                for value in model.objects.values_list(field.attname, flat=True):
                    if any(needle in (value or "") for needle in needles):
                        found.append(f"{model._meta.db_table}.{field.column} (decrypted)")
    return found


# --- The texts ------------------------------------------------------------------------------


def test_english_and_spanish_are_seeded_and_canvassers_read_them(client_for, canvasser_a):
    response = client_for(canvasser_a).get("/api/kyr/texts")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["language"] for row in rows] == ["en", "es"]
    assert rows[1]["body"].startswith("Conozca sus derechos")
    assert all(1 <= row["segments"] <= 2 for row in rows)
    assert all(segments(row["body"]) == row["segments"] for row in rows)


def test_an_organizer_adds_a_language_within_two_segments(client_for, organizer):
    client = client_for(organizer)
    body = "Biet quyen cua ban: Ban co quyen im lang. Dung mo cua neu khong co lenh cua toa an."

    created = client.put("/api/kyr/texts/vi", {"body": body}, format="json")
    replaced = client.put("/api/kyr/texts/vi", {"body": body + " Goi luat su."}, format="json")

    assert created.status_code == 201
    assert created.json() == {
        "language": "vi",
        "body": body,
        "segments": 1,
        "updated_at": "2026-12-01T15:00:00Z",
    }
    assert replaced.status_code == 200
    text = KnowYourRightsText.objects.get(language="vi")
    assert text.body.endswith("Goi luat su.") and text.updated_by == organizer
    assert AuditEvent.objects.filter(action="kyr.text_saved").count() == 2


@pytest.mark.parametrize(
    ("language", "body", "field"),
    [
        ("fr", "x" * 307, "body"),  # three GSM-7 segments
        ("fr", "é" * 10 + "ő" * 130, "body"),  # UCS-2: 70 characters a segment
        ("fr", "   ", "body"),
        ("Klingon!", "Short text.", "language"),
    ],
)
def test_a_bad_text_is_refused_naming_the_field(client_for, organizer, language, body, field):
    response = client_for(organizer).put(
        f"/api/kyr/texts/{language}", {"body": body}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not KnowYourRightsText.objects.filter(language__in=["fr", "klingon!"]).exists()


def test_only_organizers_write_texts(client_for, lead_a, canvasser_a):
    for user in (lead_a, canvasser_a):
        response = client_for(user).put("/api/kyr/texts/en", {"body": "Changed."}, format="json")
        assert response.status_code == 403
    assert KnowYourRightsText.objects.get(language="en").body.startswith("Know your rights")


# --- Sending at the door --------------------------------------------------------------------


def test_a_canvasser_sends_one_and_the_number_is_kept_nowhere(
    client_for, canvasser_a, team_a, fake_twilio: FakeTwilio
):
    response = client_for(canvasser_a).post("/api/kyr/send", send_body(), format="json")

    assert response.status_code == 200
    assert response.json() == {
        "language": "es",
        "segments": 2,
        "detail": "Sent. The number was not kept.",
    }
    (sent,) = fake_twilio.accepted
    assert sent["To"] == E164
    assert sent["Body"] == KnowYourRightsText.objects.get(language="es").body
    assert "StatusCallback" not in sent  # the provider never reports the number back
    assert list(
        KnowYourRightsSendCount.objects.values_list("day", "language", "team", "count")
    ) == [(date(2026, 12, 1), "es", team_a.pk, 1)]
    assert places_holding(E164, "5155550177", "555-0177", keyed_hash(E164)) == []
    assert not SmsMessage.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="kyr.send").exists()


def test_sends_count_per_day_language_and_team(
    client_for, canvasser_a, lead_a, canvasser_b, team_a, team_b, fake_twilio, frozen
):
    client_for(canvasser_a).post("/api/kyr/send", send_body(), format="json")
    client_for(lead_a).post("/api/kyr/send", send_body(), format="json")
    client_for(canvasser_b).post("/api/kyr/send", send_body(language="en"), format="json")
    frozen.move_to(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    client_for(canvasser_a).post("/api/kyr/send", send_body(), format="json")

    assert len(fake_twilio.accepted) == 4
    assert set(KnowYourRightsSendCount.objects.values_list("day", "language", "team", "count")) == {
        (date(2026, 12, 1), "es", team_a.pk, 2),
        (date(2026, 12, 1), "en", team_b.pk, 1),
        (date(2026, 12, 2), "es", team_a.pk, 1),
    }


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (send_body(requested_by_recipient=False), 400, "requested_by_recipient"),
        ({"language": "es", "phone": NUMBER}, 400, "requested_by_recipient"),
        (send_body(requested_by_recipient="yes please"), 400, "requested_by_recipient"),
        (send_body(phone="not a number"), 400, "phone"),
        (send_body(phone="(515) 555-01"), 400, "phone"),
        (send_body(language="xx"), 404, None),
    ],
)
def test_bad_input_sends_nothing(client_for, canvasser_a, fake_twilio, body, status, field):
    response = client_for(canvasser_a).post("/api/kyr/send", body, format="json")

    assert response.status_code == status
    if field:
        assert field in response.json()["error"]["fields"]
    assert fake_twilio.accepted == []
    assert not KnowYourRightsSendCount.objects.exists()


def test_an_opted_out_number_is_refused(client_for, canvasser_a, fake_twilio):
    SmsOptOut.objects.create(phone_hash=keyed_hash(E164), reason="keyword", opted_out_at=NOW)

    response = client_for(canvasser_a).post("/api/kyr/send", send_body(), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "recipient_opted_out"
    assert fake_twilio.accepted == []
    assert not KnowYourRightsSendCount.objects.exists()
    assert SmsOptOut.objects.count() == 1  # only the opt-out it already had


def test_each_canvasser_is_throttled(client_for, canvasser_a, canvasser_b, settings, fake_twilio):
    settings.KYR_SENDS_PER_HOUR_PER_CANVASSER = 2
    client = client_for(canvasser_a)

    answers = [
        client.post("/api/kyr/send", send_body(), format="json").status_code for _ in range(3)
    ]
    other = client_for(canvasser_b).post("/api/kyr/send", send_body(), format="json")

    assert answers == [200, 200, 429]
    assert other.status_code == 200
    assert len(fake_twilio.accepted) == 3
    assert KnowYourRightsSendCount.objects.get(team__name="Team A").count == 2


def test_a_provider_failure_is_a_502_and_keeps_nothing(client_for, canvasser_a, fake_twilio):
    fake_twilio.script = ["400:21211"]

    response = client_for(canvasser_a).post("/api/kyr/send", send_body(), format="json")

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "sms_not_sent"
    assert not KnowYourRightsSendCount.objects.exists()
    # Not even on the opt-out list, which a provider's "invalid number" puts other numbers on.
    assert places_holding(E164, "5155550177", keyed_hash(E164)) == []


def test_the_public_cannot_send(api_client, fake_twilio):
    response = api_client.post("/api/kyr/send", send_body(), format="json")

    assert response.status_code == 401
    assert fake_twilio.accepted == []


# --- The sensitive address text (messaging's template) ---------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_address_text_fits_two_segments_at_its_longest(settings, language):
    from events.models import Event, Location, Shift
    from messaging.templates import address_release_body, is_gsm7

    settings.SMS_ORGANIZATION_NAME = "DontLookAway Iowa"
    location = Location(
        name="X" * 200, address="1234 MARTIN LUTHER KING JR PKWY", city="DES MOINES"
    )
    event = Event(
        title="Caucus night precinct captain training and phone bank",
        location=location,
        time_zone="America/Chicago",
        is_sensitive=True,
    )
    shift = Shift(
        event=event, role="precinct_captain", starts_at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    )

    text = address_release_body(shift, language, address="Y" * 300)

    assert is_gsm7(text)
    assert segments(text) == 2, (len(text), text)
    assert "Y" * 90 in text


def test_a_drained_sender_rate_answers_502_at_once(client_for, canvasser_a, settings, fake_twilio):
    settings.SMS_RATE_PER_SECOND = 0.01  # one text per 100 s: a broadcast is draining it
    client = client_for(canvasser_a)

    first = client.post("/api/kyr/send", send_body(), format="json")
    second = client.post("/api/kyr/send", send_body(), format="json")

    assert first.status_code == 200
    assert second.status_code == 502
    assert second.json()["error"]["code"] == "sms_not_sent"
    assert len(fake_twilio.accepted) == 1
    assert KnowYourRightsSendCount.objects.get().count == 1
