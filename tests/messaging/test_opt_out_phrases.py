"""People stop texts in their own words, in English and Spanish, through the signed webhook.

Each reply in the table goes through `POST /api/sms/inbound` (signed like Twilio signs) from a
volunteer with consent and two upcoming shifts; the database and the texts actually sent are
checked. A clear request to stop opts the number out at once with exactly one confirmation and
nothing after; an unclear one holds every text to the number for an organizer's review; an
answer to the shift question ("no, I can't make Tuesday") is a shift answer, never an opt-out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from backend.crypto import keyed_hash
from backend.sms.backends import locmem
from events.models import SignupStatus
from messaging.models import (
    InboundAction,
    InboundSms,
    ReviewStatus,
    SmsConsent,
    SmsKind,
    SmsMessage,
    SmsOptOut,
    SmsReview,
    SmsStatus,
)
from messaging.services.dispatch import sms_dispatch_due
from tests.events.helpers import e164
from tests.messaging.test_webhooks import inbound

pytestmark = pytest.mark.django_db

DAYTIME = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)

OPT_OUT, REVIEW, CANCELLED, CONFIRMED, STORED = (
    "opt_out",
    "review",
    "cancelled",
    "confirmed",
    "stored",
)

REPLIES = [
    # English: clear requests to stop.
    ("Stop texting me", OPT_OUT, "en"),
    ("please stop texting me!!", OPT_OUT, "en"),
    ("STOP please", OPT_OUT, "en"),
    ("Remove me", OPT_OUT, "en"),
    ("remove me from this list", OPT_OUT, "en"),
    ("Take me off your list", OPT_OUT, "en"),
    ("Unsubscribe me", OPT_OUT, "en"),
    ("opt me out", OPT_OUT, "en"),
    ("Don't text me anymore", OPT_OUT, "en"),
    ("do not message me again", OPT_OUT, "en"),
    ("No more texts", OPT_OUT, "en"),
    ("leave me alone", OPT_OUT, "en"),
    ("Wrong number", OPT_OUT, "en"),
    ("I don't want any more messages", OPT_OUT, "en"),
    # Spanish: clear requests to stop (accents and case do not matter).
    ("CANCELAR", OPT_OUT, "es"),
    ("cancelar", OPT_OUT, "es"),
    ("No más", OPT_OUT, "es"),
    ("NO MAS por favor", OPT_OUT, "es"),
    ("No me manden mensajes", OPT_OUT, "es"),
    ("no me mandes más mensajes", OPT_OUT, "es"),
    ("Por favor ya no me escriban", OPT_OUT, "es"),
    ("Dejen de mandarme mensajes", OPT_OUT, "es"),
    ("Quítenme de la lista", OPT_OUT, "es"),
    ("Sáquenme de su lista", OPT_OUT, "es"),
    ("Dame de baja", OPT_OUT, "es"),
    ("Baja", OPT_OUT, "es"),
    ("No quiero recibir más mensajes", OPT_OUT, "es"),
    ("Número equivocado", OPT_OUT, "es"),
    ("Basta de mensajes", OPT_OUT, "es"),
    ("parar por favor", OPT_OUT, "es"),
    # Might mean stop: held for an organizer.
    ("ya no", REVIEW, ""),
    ("Ya no.", REVIEW, ""),
    ("too many texts", REVIEW, ""),
    ("this is spam", REVIEW, ""),
    ("can you stop", REVIEW, ""),
    ("No me interesa", REVIEW, ""),
    ("demasiados mensajes", REVIEW, ""),
    ("Not interested", REVIEW, ""),
    # Answers to the shift question: never an opt-out.
    ("no, I can't make Tuesday", CANCELLED, ""),
    ("No puedo ir el martes", CANCELLED, ""),
    ("ya no puedo ir", CANCELLED, ""),
    ("I can't make it, sorry", CANCELLED, ""),
    ("cancel my shift", CANCELLED, ""),
    ("Cancela mi turno por favor", CANCELLED, ""),
    ("nope", CANCELLED, ""),
    ("No gracias", CANCELLED, ""),
    ("Sí, ahí estaré", CONFIRMED, ""),
    ("yes I'll be there", CONFIRMED, ""),
    ("Yes! See you then", CONFIRMED, ""),
    # Neither: stored for organizers.
    ("I'll stop by the office later", STORED, ""),
    ("Who is this?", STORED, ""),
    ("Can I bring my daughter?", STORED, ""),
    ("¿A qué hora empieza?", STORED, ""),
    ("no más de dos horas, ¿verdad?", STORED, ""),
    ("Is there parking? We can stop at the side door", STORED, ""),
]


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(DAYTIME, tick=True):
        yield


def _sent_to(n: int) -> list[str]:
    return [m.body for m in locmem.outbox if m.to == e164(n)]


@pytest.fixture
def volunteer_with_shifts(make_shift, sign_up):
    first = sign_up(make_shift(starts_at=DAYTIME + timedelta(days=3)), 1)
    second = sign_up(make_shift(starts_at=DAYTIME + timedelta(days=5)), 1)
    sms_dispatch_due()
    locmem.outbox.clear()
    return first, second


def test_the_table_has_enough_replies_in_both_languages():
    assert len(REPLIES) >= 30
    assert sum(1 for _, expected, _ in REPLIES if expected == OPT_OUT) >= 15
    assert sum(1 for _, expected, _ in REPLIES if expected != OPT_OUT) >= 15


@pytest.mark.parametrize(("text", "expected", "language"), REPLIES, ids=[r[0] for r in REPLIES])
def test_a_reply_is_read_for_what_it_means(
    api_client, make_shift, sign_up, volunteer_with_shifts, text, expected, language
):
    first, second = volunteer_with_shifts
    phone_hash = keyed_hash(e164(1))

    response = inbound(api_client, text, sid="SMreply")
    sms_dispatch_due()
    after_reply = _sent_to(1)
    consent_after_reply = SmsConsent.objects.filter(volunteer=first.volunteer).first()
    # Something else that would be texted now: a new signup's confirmation.
    sign_up(make_shift(starts_at=DAYTIME + timedelta(days=7)), 1)
    sms_dispatch_due()

    assert response.status_code == 200
    row = InboundSms.objects.get(message_sid="SMreply")
    first.signup.refresh_from_db()
    if expected == OPT_OUT:
        assert row.action == InboundAction.OPTED_OUT
        assert SmsOptOut.objects.filter(phone_hash=phone_hash).exists()
        assert (consent_after_reply.granted, consent_after_reply.method) == (False, "sms")
        assert first.signup.status == SignupStatus.CONFIRMED  # stopping texts keeps the shift
        # Exactly one confirmation, in the reply's language, and nothing after it.
        assert len(after_reply) == 1
        assert ("Listo" in after_reply[0]) is (language == "es"), after_reply
        assert _sent_to(1) == after_reply
        inbound(api_client, "stop texting me", sid="SMagain")
        sms_dispatch_due()
        assert _sent_to(1) == after_reply
    else:
        assert not SmsOptOut.objects.filter(phone_hash=phone_hash).exists()
    if expected == REVIEW:
        assert row.action == InboundAction.REVIEW
        assert SmsReview.objects.get(inbound=row).status == ReviewStatus.PENDING
        assert after_reply == []  # no help text either
        assert _sent_to(1) == []  # the new confirmation is held
        held = SmsMessage.objects.get(
            phone_hash=phone_hash, kind=SmsKind.CONFIRMATION, status="queued"
        )
        assert held.next_attempt_at > DAYTIME
        assert first.signup.status == SignupStatus.CONFIRMED
    else:
        assert not SmsReview.objects.exists()
    if expected == CANCELLED:
        assert row.action == InboundAction.CANCELLED
        assert (row.signup_id, first.signup.status) == (first.signup.pk, SignupStatus.CANCELLED)
    if expected == CONFIRMED:
        assert row.action == InboundAction.CONFIRMED
        assert first.signup.status == SignupStatus.CONFIRMED
    if expected == STORED:
        assert row.action == InboundAction.STORED
        assert first.signup.status == SignupStatus.CONFIRMED
        assert len(after_reply) == 1 and "HELP" not in after_reply[0]  # the help text
    second.signup.refresh_from_db()
    assert second.signup.status == SignupStatus.CONFIRMED


def test_carrier_keywords_get_no_confirmation_of_ours(api_client, volunteer_with_shifts):
    # Twilio answers STOP itself (and would refuse ours with 21610).
    inbound(api_client, "STOP", sid="SM1")
    sms_dispatch_due()

    assert _sent_to(1) == []
    assert SmsOptOut.objects.get().reason == "keyword"


def test_an_organizer_reads_a_held_reply_as_stop(
    api_client, client_for, organizer, volunteer_with_shifts
):
    inbound(api_client, "ya no", sid="SM1")
    listed = client_for(organizer).get("/api/sms/reviews").json()

    assert [r["inbound"]["body"] for r in listed["results"]] == ["ya no"]
    review_id = listed["results"][0]["id"]
    resolved = client_for(organizer).post(
        f"/api/sms/reviews/{review_id}/resolve", {"opt_out": True}, format="json"
    )
    again = client_for(organizer).post(
        f"/api/sms/reviews/{review_id}/resolve", {"opt_out": False}, format="json"
    )
    sms_dispatch_due()
    sms_dispatch_due()

    assert resolved.status_code == 200
    assert resolved.json()["status"] == "opted_out"
    assert again.status_code == 409
    assert SmsOptOut.objects.get().reason == "reviewed"
    assert len(_sent_to(1)) == 1 and "Listo" in _sent_to(1)[0]  # the hold was in Spanish
    assert client_for(organizer).get("/api/sms/reviews").json()["results"] == []


def test_an_organizer_releases_a_held_reply_and_the_texts_go_out(
    api_client, client_for, organizer, make_shift, sign_up, volunteer_with_shifts
):
    inbound(api_client, "too many texts", sid="SM1")
    sign_up(make_shift(starts_at=DAYTIME + timedelta(days=7)), 1)
    sms_dispatch_due()
    assert _sent_to(1) == []
    review = SmsReview.objects.get()

    resolved = client_for(organizer).post(
        f"/api/sms/reviews/{review.pk}/resolve", {"opt_out": False}, format="json"
    )
    with time_machine.travel(DAYTIME + timedelta(minutes=10), tick=False):
        sms_dispatch_due()

    assert resolved.status_code == 200
    assert resolved.json()["status"] == "released"
    assert not SmsOptOut.objects.exists()
    assert len(_sent_to(1)) == 1 and "confirmed" in _sent_to(1)[0]
    assert (
        SmsMessage.objects.filter(kind=SmsKind.CONFIRMATION, status=SmsStatus.QUEUED).count() == 0
    )


def test_the_review_queue_is_for_organizers_only(
    api_client, client_for, lead_a, canvasser_a, volunteer_with_shifts
):
    inbound(api_client, "ya no", sid="SM1")
    review = SmsReview.objects.get()

    for user in (lead_a, canvasser_a):
        assert client_for(user).get("/api/sms/reviews").status_code == 403
        denied = client_for(user).post(
            f"/api/sms/reviews/{review.pk}/resolve", {"opt_out": True}, format="json"
        )
        assert denied.status_code == 403
    bad = client_for(lead_a).post("/api/sms/reviews/999999/resolve", {}, format="json")

    assert bad.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    assert not SmsOptOut.objects.exists()


def test_start_after_an_unclear_reply_releases_the_hold(api_client, volunteer_with_shifts):
    inbound(api_client, "ya no", sid="SM1")

    inbound(api_client, "START", sid="SM2")
    sms_dispatch_due()

    assert SmsReview.objects.get().status == ReviewStatus.RELEASED
    assert len(_sent_to(1)) == 1 and "texts again" in _sent_to(1)[0]
