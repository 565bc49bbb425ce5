"""Twilio webhooks: signatures (real RequestValidator), inbound keywords and replies,
idempotency by MessageSid, status callbacks that never move a message backwards."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.db import connection
from django.http import QueryDict
from twilio.request_validator import RequestValidator

from backend.crypto import keyed_hash
from backend.sms import webhook_signature_valid
from events.models import SignupStatus
from messaging.models import (
    InboundAction,
    InboundSms,
    OptOutReason,
    SmsConsent,
    SmsKind,
    SmsMessage,
    SmsOptOut,
    SmsStatus,
)
from messaging.services.dispatch import sms_dispatch_due
from tests.events.helpers import e164
from tests.messaging.conftest import AUTH_TOKEN, PUBLIC_BASE_URL

pytestmark = pytest.mark.django_db

DATA = Path(django_settings.SHARED_DATA_DIR)
DAYTIME = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(DAYTIME, tick=True):
        yield


def signed_post(client, path: str, params: dict, *, signature: str | None = None, **tamper):
    url = PUBLIC_BASE_URL + path
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    body = {**params, **tamper}
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(
        path, urlencode(body), content_type="application/x-www-form-urlencoded", **headers
    )


def inbound(client, body: str, *, sid: str = "SM1", number: int = 1, **extra):
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": e164(number),
        "To": "+15155550100",
        "Body": body,
        "NumMedia": "0",
    }
    return signed_post(client, "/api/sms/inbound", params, **extra)


def status_callback(client, sid: str, status: str, *, message_id: int | None = None, **fields):
    path = "/api/sms/status" + (f"?message={message_id}" if message_id else "")
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, **fields}
    return signed_post(client, path, params)


def replies() -> list[str]:
    return list(
        SmsMessage.objects.filter(kind=SmsKind.REPLY).order_by("id").values_list("body", flat=True)
    )


# --- Signatures -----------------------------------------------------------------------------


def _vector_params(vector: dict) -> object:
    if "params" in vector:
        return vector["params"]
    query = QueryDict(mutable=True)
    for key, value in vector["params_multi"]:  # [[key, value], ...] as a form would repeat them
        query.appendlist(key, value)
    return query


ALL_VECTORS = json.loads((DATA / "twilio_signature_vectors.json").read_text())["vectors"]
VECTORS = [v for v in ALL_VECTORS if "raw_body" not in v]
JSON_VECTORS = [v for v in ALL_VECTORS if "raw_body" in v]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_signature_vectors_are_judged_like_twilio_does(vector, settings):
    settings.TWILIO_AUTH_TOKEN = vector["auth_token"]

    valid = webhook_signature_valid(
        url=vector["url"], params=_vector_params(vector), signature=vector["signature"] or ""
    )

    assert valid is vector["valid"]


@pytest.mark.parametrize("vector", JSON_VECTORS, ids=[v["id"] for v in JSON_VECTORS])
def test_json_body_vectors_check_the_body_hash_against_the_raw_body(vector, settings):
    settings.TWILIO_AUTH_TOKEN = vector["auth_token"]

    valid = webhook_signature_valid(
        url=vector["url"], params=vector["raw_body"], signature=vector["signature"]
    )

    assert valid is vector["valid"]


def signed_json_post(client, path: str, body: str, *, signed_body: str | None = None):
    """Sign like Twilio does a JSON webhook: the URL with bodySHA256 of `signed_body` (the
    body itself unless given), then send `body`."""
    digest = hashlib.sha256((signed_body if signed_body is not None else body).encode()).hexdigest()
    path = f"{path}{'&' if '?' in path else '?'}bodySHA256={digest}"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, {})
    return client.post(
        path, body, content_type="application/json", HTTP_X_TWILIO_SIGNATURE=signature
    )


def test_a_json_body_that_does_not_match_its_signed_hash_is_refused(api_client):
    signed = json.dumps({"MessageSid": "SM1", "From": e164(1), "Body": "hello"})
    swapped = json.dumps({"MessageSid": "SM2", "From": e164(1), "Body": "STOP"})

    response = signed_json_post(api_client, "/api/sms/inbound", swapped, signed_body=signed)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert InboundSms.objects.count() == 0
    assert SmsOptOut.objects.count() == 0


def test_a_signed_json_body_is_refused_before_any_processing(api_client, sent_message):
    body = json.dumps({"MessageSid": "SM1", "From": e164(1), "Body": "STOP"})
    status = json.dumps({"MessageSid": sent_message.provider_sid, "MessageStatus": "failed"})

    inbound_answer = signed_json_post(api_client, "/api/sms/inbound", body)
    status_answer = signed_json_post(
        api_client, f"/api/sms/status?message={sent_message.pk}", status
    )

    assert inbound_answer.status_code == status_answer.status_code == 415
    assert inbound_answer.json()["error"]["code"] == "unsupported_media_type"
    assert InboundSms.objects.count() == 0
    assert SmsOptOut.objects.count() == 0
    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.SENT


def test_a_json_body_signed_without_its_hash_is_refused(api_client):
    # The signature of the bare URL (no bodySHA256) covers no body at all.
    path = "/api/sms/inbound"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, {})
    response = api_client.post(
        path,
        json.dumps({"MessageSid": "SM1", "From": e164(1), "Body": "STOP"}),
        content_type="application/json",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )

    assert response.status_code == 403
    assert InboundSms.objects.count() == 0


def test_valid_signature_on_the_public_https_url_is_accepted_behind_a_proxy(api_client):
    # The test client calls http://testserver/...; Twilio signed https://sms.example.org/...
    response = inbound(api_client, "hello")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    )
    assert InboundSms.objects.count() == 1


def test_tampered_body_is_refused_with_403_and_changes_nothing(api_client):
    response = inbound(api_client, "hello", Body="STOP")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert InboundSms.objects.count() == 0
    assert SmsOptOut.objects.count() == 0


def test_missing_signature_is_refused_with_403(api_client):
    response = inbound(api_client, "STOP", signature="")

    assert response.status_code == 403
    assert InboundSms.objects.count() == 0


def test_signature_for_another_url_is_refused(api_client):
    wrong = RequestValidator(AUTH_TOKEN).compute_signature(
        "https://elsewhere.example.org/api/sms/inbound", {"MessageSid": "SM1"}
    )
    assert inbound(api_client, "STOP", signature=wrong).status_code == 403


def test_without_an_auth_token_every_webhook_is_refused(api_client, settings):
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC_BASE_URL + "/api/sms/inbound", {"MessageSid": "SM1"}
    )
    settings.TWILIO_AUTH_TOKEN = ""

    assert inbound(api_client, "x", signature=signature).status_code == 403


def test_twilio_backend_without_auth_token_fails_the_system_check(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_AUTH_TOKEN = ""

    ids = {message.id for message in run_checks()}

    assert "sms.E001" in ids


def test_twilio_backend_with_credentials_passes_the_system_check(settings):
    settings.SMS_BACKEND = "twilio"

    assert not {m.id for m in run_checks() if m.id.startswith("sms.")}


def test_a_real_captured_inbound_body_is_stored(api_client):
    sample = next(
        s
        for s in json.loads((DATA / "twilio_webhook_samples.json").read_text())["samples"]
        if s["kind"] == "inbound_sms"
    )
    params = sample["fields"]

    response = signed_post(api_client, "/api/sms/inbound", params)

    assert response.status_code == 200
    stored = InboundSms.objects.get()
    assert stored.message_sid == params["MessageSid"]
    assert stored.body == params["Body"]
    assert stored.action == InboundAction.STORED


# --- Inbound keywords -----------------------------------------------------------------------


def test_the_same_inbound_delivered_three_times_stores_one_row_and_one_reply(api_client):
    codes = [inbound(api_client, "HELP", sid="SMsame").status_code for _ in range(3)]

    assert codes == [200, 200, 200]
    assert InboundSms.objects.count() == 1
    assert len(replies()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        " stop ",
        "Stop!",
        "unsubscribe.",
        "CANCEL",
        "end",
        "Quit",
        "STOPALL",
        "revoke",
        "OPTOUT",
    ],
)
def test_opt_out_keywords_opt_the_number_out_of_everything(
    api_client, make_shift, sign_up, fake_twilio, text
):
    outcome = sign_up(make_shift(capacity=1), 1)

    response = inbound(api_client, text)
    report = sms_dispatch_due()

    assert response.status_code == 200
    assert SmsOptOut.objects.get(phone_hash=keyed_hash(e164(1))).reason == OptOutReason.KEYWORD
    assert report.sent == 0
    assert fake_twilio.accepted == []
    assert set(
        SmsMessage.objects.filter(signup=outcome.signup).values_list("status", "skip_reason")
    ) == {(SmsStatus.SKIPPED, "opted_out")}
    latest = SmsConsent.objects.filter(volunteer=outcome.volunteer).first()
    assert latest.granted is False and latest.method == "sms"
    # CANCEL (or any opt-out word) never drops the shift.
    outcome.signup.refresh_from_db()
    assert outcome.signup.status == SignupStatus.CONFIRMED
    assert replies() == []


def test_start_opts_back_in_and_later_texts_are_sent(api_client, make_shift, sign_up):
    outcome = sign_up(make_shift(), 1)
    inbound(api_client, "STOP", sid="SM1")

    inbound(api_client, "start", sid="SM2")
    sign_up(make_shift(starts_at=outcome.signup.shift.starts_at + timedelta(days=1)), 1)
    report = sms_dispatch_due()

    assert SmsOptOut.objects.count() == 0
    assert SmsConsent.objects.filter(volunteer=outcome.volunteer).first().granted is True
    assert report.sent == 2  # the opt-in reply and the new confirmation
    assert "You'll get our texts again" in replies()[0]


def test_yes_from_an_opted_out_number_opts_back_in_without_confirming(
    api_client, make_shift, sign_up
):
    sign_up(make_shift(), 1)
    inbound(api_client, "STOP", sid="SM1")

    inbound(api_client, "YES", sid="SM2")

    assert InboundSms.objects.get(message_sid="SM2").action == InboundAction.OPTED_IN
    assert SmsOptOut.objects.count() == 0


def test_help_reply_names_the_organization_and_how_to_stop(api_client):
    inbound(api_client, "help")

    assert InboundSms.objects.get().action == InboundAction.HELP
    [reply] = replies()
    assert reply.startswith("DontLookAway:")
    assert "STOP" in reply


@pytest.mark.parametrize("word", ["YES", "y", "Si", "SÍ", "sí."])
def test_yes_confirms_the_next_upcoming_signup(api_client, make_shift, sign_up, word):
    later = sign_up(make_shift(starts_at=DAYTIME + timedelta(days=6)), 1)
    sooner = sign_up(make_shift(starts_at=DAYTIME + timedelta(days=4)), 1)

    inbound(api_client, word)

    stored = InboundSms.objects.get()
    assert (stored.action, stored.signup_id) == (InboundAction.CONFIRMED, sooner.signup.pk)
    assert later.signup.pk != sooner.signup.pk
    assert replies()[0].startswith("DontLookAway: Thanks! You're confirmed for Caucus night")


def test_no_cancels_the_next_signup_and_promotes_the_waitlist(api_client, make_shift, sign_up):
    shift = make_shift(capacity=1)
    mine = sign_up(shift, 1)
    waiting = sign_up(shift, 2)

    inbound(api_client, "No")

    mine.signup.refresh_from_db()
    waiting.signup.refresh_from_db()
    assert mine.signup.status == SignupStatus.CANCELLED
    assert waiting.signup.status == SignupStatus.CONFIRMED
    assert SmsMessage.objects.filter(signup=waiting.signup, kind=SmsKind.PROMOTED).exists()
    assert set(
        SmsMessage.objects.filter(signup=mine.signup, kind=SmsKind.REMINDER).values_list(
            "status", flat=True
        )
    ) == {SmsStatus.SKIPPED}
    assert "you're off Caucus night" in replies()[0]


def test_yes_from_a_volunteer_without_consent_is_only_stored(api_client, make_shift, sign_up):
    sign_up(make_shift(), 1, consent=False)

    inbound(api_client, "YES")

    assert InboundSms.objects.get().action == InboundAction.STORED


def test_yes_without_an_upcoming_signup_says_so(api_client, make_shift, sign_up):
    outcome = sign_up(make_shift(), 1)
    inbound(api_client, "NO", sid="SM1")

    inbound(api_client, "YES", sid="SM2")

    assert InboundSms.objects.get(message_sid="SM2").action == InboundAction.NO_SIGNUP
    assert outcome.volunteer.pk
    assert "no upcoming shift" in replies()[-1]


def test_free_text_is_stored_encrypted_and_answered_with_help_at_most_once_a_day(api_client):
    inbound(api_client, "Can I bring my cousin Maria?", sid="SM1")
    inbound(api_client, "Hello??", sid="SM2")

    assert [m.action for m in InboundSms.objects.order_by("id")] == ["stored", "stored"]
    assert len(replies()) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, phone FROM events_inboundsms")
        raw = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert "Maria" not in raw and e164(1) not in raw

    with time_machine.travel(DAYTIME + timedelta(days=1, minutes=1), tick=False):
        inbound(api_client, "Anyone?", sid="SM3")
    assert len(replies()) == 2


# --- Status callbacks -----------------------------------------------------------------------


@pytest.fixture
def sent_message(make_shift, sign_up):
    outcome = sign_up(make_shift(), 1)
    sms_dispatch_due()
    return SmsMessage.objects.get(signup=outcome.signup, kind=SmsKind.CONFIRMATION)


def test_status_callbacks_move_forward_and_never_back(api_client, sent_message):
    sid = sent_message.provider_sid

    codes = [
        status_callback(api_client, sid, status, message_id=sent_message.pk).status_code
        for status in ("sent", "delivered", "sent", "queued", "undelivered", "delivered")
    ]

    sent_message.refresh_from_db()
    assert codes == [204] * 6
    assert sent_message.status == SmsStatus.DELIVERED
    assert sent_message.delivered_at is not None


def test_failed_callback_with_landline_error_marks_the_number(api_client, sent_message):
    response = status_callback(
        api_client, sent_message.provider_sid, "undelivered", ErrorCode="30006"
    )

    sent_message.refresh_from_db()
    assert response.status_code == 204
    assert (sent_message.status, sent_message.error_code) == (SmsStatus.UNDELIVERED, "30006")
    assert SmsOptOut.objects.get().reason == OptOutReason.LANDLINE


def test_a_callback_for_an_unknown_message_changes_nothing(api_client, sent_message):
    response = status_callback(api_client, "SMnope", "failed", message_id=999999)

    sent_message.refresh_from_db()
    assert response.status_code == 204
    assert sent_message.status == SmsStatus.SENT


def test_an_unknown_status_changes_nothing_and_keeps_the_raw_value(api_client, sent_message):
    before = SmsMessage.objects.filter(pk=sent_message.pk).values().get()

    response = status_callback(
        api_client, sent_message.provider_sid, "teleported", message_id=sent_message.pk
    )

    after = SmsMessage.objects.filter(pk=sent_message.pk).values().get()
    assert response.status_code == 204
    assert after["provider_status"] == "teleported"
    changed = {k for k in after if after[k] != before[k]} - {"updated_at"}
    assert changed == {"provider_status"}
    # A known status afterwards still applies and replaces the raw value.
    status_callback(api_client, sent_message.provider_sid, "delivered", message_id=sent_message.pk)
    sent_message.refresh_from_db()
    assert (sent_message.status, sent_message.provider_status) == ("delivered", "delivered")


def test_an_unknown_status_does_not_settle_a_message_in_doubt(api_client, sent_message):
    SmsMessage.objects.filter(pk=sent_message.pk).update(status=SmsStatus.UNKNOWN, provider_sid="")

    response = status_callback(
        api_client, "SMlate", "some_future_state", message_id=sent_message.pk
    )

    sent_message.refresh_from_db()
    assert response.status_code == 204
    assert (sent_message.status, sent_message.provider_sid) == (SmsStatus.UNKNOWN, "")
    assert sent_message.provider_status == "some_future_state"


def test_status_callbacks_never_answer_5xx(api_client, sent_message):
    sid = sent_message.provider_sid
    answers = [
        signed_post(
            api_client,
            f"/api/sms/status?message={2**70}",
            {"MessageSid": sid, "MessageStatus": "sent"},
        ),
        signed_post(
            api_client, "/api/sms/status?message=-1", {"MessageSid": sid, "MessageStatus": "sent"}
        ),
        signed_post(api_client, "/api/sms/status", {"MessageSid": sid, "MessageStatus": "x" * 500}),
        signed_post(api_client, "/api/sms/status", {"MessageSid": sid, "MessageStatus": ""}),
        signed_post(api_client, "/api/sms/status", {"MessageSid": sid, "MessageStatus": "ünïcødé"}),
        signed_post(api_client, "/api/sms/status", {"MessageSid": sid}),
    ]

    assert [a.status_code for a in answers] == [400, 400, 400, 400, 204, 400]
    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.SENT


def test_our_id_with_another_messages_sid_does_not_settle_it(api_client, sent_message):
    status_callback(api_client, "SMother", "failed", message_id=sent_message.pk)

    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.SENT


def test_an_unsigned_status_callback_is_refused(api_client, sent_message):
    response = api_client.post(
        f"/api/sms/status?message={sent_message.pk}",
        urlencode({"MessageSid": sent_message.provider_sid, "MessageStatus": "failed"}),
        content_type="application/x-www-form-urlencoded",
    )

    sent_message.refresh_from_db()
    assert response.status_code == 403
    assert sent_message.status == SmsStatus.SENT


def test_a_signed_callback_with_a_bad_message_id_is_a_400(api_client):
    params = {"MessageSid": "SM1", "MessageStatus": "sent"}
    response = signed_post(api_client, "/api/sms/status?message=abc", params)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"message": ["A valid integer is required."]}


def test_the_schema_documents_the_webhooks_form_bodies_and_their_answers(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    inbound_op = schema["paths"]["/api/sms/inbound"]["post"]
    status_op = schema["paths"]["/api/sms/status"]["post"]
    assert list(inbound_op["requestBody"]["content"]) == ["application/x-www-form-urlencoded"]
    assert set(inbound_op["responses"]) >= {"200", "400", "403"}
    assert list(inbound_op["responses"]["200"]["content"]) == ["text/xml"]
    assert set(status_op["responses"]) >= {"204", "400", "403"}


def test_yes_skips_a_waitlisted_signup_and_no_takes_the_person_off_the_waitlist(
    api_client, make_shift, sign_up
):
    full = make_shift(capacity=1, starts_at=DAYTIME + timedelta(days=2))
    sign_up(full, 2)
    waiting = sign_up(full, 1)

    inbound(api_client, "YES", sid="SM1")
    inbound(api_client, "NO", sid="SM2")

    assert InboundSms.objects.get(message_sid="SM1").action == InboundAction.NO_SIGNUP
    waiting.signup.refresh_from_db()
    assert waiting.signup.status == SignupStatus.CANCELLED
