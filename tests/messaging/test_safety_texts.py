"""Safety texts to staff: a person's own number, set with their consent; sent at any hour
through the real twilio client; never to an opted-out number or without consent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from backend.accounts.models import User
from backend.audit.models import AuditEvent
from backend.crypto import keyed_hash
from messaging.models import SmsKind, SmsMessage, SmsOptOut
from messaging.services.dispatch import sms_dispatch_due
from messaging.services.outbox import sms_safety_enqueue

MOBILE = "+15155550134"
# 05:30 in Iowa (CST): inside the default quiet hours (21:00-08:00).
DAWN = datetime(2026, 12, 3, 11, 30, tzinfo=UTC)


def test_a_canvasser_sets_their_own_number_with_consent(client_for, canvasser_a):
    response = client_for(canvasser_a).put(
        "/api/me/phone",
        {"phone": "(515) 555-0134", "language": "es", "consent": True},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["phone_last4"], body["language"], body["safety_texts"]) == ("0134", "es", True)
    canvasser_a.refresh_from_db()
    assert canvasser_a.phone == MOBILE and canvasser_a.phone_hash == keyed_hash(MOBILE)
    assert canvasser_a.safety_texts_consent_at is not None
    assert AuditEvent.objects.filter(action="user.phone_set", target_id=str(canvasser_a.pk))
    with connection.cursor() as cursor:  # encrypted at rest: the column never holds it
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [canvasser_a.pk])
        assert MOBILE not in cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "not a phone", "consent": True}, "phone"),
        ({"phone": "(515) 555-0134", "consent": False}, "consent"),
        ({"phone": "(515) 555-0134"}, "consent"),
        ({"phone": "(515) 555-0134", "consent": True, "language": "xx"}, "language"),
    ],
)
def test_a_bad_number_or_missing_consent_is_refused_naming_the_field(
    client_for, canvasser_a, body, field
):
    response = client_for(canvasser_a).put("/api/me/phone", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    canvasser_a.refresh_from_db()
    assert canvasser_a.phone == "" and canvasser_a.safety_texts_consent_at is None


def test_removing_the_number_stops_safety_texts(client_for, canvasser_a):
    client = client_for(canvasser_a)
    client.put("/api/me/phone", {"phone": MOBILE, "consent": True}, format="json")

    response = client.delete("/api/me/phone")

    assert response.status_code == 200 and response.json()["safety_texts"] is False
    canvasser_a.refresh_from_db()
    message = sms_safety_enqueue(kind=SmsKind.SAFETY_ALERT, user=canvasser_a, body="Check in")
    assert (message.status, message.skip_reason) == ("skipped", "no_consent")


def _with_phone(user: User) -> User:
    user.phone, user.phone_hash, user.language = MOBILE, keyed_hash(MOBILE), "en"
    user.safety_texts_consent_at = DAWN
    user.save()
    return user


def test_a_safety_text_goes_out_in_quiet_hours_through_twilio(fake_twilio, canvasser_a):
    user = _with_phone(canvasser_a)
    with time_machine.travel(DAWN, tick=False):
        message = sms_safety_enqueue(kind=SmsKind.CHECKIN_DUE, user=user, body="Check in now")
        report = sms_dispatch_due()

    message.refresh_from_db()
    assert report.sent == 1 and message.status == "sent"
    assert [(m["To"], m["Body"]) for m in fake_twilio.accepted] == [(MOBILE, "Check in now")]


def test_a_safety_text_never_goes_to_an_opted_out_number(fake_twilio, canvasser_a):
    user = _with_phone(canvasser_a)
    SmsOptOut.objects.create(
        phone_hash=user.phone_hash, reason="keyword", keyword="STOP", opted_out_at=DAWN
    )
    with time_machine.travel(DAWN, tick=False):
        message = sms_safety_enqueue(kind=SmsKind.INCIDENT, user=user, body="Stop knocking")
        sms_dispatch_due()

    message.refresh_from_db()
    assert (message.status, message.skip_reason) == ("skipped", "opted_out")
    assert fake_twilio.accepted == []


def test_only_safety_kinds_take_the_safety_path(canvasser_a):
    with pytest.raises(ValueError, match="not a safety text"):
        sms_safety_enqueue(kind=SmsKind.REMINDER, user=canvasser_a, body="x")
    assert not SmsMessage.objects.exists()
