"""Reminder calls (docs/voice.md): a volunteer chooses calls, the dispatcher places one through
the real twilio client against a fake Twilio, and the call's webhooks (signed, validated with
the real RequestValidator) speak the reminder and act on the key pressed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import time_machine
from twilio.request_validator import RequestValidator
from werkzeug import Request, Response

from events.links import manage_token_for
from events.models import SignupStatus, Volunteer
from messaging.models import Channel, ConsentMethod, SmsConsent, SmsKind, SmsMessage, SmsStatus
from messaging.services.dispatch import sms_dispatch_due
from messaging.services.voice import voice_token
from tests.messaging.conftest import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL

pytestmark = pytest.mark.django_db

DAYTIME = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(DAYTIME, tick=True):
        yield


@pytest.fixture
def fake_calls(httpserver: Any, settings: Any) -> list[dict[str, str]]:
    """A fake Twilio Calls API: accepts every call and keeps what it was asked."""
    placed: list[dict[str, str]] = []

    def handle(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        sid = f"CA{len(placed) + 1:032d}"
        placed.append({**form, "sid": sid})
        body = {"sid": sid, "status": "queued", "to": form.get("To"), "account_sid": ACCOUNT_SID}
        return Response(json.dumps(body), status=201, content_type="application/json")

    def text(request: Request) -> Response:  # the signup's confirmation text
        body = {"sid": "SM" + "1" * 32, "status": "queued", "account_sid": ACCOUNT_SID}
        return Response(json.dumps(body), status=201, content_type="application/json")

    httpserver.expect_request(
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json", method="POST"
    ).respond_with_handler(handle)
    httpserver.expect_request(
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", method="POST"
    ).respond_with_handler(text)
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = httpserver.url_for("").rstrip("/")
    settings.TWILIO_VOICE_FROM_NUMBER = "+15155550199"
    return placed


def signed_post(client, path: str, params: dict, *, signature: str | None = None):
    url = PUBLIC_BASE_URL + path
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def choose_voice(client, volunteer: Volunteer) -> Any:
    token = manage_token_for(volunteer)
    return client.put(
        f"/api/public/me/{token}/reminder-channel",
        {"reminder_channel": "voice"},
        content_type="application/json",
    )


def reminder(signup) -> SmsMessage:
    return SmsMessage.objects.filter(signup=signup, kind=SmsKind.REMINDER).order_by("send_after")[0]


def test_a_volunteer_chooses_calls_through_the_manage_link_and_voice_consent_is_recorded(
    client, make_shift, sign_up
):
    volunteer = sign_up(make_shift(), 1).signup.volunteer

    response = choose_voice(client, volunteer)

    assert response.status_code == 200, response.content
    assert response.json() == {"reminder_channel": "voice"}
    volunteer.refresh_from_db()
    assert volunteer.reminder_channel == "voice"
    voice = SmsConsent.objects.get(volunteer=volunteer, channel=Channel.VOICE)
    assert voice.granted and voice.method == ConsentMethod.WEB
    # The text consent is untouched: still one yes for texts.
    assert SmsConsent.objects.filter(volunteer=volunteer, channel=Channel.SMS).count() == 1


def test_an_unknown_channel_is_refused_naming_the_field(client, make_shift, sign_up):
    volunteer = sign_up(make_shift(), 1).signup.volunteer
    token = manage_token_for(volunteer)
    response = client.put(
        f"/api/public/me/{token}/reminder-channel",
        {"reminder_channel": "fax"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "reminder_channel" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.reminder_channel == "sms"


def test_a_bad_manage_link_is_404(client):
    response = client.put(
        "/api/public/me/nope/reminder-channel",
        {"reminder_channel": "voice"},
        content_type="application/json",
    )
    assert response.status_code == 404


def place_call(client, make_shift, sign_up, fake_calls, *, language: str = "en", capacity=2):
    shift = make_shift(starts_at=DAYTIME + timedelta(hours=2, minutes=30), capacity=capacity)
    outcome = sign_up(shift, 1, language=language)
    assert choose_voice(client, outcome.signup.volunteer).status_code == 200
    # The two-hour reminder is due in half an hour: then it goes out as a call.
    report = sms_dispatch_due(now=DAYTIME + timedelta(minutes=31), max_batches=3)
    assert report.sent >= 1
    message = SmsMessage.objects.get(signup=outcome.signup, channel=Channel.VOICE)
    return outcome.signup, message


def test_the_dispatcher_places_a_call_through_twilio(client, make_shift, sign_up, fake_calls):
    _, message = place_call(client, make_shift, sign_up, fake_calls)

    assert len(fake_calls) == 1
    call = fake_calls[0]
    assert call["From"] == "+15155550199"
    assert call["To"] == message.phone
    token = voice_token(message.pk)
    assert call["Url"] == f"{PUBLIC_BASE_URL}/api/voice/calls/{token}/twiml"
    assert call["StatusCallback"] == f"{PUBLIC_BASE_URL}/api/voice/calls/{token}/status"
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.provider_sid == call["sid"]


def test_the_twiml_speaks_the_reminder_in_spanish_and_gathers_one_key(
    client, make_shift, sign_up, fake_calls
):
    _, message = place_call(client, make_shift, sign_up, fake_calls, language="es")
    path = urlparse(fake_calls[0]["Url"]).path

    response = signed_post(client, path, {"CallSid": fake_calls[0]["sid"]})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    xml = response.content.decode()
    assert '<Gather numDigits="1"' in xml
    assert f'action="{PUBLIC_BASE_URL}/api/voice/calls/{voice_token(message.pk)}/keys"' in xml
    assert '<Say language="es-US">Hola' in xml
    assert "Marque 1 para confirmar" in xml


def test_call_webhooks_refuse_a_bad_signature_and_an_unknown_call(
    client, make_shift, sign_up, fake_calls
):
    _, message = place_call(client, make_shift, sign_up, fake_calls)
    path = urlparse(fake_calls[0]["Url"]).path
    assert signed_post(client, path, {"CallSid": "CA1"}, signature="bad").status_code == 403
    keys = path.replace("/twiml", "/keys")
    assert signed_post(client, keys, {"Digits": "2"}, signature="bad").status_code == 403
    assert (
        signed_post(client, "/api/voice/calls/forged/twiml", {"CallSid": "CA1"}).status_code == 404
    )
    unknown = f"/api/voice/calls/{voice_token(999999)}/keys"
    assert signed_post(client, unknown, {"Digits": "1"}).status_code == 404
    message.refresh_from_db()
    assert message.voice_answer == ""


def test_key_1_confirms(client, make_shift, sign_up, fake_calls):
    signup, message = place_call(client, make_shift, sign_up, fake_calls)
    keys = f"/api/voice/calls/{voice_token(message.pk)}/keys"

    response = signed_post(client, keys, {"Digits": "1", "CallSid": fake_calls[0]["sid"]})

    assert response.status_code == 200
    assert "you are confirmed" in response.content.decode()
    message.refresh_from_db()
    assert message.voice_answer == "1" and message.voice_answered_at is not None
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED


def test_key_2_cancels_and_promotes_the_waitlist(client, make_shift, sign_up, fake_calls):
    signup, message = place_call(client, make_shift, sign_up, fake_calls, capacity=1)
    waiting = sign_up(signup.shift, 2).signup
    assert waiting.status == SignupStatus.WAITLISTED
    keys = f"/api/voice/calls/{voice_token(message.pk)}/keys"

    response = signed_post(client, keys, {"Digits": "2"})
    again = signed_post(client, keys, {"Digits": "2"})  # the provider retried

    assert response.status_code == again.status_code == 200
    assert "cancelled" in response.content.decode()
    signup.refresh_from_db()
    waiting.refresh_from_db()
    assert signup.status == SignupStatus.CANCELLED
    assert waiting.status == SignupStatus.CONFIRMED


def test_key_9_stops_calls_in_the_consent_ledger(client, make_shift, sign_up, fake_calls):
    signup, message = place_call(client, make_shift, sign_up, fake_calls)
    keys = f"/api/voice/calls/{voice_token(message.pk)}/keys"

    response = signed_post(client, keys, {"Digits": "9"})

    assert response.status_code == 200
    latest = SmsConsent.objects.filter(volunteer=signup.volunteer, channel=Channel.VOICE).first()
    assert latest is not None and not latest.granted and latest.method == ConsentMethod.CALL
    # Texts are not stopped: the newest SMS answer is still a yes.
    sms = SmsConsent.objects.filter(volunteer=signup.volunteer, channel=Channel.SMS).first()
    assert sms is not None and sms.granted


def test_the_status_callback_settles_the_call(client, make_shift, sign_up, fake_calls):
    _, message = place_call(client, make_shift, sign_up, fake_calls)
    status = urlparse(fake_calls[0]["StatusCallback"]).path
    params = {"CallSid": fake_calls[0]["sid"], "CallStatus": "completed"}

    assert signed_post(client, status, params, signature="bad").status_code == 403
    assert signed_post(client, status, params).status_code == 204

    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED
    assert message.provider_status == "completed"


def test_a_signed_in_volunteer_chooses_calls_and_an_unlinked_account_gets_404(
    client_for, canvasser_a, organizer, make_shift, sign_up
):
    volunteer = sign_up(make_shift(), 1).signup.volunteer
    volunteer.user = canvasser_a  # linked (the linking flow is tested in tests/events)
    volunteer.save(update_fields=["user"])

    response = client_for(canvasser_a).put(
        "/api/me/volunteer/reminder-channel", {"reminder_channel": "voice"}, format="json"
    )
    unlinked = client_for(organizer).put(
        "/api/me/volunteer/reminder-channel", {"reminder_channel": "voice"}, format="json"
    )

    assert response.status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.reminder_channel == "voice"
    voice = SmsConsent.objects.get(volunteer=volunteer, channel=Channel.VOICE)
    assert voice.method == ConsentMethod.APP and voice.actor == canvasser_a
    assert unlinked.status_code == 404


def test_quiet_hours_hold_a_call_like_a_text(client, make_shift, sign_up, fake_calls):
    # A shift at 8:30 the next morning (Central time): its two-hour reminder, due at 6:30, waits
    # for quiet hours to end at 8:00.
    morning = DAYTIME.replace(hour=13, minute=30) + timedelta(days=1)
    outcome = sign_up(make_shift(starts_at=morning), 1)
    assert choose_voice(client, outcome.signup.volunteer).status_code == 200

    sms_dispatch_due(now=morning - timedelta(hours=2), max_batches=3)
    assert fake_calls == []
    assert reminder(outcome.signup).status == SmsStatus.QUEUED

    sms_dispatch_due(now=morning - timedelta(minutes=29), max_batches=3)
    assert len(fake_calls) == 1
    row = reminder(outcome.signup)
    assert row.channel == Channel.VOICE and row.status == SmsStatus.SENT


def test_a_call_counts_against_the_daily_caps_like_a_text(
    client, make_shift, sign_up, fake_calls, settings
):
    # One message a day per volunteer: the confirmation text spends it, so the reminder call is
    # skipped for the cap, as a reminder text would be, and never rings.
    settings.SMS_DAILY_CAP_PER_VOLUNTEER = 1
    shift = make_shift(starts_at=DAYTIME + timedelta(hours=2, minutes=30), capacity=2)
    outcome = sign_up(shift, 1)
    assert choose_voice(client, outcome.signup.volunteer).status_code == 200

    report = sms_dispatch_due(now=DAYTIME + timedelta(minutes=31), max_batches=3)

    assert fake_calls == []
    assert report.skipped == {"daily_cap_volunteer": 1}
    call = reminder(outcome.signup)
    assert call.status == SmsStatus.SKIPPED
    assert call.skip_reason == "daily_cap_volunteer"
    confirmation = SmsMessage.objects.get(signup=outcome.signup, kind=SmsKind.CONFIRMATION)
    assert confirmation.status == SmsStatus.SENT
