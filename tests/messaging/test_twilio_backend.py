"""The real twilio client against a fake Twilio Messages API on 127.0.0.1, through the
dispatcher: what we send, how each answer is recorded, and that nothing is sent twice."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from backend.crypto import keyed_hash
from messaging.models import OptOutReason, SmsKind, SmsMessage, SmsOptOut, SmsStatus
from messaging.services.delivery import sms_status_record
from messaging.services.dispatch import sms_dispatch_due
from tests.events.helpers import e164

pytestmark = pytest.mark.django_db

DAYTIME = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)  # 10:00 in Chicago


@pytest.fixture
def confirmation(make_shift, sign_up):
    """One due confirmation (the reminders are days away)."""
    with time_machine.travel(DAYTIME, tick=False):
        shift = make_shift(starts_at=DAYTIME + timedelta(days=5))
        outcome = sign_up(shift, 1)
    return SmsMessage.objects.get(signup=outcome.signup, kind=SmsKind.CONFIRMATION)


def dispatch(at: datetime = DAYTIME):
    with time_machine.travel(at, tick=True):
        return sms_dispatch_due()


def test_accepted_message_is_recorded_with_twilios_sid_and_our_callback_url(
    fake_twilio, confirmation
):
    report = dispatch()

    assert report.sent == 1
    assert len(fake_twilio.accepted) == 1
    request = fake_twilio.accepted[0]
    assert request["To"] == e164(1)
    assert request["From"] == "+15155550100"
    assert request["Body"] == confirmation.body
    assert request["StatusCallback"] == (
        f"https://sms.example.org/api/sms/status?message={confirmation.pk}"
    )
    confirmation.refresh_from_db()
    assert confirmation.status == SmsStatus.SENT
    assert confirmation.provider_sid == request["sid"]
    assert confirmation.attempts == 1


def test_messaging_service_sid_is_used_instead_of_the_from_number_when_set(
    fake_twilio, confirmation, settings
):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32

    dispatch()

    assert fake_twilio.accepted[0]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in fake_twilio.accepted[0]


@pytest.mark.parametrize(
    ("code", "reason"),
    [("21211", OptOutReason.INVALID_NUMBER), ("21610", OptOutReason.UNSUBSCRIBED)],
)
def test_permanent_errors_fail_at_once_and_mark_the_number(
    fake_twilio, confirmation, make_shift, sign_up, code, reason
):
    fake_twilio.script = [f"400:{code}"]

    report = dispatch()
    again = dispatch(DAYTIME + timedelta(hours=2))

    confirmation.refresh_from_db()
    assert (report.failed, again.sent, again.retried) == (1, 0, 0)
    assert confirmation.status == SmsStatus.FAILED
    assert confirmation.error_code == code
    assert confirmation.attempts == 1
    opt_out = SmsOptOut.objects.get(phone_hash=keyed_hash(e164(1)))
    assert opt_out.reason == reason
    # The reminders queued for that number are skipped, never sent.
    assert set(
        SmsMessage.objects.filter(kind=SmsKind.REMINDER).values_list("status", "skip_reason")
    ) == {(SmsStatus.SKIPPED, "opted_out")}
    assert fake_twilio.accepted == []


@pytest.mark.parametrize("answer", ["429:20429", "429", "500", "503"])
def test_transient_errors_are_retried_with_backoff_then_sent_once(
    fake_twilio, confirmation, settings, answer
):
    settings.SMS_RETRY_BASE_SECONDS = 60
    fake_twilio.script = [answer]

    first = dispatch()
    confirmation.refresh_from_db()
    too_early = dispatch(DAYTIME + timedelta(seconds=20))
    later = dispatch(DAYTIME + timedelta(seconds=61))

    assert first.retried == 1
    assert confirmation.status == SmsStatus.QUEUED
    assert confirmation.attempts == 1
    # Backoff with jitter: between half and all of the base delay for the first retry.
    delay = (confirmation.next_attempt_at - DAYTIME).total_seconds()
    assert 30 <= delay <= 61
    assert too_early.sent == 0
    assert later.sent == 1
    assert len(fake_twilio.accepted) == 1
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (SmsStatus.SENT, 2)


def test_transient_errors_give_up_after_the_configured_attempts(
    fake_twilio, confirmation, settings
):
    settings.SMS_MAX_ATTEMPTS = 3
    settings.SMS_RETRY_BASE_SECONDS = 1
    fake_twilio.script = ["500", "500", "500", "500"]

    for minute in range(5):
        dispatch(DAYTIME + timedelta(minutes=minute))

    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (SmsStatus.FAILED, 3)
    assert confirmation.error_code == "500"
    assert fake_twilio.script == ["500"]  # the fourth answer was never asked for


def test_connection_refused_is_retried(confirmation, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{port}"

    report = dispatch()

    confirmation.refresh_from_db()
    assert report.retried == 1
    assert (confirmation.status, confirmation.error_code) == (
        SmsStatus.QUEUED,
        "connection_refused",
    )


@pytest.mark.parametrize("failure", ["timeout", "reset"])
def test_a_lost_answer_after_twilio_accepted_is_unknown_and_never_resent(
    fake_twilio, confirmation, failure
):
    fake_twilio.script = [failure]

    report = dispatch()
    for hours in (1, 2, 30):
        dispatch(DAYTIME + timedelta(hours=hours))

    confirmation.refresh_from_db()
    assert report.unknown == 1
    assert confirmation.status == SmsStatus.UNKNOWN
    assert confirmation.error_code == failure
    assert len([m for m in fake_twilio.accepted if m["Body"] == confirmation.body]) == 1

    # Twilio's callback carries our id: it settles the message.
    sid = fake_twilio.accepted[0]["sid"]
    sms_status_record(message_sid=sid, provider_status="delivered", message_id=confirmation.pk)
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.provider_sid) == (SmsStatus.DELIVERED, sid)


def test_console_backend_prints_the_message(confirmation, settings, capsys):
    settings.SMS_BACKEND = "console"

    dispatch()

    assert confirmation.body in capsys.readouterr().out
    confirmation.refresh_from_db()
    assert confirmation.status == SmsStatus.SENT
    assert confirmation.sent_at is not None and confirmation.sent_at <= timezone.now()
