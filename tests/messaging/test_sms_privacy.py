"""Phone numbers and free-text replies are encrypted; retention purges replies; erasing a
volunteer strips their texts but keeps the number's keyed hash on the opt-out list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from backend.crypto import keyed_hash
from backend.privacy.services import person_erase, retention_purge
from messaging.models import InboundSms, SmsMessage, SmsOptOut
from messaging.services.inbound import sms_inbound_receive
from tests.events.helpers import e164

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(NOW, tick=False):
        yield


def raw(table: str, columns: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table}")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_outbox_and_inbound_rows_hold_no_plaintext_number_or_reply(make_shift, sign_up):
    sign_up(make_shift(), 1)
    sms_inbound_receive(message_sid="SM1", from_number=e164(1), body="My aunt Rosa can drive")

    assert e164(1) not in raw("events_smsmessage", "phone, phone_hash")
    stored = raw("events_inboundsms", "phone, phone_hash, body")
    assert e164(1) not in stored and "Rosa" not in stored
    assert "phone" not in {f.name for f in SmsOptOut._meta.get_fields()}


def test_retention_purge_clears_old_replies_and_keeps_the_rows(settings):
    settings.RETENTION_DAYS = 30
    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        sms_inbound_receive(message_sid="SMold", from_number=e164(1), body="old words")
    sms_inbound_receive(message_sid="SMnew", from_number=e164(1), body="new words")

    results = retention_purge()

    assert results["sms_inbound_replies"] == {"inbound_bodies_purged": 1}
    old, new = (
        InboundSms.objects.get(message_sid="SMold"),
        InboundSms.objects.get(message_sid="SMnew"),
    )
    assert (old.body, old.body_purged) == ("", True)
    assert (new.body, new.body_purged) == ("new words", False)


def test_erasing_a_volunteer_strips_their_texts_but_keeps_the_opt_out_hash(
    make_shift, sign_up, organizer
):
    outcome = sign_up(make_shift(), 1)
    sms_inbound_receive(message_sid="SM1", from_number=e164(1), body="hola, soy Ana")
    sms_inbound_receive(message_sid="SM2", from_number=e164(1), body="STOP")
    messages = SmsMessage.objects.count()

    counts = person_erase(actor=organizer, kind="volunteer", subject_id=outcome.volunteer.pk)

    assert counts["sms_messages"] == messages
    assert counts["sms_inbound"] == 2
    assert {message.phone for message in SmsMessage.objects.all()} == {""}
    assert set(SmsMessage.objects.values_list("volunteer", "phone_hash", "body")) == {
        (None, "", "")
    }
    assert set(InboundSms.objects.values_list("body", "phone_hash", "body_purged")) == {
        ("", "", True)
    }
    assert SmsOptOut.objects.filter(phone_hash=keyed_hash(e164(1))).exists()
    # Counts per event and kind survive.
    assert SmsMessage.objects.filter(event=outcome.signup.shift.event).count() == 3
