"""Public endorsements, from the outside: the form, double opt-in by a YES / SI text through the
signed webhook or by the signed link, expiry, one per phone / email / organization, throttles,
moderation, invitations that respect the consent scope, erasure."""

# The SMS fixtures are imported from tests/messaging/conftest.py, so the test arguments that
# name them "redefine" the imports.
# ruff: noqa: F811
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle
from twilio.request_validator import RequestValidator

from backend.audit.models import AuditEvent
from backend.celery import app as celery_app
from backend.crypto import keyed_hash
from canvass.models import (
    Endorsement,
    EndorsementConsent,
    EndorsementStatus,
    Household,
    Plank,
)
from canvass.services.endorsements import endorsements_purge_expired
from events.models import SignupStatus
from events.services.signups import signup_create
from messaging.models import InboundAction, InboundSms, SmsKind, SmsMessage, SmsStatus
from messaging.services.dispatch import sms_dispatch_due
from messaging.services.outbox import sms_endorser_enqueue
from tests.events.helpers import e164, phone
from tests.messaging.conftest import (  # noqa: F401 - the SMS fixtures, shared
    AUTH_TOKEN,
    PUBLIC_BASE_URL,
    fake_twilio,
    make_event,
    make_location,
    make_shift,
    sms_settings,
)

pytestmark = pytest.mark.django_db

DAYTIME = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)  # 10:00 in Iowa: no quiet hours


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(DAYTIME, tick=True):
        yield


def person(n: int = 1, **extra):
    body = {
        "kind": "person",
        "name": f"Ana Garcia{n}",
        "zip_code": "50309",
        "city": "Des Moines",
        "phone": phone(n),
        "sms_consent": True,
        "listed_publicly": True,
        "language": "en",
    }
    body.update(extra)
    return {key: value for key, value in body.items() if value is not None}


def organization(**extra):
    body = {
        "kind": "organization",
        "name": "Iowa Workers Center",
        "organization_kind": "labor",
        "contact_person": "Luis Perez",
        "city": "Des Moines",
        "website": "https://workers.example.org",
        "email": "info@workers.example.org",
        "listed_publicly": True,
    }
    body.update(extra)
    return {key: value for key, value in body.items() if value is not None}


def endorse(client, body, **extra):
    # The confirmation email leaves once the transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/api/public/endorsements", body, format="json", **extra)


def text_in(client, body: str, *, number: int = 1, sid: str = "SM1"):
    """An inbound text through the signed webhook (the real validator computes the signature)."""
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
    response = client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code == 200, response.content
    return InboundSms.objects.get(message_sid=sid)


def link_token(text: str) -> str:
    match = re.search(r"/api/public/endorsements/confirm/(\S+?)(?:\s|$)", text)
    assert match, text
    return match.group(1)


def public(client, **query):
    response = client.get("/api/public/endorsements", query)
    assert response.status_code == 200, response.content
    return response.json()


# --- The text flow: form, confirmation text, YES / SI through the webhook ---------------------


def test_a_person_endorses_and_confirms_by_replying_si_through_the_webhook(api_client, fake_twilio):
    response = endorse(api_client, person(1, language="es"))

    assert response.status_code == 201, response.content
    body = response.json()
    endorsement = Endorsement.objects.get()
    assert body.pop("expires_at").startswith("2026-10-08T15:00:0")  # 72 h (the clock ticks)
    assert body == {
        "id": endorsement.pk,
        "kind": "person",
        "status": "pending",
        "planks": [p.code for p in Plank.objects.filter(active=True).order_by("position", "id")],
        "confirm_by": ["sms"],
    }
    assert len(body["planks"]) == 4
    # Stored: the number encrypted at rest, found by its keyed hash; both consent answers kept.
    assert endorsement.phone == e164(1)
    assert endorsement.phone_hash == keyed_hash(e164(1))
    assert endorsement.county == ""  # no household in this ZIP yet
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM canvass_endorsement WHERE id = %s", [endorsement.pk])
        (raw,) = cursor.fetchone()
    assert e164(1) not in raw and "555" not in raw
    consents = {c.scope: (c.granted, c.wording) for c in EndorsementConsent.objects.all()}
    assert consents["endorsement_texts"][0] is True
    assert consents["endorsement_texts"][1].startswith("Yes, text me to confirm")
    assert consents["shift_invitations"][0] is False
    # Nothing public yet.
    assert public(api_client)["results"] == []
    assert public(api_client)["counts"]["total"] == 0

    report = sms_dispatch_due()
    assert report.sent == 1
    (sent,) = fake_twilio.accepted
    assert sent["To"] == e164(1)
    assert "Responde SI para confirmar" in sent["Body"]
    assert link_token(sent["Body"])
    assert SmsMessage.objects.get().kind == SmsKind.ENDORSEMENT_CONFIRMATION

    inbound = text_in(api_client, "Sí!")

    assert inbound.action == InboundAction.ENDORSED
    endorsement.refresh_from_db()
    assert endorsement.status == EndorsementStatus.CONFIRMED
    assert endorsement.confirmed_via == "sms"
    assert endorsement.expires_at is None
    reply = SmsMessage.objects.get(in_reply_to=inbound)
    assert reply.body.endswith("Tu apoyo a la Plataforma de Justicia Migrante esta confirmado.")
    listed = public(api_client)
    assert listed["results"][0].pop("confirmed_at").startswith("2026-10-05T15:00:0")
    assert listed["results"] == [
        {
            "kind": "person",
            "name": "Ana G.",
            "organization_kind": "",
            "city": "Des Moines",
            "county": "",
            "planks": body["planks"],
        }
    ]
    # No phone, ZIP, email or full name on the public page.
    assert "Garcia1" not in str(listed) and "50309" not in str(listed)
    assert listed["counts"]["total"] == 1
    assert listed["counts"]["people"] == 1
    assert listed["counts"]["by_county"] == [{"county": "Unknown", "count": 1}]


def test_yes_from_a_volunteer_without_a_pending_endorsement_still_confirms_their_shift(
    api_client, make_shift
):
    shift = make_shift(starts_at=timezone.now() + timedelta(days=2))
    signup = signup_create(
        shift_id=shift.pk, name="Volunteer", phone=phone(2), sms_consent=True
    ).signup
    # Another number has a pending endorsement: it must not take this volunteer's YES.
    assert endorse(api_client, person(3)).status_code == 201

    inbound = text_in(api_client, "YES", number=2)

    assert inbound.action == InboundAction.CONFIRMED
    assert inbound.signup_id == signup.pk
    assert Endorsement.objects.get().status == EndorsementStatus.PENDING


def test_a_pending_endorsement_takes_the_yes_then_the_next_yes_is_the_shifts(
    api_client, make_shift
):
    shift = make_shift(starts_at=timezone.now() + timedelta(days=2))
    signup = signup_create(shift_id=shift.pk, name="V", phone=phone(4), sms_consent=True).signup
    assert endorse(api_client, person(4)).status_code == 201

    first = text_in(api_client, "yes", number=4, sid="SM10")
    second = text_in(api_client, "yes", number=4, sid="SM11")

    assert first.action == InboundAction.ENDORSED
    assert second.action == InboundAction.CONFIRMED
    assert second.signup_id == signup.pk
    assert signup.__class__.objects.get(pk=signup.pk).status == SignupStatus.CONFIRMED


def test_no_from_an_endorser_does_not_confirm(api_client):
    assert endorse(api_client, person(5)).status_code == 201

    inbound = text_in(api_client, "NO", number=5)

    assert inbound.action != InboundAction.ENDORSED
    assert Endorsement.objects.get().status == EndorsementStatus.PENDING


# --- The link flow: email, GET looks, POST confirms ------------------------------------------


def test_an_organization_confirms_through_the_emailed_signed_link(api_client):
    response = endorse(api_client, organization())

    assert response.status_code == 201, response.content
    assert response.json()["confirm_by"] == ["email"]
    (message,) = mail.outbox
    assert message.to == ["info@workers.example.org"]
    token = link_token(message.body)
    url = f"/api/public/endorsements/confirm/{token}"

    looked = api_client.get(url)
    assert looked.status_code == 200
    assert looked.json()["status"] == "pending"
    assert Endorsement.objects.get().status == EndorsementStatus.PENDING  # a GET changes nothing

    confirmed = api_client.post(url)
    again = api_client.post(url)

    assert confirmed.status_code == 200 and again.status_code == 200
    assert again.json()["status"] == "confirmed"
    endorsement = Endorsement.objects.get()
    assert endorsement.confirmed_via == "link"
    assert public(api_client)["results"][0] | {"confirmed_at": None} == {
        "kind": "organization",
        "name": "Iowa Workers Center",
        "organization_kind": "labor",
        "city": "Des Moines",
        "county": "",
        "planks": [p.code for p in Plank.objects.filter(active=True).order_by("position", "id")],
        "confirmed_at": None,
    }
    assert AuditEvent.objects.filter(action="endorsement.confirmed").count() == 1


def test_a_tampered_link_is_a_404_invalid_link(api_client):
    endorse(api_client, organization())
    token = link_token(mail.outbox[0].body)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = api_client.post(f"/api/public/endorsements/confirm/{forged}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invalid_link"
    assert Endorsement.objects.get().status == EndorsementStatus.PENDING


def test_unlisted_endorsements_count_but_are_not_listed(api_client):
    endorse(api_client, organization(listed_publicly=False))
    api_client.post(f"/api/public/endorsements/confirm/{link_token(mail.outbox[0].body)}")

    listed = public(api_client)

    assert listed["results"] == [] and listed["count"] == 0
    assert listed["counts"]["organizations"] == 1


def test_planks_chosen_are_counted_per_plank(api_client):
    codes = list(Plank.objects.filter(active=True).values_list("code", flat=True))
    endorse(api_client, organization(planks=[codes[0]]))
    api_client.post(f"/api/public/endorsements/confirm/{link_token(mail.outbox[0].body)}")

    by_plank = {row["code"]: row["count"] for row in public(api_client)["counts"]["by_plank"]}

    assert by_plank == {code: (1 if code == codes[0] else 0) for code in codes}


def test_the_county_comes_from_the_voter_files_households_in_the_zip(api_client):
    for n, county in enumerate(("Polk", "Polk", "Dallas")):
        Household.objects.create(
            street=f"{n} MAIN ST",
            address_key=f"{n} MAIN ST 50309",
            city="DES MOINES",
            zip_code="50309",
            county=county,
        )
    endorse(api_client, person(6, phone=None, sms_consent=None, email="ana@example.org"))
    api_client.post(f"/api/public/endorsements/confirm/{link_token(mail.outbox[0].body)}")

    assert Endorsement.objects.get().county == "Polk"
    assert public(api_client)["counts"]["by_county"] == [{"county": "Polk", "count": 1}]


# --- Bad input: a 4xx naming the field, nothing stored ----------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (person(name=None), "name"),
        (person(name="   "), "name"),
        (person(phone="555-1234"), "phone"),
        (person(phone="(800) 555-0134"), "phone"),
        (person(zip_code="5030"), "zip_code"),
        (person(zip_code=None), "zip_code"),
        (person(sms_consent=False), "sms_consent"),
        (person(phone=None, sms_consent=None, shift_invite_consent=True), "shift_invite_consent"),
        (person(planks=["end-the-wall"]), "planks"),
        (person(planks=[]), "planks"),
        (person(county="Cook"), "county"),
        (person(language="fr"), "language"),
        (person(phone=None, sms_consent=None), "phone"),
        (organization(website="ftp://workers.example.org"), "website"),
        (organization(website="javascript:alert(1)"), "website"),
        (organization(contact_person=""), "contact_person"),
        (organization(city=None), "city"),
        (organization(organization_kind=None), "organization_kind"),
        (organization(email="not-an-email"), "email"),
        ({**person(), "kind": "robot"}, "kind"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(api_client, body, field):
    response = endorse(api_client, body)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert Endorsement.objects.count() == 0
    assert EndorsementConsent.objects.count() == 0
    assert SmsMessage.objects.count() == 0
    assert mail.outbox == []


def test_an_organization_that_already_endorsed_is_a_409_naming_the_name(api_client):
    assert endorse(api_client, organization()).status_code == 201

    response = endorse(
        api_client,
        organization(name="The Iowa Workers Center, Inc.", email="other@example.org"),
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_endorsed"
    assert list(response.json()["error"]["fields"]) == ["name"]
    assert Endorsement.objects.count() == 1
    # The same name in another city is another organization.
    assert (
        endorse(api_client, organization(city="Ames", email="ames@example.org")).status_code == 201
    )


def test_a_second_endorsement_from_a_number_is_a_409_that_says_the_same_pending_or_confirmed(
    api_client,
):
    endorse(api_client, person(7))
    pending_answer = endorse(api_client, person(7, name="Someone Else", email="x@example.org"))
    text_in(api_client, "YES", number=7)
    confirmed_answer = endorse(api_client, person(7, name="Someone Else", email="x@example.org"))

    assert pending_answer.status_code == confirmed_answer.status_code == 409
    assert pending_answer.json() == confirmed_answer.json()
    assert pending_answer.json()["error"] == {
        "code": "already_endorsed",
        "message": "This phone number already has an endorsement.",
        "fields": {"phone": ["This phone number already has an endorsement."]},
    }
    assert "Ana" not in str(confirmed_answer.json())
    assert Endorsement.objects.count() == 1


def test_a_second_endorsement_from_an_email_is_a_409_naming_the_email(api_client):
    endorse(api_client, person(8, phone=None, sms_consent=None, email="Ana@Example.org"))

    response = endorse(api_client, person(9, phone=None, sms_consent=None, email="ana@example.org"))

    assert response.status_code == 409
    assert list(response.json()["error"]["fields"]) == ["email"]


# --- Expiry -----------------------------------------------------------------------------------


def test_an_unconfirmed_endorsement_expires_its_link_and_yes_stop_and_the_purge_removes_it(
    api_client,
):
    endorse(api_client, person(10, email="late@example.org"))
    token = link_token(mail.outbox[0].body)
    assert SmsMessage.objects.filter(kind=SmsKind.ENDORSEMENT_CONFIRMATION).exists()

    with time_machine.travel(DAYTIME + timedelta(hours=73), tick=False):
        link = api_client.post(f"/api/public/endorsements/confirm/{token}")
        inbound = text_in(api_client, "YES", number=10)
        purged = endorsements_purge_expired()

    assert link.status_code == 404
    assert inbound.action != InboundAction.ENDORSED
    assert purged == 1
    assert Endorsement.objects.count() == 0
    confirmation = SmsMessage.objects.get(kind=SmsKind.ENDORSEMENT_CONFIRMATION)
    assert confirmation.phone == "" and confirmation.body == ""
    # The number may endorse again.
    with time_machine.travel(DAYTIME + timedelta(hours=74), tick=False):
        assert endorse(api_client, person(10)).status_code == 201


def test_the_purge_keeps_what_has_not_expired_and_what_is_confirmed(api_client):
    endorse(api_client, person(11))
    endorse(api_client, person(12))
    text_in(api_client, "YES", number=12)

    with time_machine.travel(DAYTIME + timedelta(hours=71), tick=False):
        assert endorsements_purge_expired() == 0
    with time_machine.travel(DAYTIME + timedelta(hours=100), tick=False):
        assert endorsements_purge_expired() == 1

    assert list(Endorsement.objects.values_list("status", flat=True)) == ["confirmed"]


def test_the_purge_runs_from_the_beat_schedule():
    import canvass.tasks  # noqa: F401 - what the worker's autodiscovery imports

    entry = celery_app.conf.beat_schedule["endorsements-purge-expired"]
    assert entry["task"] == "endorsements.purge_expired"
    assert entry["task"] in celery_app.tasks


# --- Throttles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rates", "vary_phone"),
    [
        ({"endorsement": "2/hour", "endorsement_phone": "100/hour"}, True),
        ({"endorsement_phone": "2/hour"}, False),
    ],
    ids=["per-ip", "per-phone"],
)
def test_endorsements_are_throttled_per_ip_and_per_phone(
    api_client, monkeypatch, rates, vary_phone
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates}
    )
    start = DAYTIME.replace(minute=10)
    with time_machine.travel(start, tick=False):
        answers = [
            endorse(
                api_client,
                person(20 + n if vary_phone else 20),
                REMOTE_ADDR="198.51.100.9" if vary_phone else f"198.51.100.{n + 10}",
            )
            for n in range(3)
        ]

    # Per phone, the refused second attempt (409) counts too: probing numbers is bounded.
    expected = [201, 201, 429] if vary_phone else [201, 409, 429]
    assert [a.status_code for a in answers] == expected
    assert answers[2].json()["error"]["code"] == "throttled"
    assert Endorsement.objects.count() == (2 if vary_phone else 1)


# --- Organizers: list, detail, moderation ------------------------------------------------------


def _confirmed(api_client, n: int, **extra) -> Endorsement:
    endorse(api_client, person(n, **extra))
    text_in(api_client, "YES", number=n, sid=f"SMC{n}")
    endorsement = Endorsement.objects.get(phone_hash=keyed_hash(e164(n)))
    assert endorsement.status == EndorsementStatus.CONFIRMED
    return endorsement


def test_organizers_see_full_data_and_other_roles_do_not(
    api_client, client_for, organizer, lead_a, canvasser_a
):
    endorsement = _confirmed(api_client, 30, email="ana30@example.org")

    listed = client_for(organizer).get("/api/endorsements")
    detail = client_for(organizer).get(f"/api/endorsements/{endorsement.pk}")

    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert detail.status_code == 200
    data = detail.json()
    assert data["name"] == "Ana Garcia30"
    assert data["phone"] == e164(30)
    assert data["email"] == "ana30@example.org"
    assert data["zip_code"] == "50309"
    assert data["consents"] == {"endorsement_texts": True, "shift_invitations": False}
    for user, expected in ((lead_a, 403), (canvasser_a, 403), (None, 401)):
        assert client_for(user).get("/api/endorsements").status_code == expected
        assert client_for(user).get(f"/api/endorsements/{endorsement.pk}").status_code == expected
    assert client_for(organizer).get("/api/endorsements/999999").status_code == 404
    assert client_for(organizer).get("/api/endorsements", {"status": "nope"}).status_code == 400


def test_hiding_and_restoring_with_a_reason_is_audited_and_changes_the_public_list(
    api_client, client_for, organizer, lead_a
):
    endorsement = _confirmed(api_client, 31)
    staff = client_for(organizer)
    url = f"/api/endorsements/{endorsement.pk}"

    no_reason = staff.post(f"{url}/hide", {"reason": ""}, format="json")
    by_lead = client_for(lead_a).post(f"{url}/hide", {"reason": "spam"}, format="json")
    hidden = staff.post(f"{url}/hide", {"reason": "Duplicate of a family member"}, format="json")
    twice = staff.post(f"{url}/hide", {"reason": "again"}, format="json")

    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert by_lead.status_code == 403
    assert hidden.status_code == 200
    assert hidden.json()["hidden"] is True
    assert hidden.json()["hidden_reason"] == "Duplicate of a family member"
    assert hidden.json()["hidden_by"] == organizer.pk
    assert twice.status_code == 409
    assert public(api_client)["results"] == []
    assert public(api_client)["counts"]["total"] == 0

    restored = staff.post(f"{url}/restore", {"reason": "Checked: a real person"}, format="json")

    assert restored.status_code == 200 and restored.json()["hidden"] is False
    assert public(api_client)["counts"]["total"] == 1
    actions = list(
        AuditEvent.objects.filter(action__in=["endorsement.hidden", "endorsement.restored"])
        .order_by("id")
        .values_list("action", "actor_id", "details")
    )
    assert actions == [
        ("endorsement.hidden", organizer.pk, {"reason": "Duplicate of a family member"}),
        ("endorsement.restored", organizer.pk, {"reason": "Checked: a real person"}),
    ]


# --- Shift invitations: only the shift-invitation scope ---------------------------------------


def test_invitations_go_only_to_endorsers_who_asked_for_shift_texts(
    api_client, client_for, organizer, make_event, fake_twilio
):
    both = _confirmed(api_client, 40, shift_invite_consent=True)
    only_endorsement = _confirmed(api_client, 41)
    pending = endorse(api_client, person(42, shift_invite_consent=True))
    assert pending.status_code == 201
    event = make_event(title="Caucus training")
    sms_dispatch_due()
    fake_twilio.accepted.clear()

    response = client_for(organizer).post(
        "/api/endorsements/invitations", {"event": event.pk}, format="json"
    )
    again = client_for(organizer).post(
        "/api/endorsements/invitations", {"event": event.pk}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json() == {
        "event": event.pk,
        "invited": 1,
        "already_invited": 0,
        "without_consent": 1,
    }
    assert again.json() == {
        "event": event.pk,
        "invited": 0,
        "already_invited": 1,
        "without_consent": 1,
    }
    invitations = SmsMessage.objects.filter(kind=SmsKind.SHIFT_INVITATION)
    assert list(invitations.values_list("endorsement_id", flat=True)) == [both.pk]
    sms_dispatch_due()
    assert [sent["To"] for sent in fake_twilio.accepted] == [e164(40)]
    assert "Caucus training" in fake_twilio.accepted[0]["Body"]
    assert f"/api/public/events/{event.pk}" in fake_twilio.accepted[0]["Body"]
    assert not SmsMessage.objects.filter(
        endorsement=only_endorsement, kind=SmsKind.SHIFT_INVITATION
    )


def test_a_shift_text_queued_for_an_endorsement_only_consent_is_never_sent(
    api_client, make_event, fake_twilio
):
    only_endorsement = _confirmed(api_client, 43)
    event = make_event()
    sms_dispatch_due()
    fake_twilio.accepted.clear()

    message = sms_endorser_enqueue(
        kind=SmsKind.SHIFT_INVITATION,
        endorsement_id=only_endorsement.pk,
        phone=only_endorsement.phone,
        phone_hash=only_endorsement.phone_hash or "",
        body="shift text",
        language="en",
        event_id=event.pk,
    )
    sms_dispatch_due()

    assert message is not None
    message.refresh_from_db()
    assert (message.status, message.skip_reason) == (SmsStatus.SKIPPED, "no_consent")
    assert fake_twilio.accepted == []


def test_invitations_need_an_organizer_and_a_real_event(client_for, organizer, lead_a, canvasser_a):
    for user, expected in ((lead_a, 403), (canvasser_a, 403), (None, 401)):
        answer = client_for(user).post("/api/endorsements/invitations", {"event": 1}, format="json")
        assert answer.status_code == expected
    missing = client_for(organizer).post(
        "/api/endorsements/invitations", {"event": 999999}, format="json"
    )
    assert missing.status_code == 400
    assert list(missing.json()["error"]["fields"]) == ["event"]


# --- Erasure ----------------------------------------------------------------------------------


def test_an_erased_endorser_leaves_the_public_list_and_the_data_goes(
    api_client, client_for, organizer
):
    endorsement = _confirmed(api_client, 50, email="erase.me@example.org")
    assert public(api_client)["counts"]["total"] == 1

    response = client_for(organizer).post(
        "/api/privacy/erasures", {"kind": "endorser", "id": endorsement.pk}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["counts"]["endorsements"] == 1
    endorsement.refresh_from_db()
    assert endorsement.name == "(erased)"
    assert (endorsement.phone, endorsement.phone_hash, endorsement.email) == ("", None, "")
    assert endorsement.erased_at is not None
    assert EndorsementConsent.objects.filter(endorsement=endorsement).count() == 0
    assert all(m.phone == "" and m.body == "" for m in SmsMessage.objects.all())
    assert all(i.phone == "" and i.body == "" for i in InboundSms.objects.all())
    listed = public(api_client)
    assert listed["results"] == [] and listed["counts"]["total"] == 0
    assert AuditEvent.objects.filter(action="privacy.erased", target_type="endorser").exists()
    # The number and the email are free again.
    assert endorse(api_client, person(50, email="erase.me@example.org")).status_code == 201


def test_erasing_an_unknown_endorser_is_a_404(client_for, organizer):
    response = client_for(organizer).post(
        "/api/privacy/erasures", {"kind": "endorser", "id": 424242}, format="json"
    )
    assert response.status_code == 404


# --- The public list's cost ------------------------------------------------------------------


def test_the_public_list_query_count_does_not_grow_with_the_data(api_client):
    _confirmed(api_client, 60)
    with CaptureQueriesContext(connection) as few:
        public(api_client)
    for n in range(61, 66):
        _confirmed(api_client, n)
    with CaptureQueriesContext(connection) as many:
        assert len(public(api_client)["results"]) == 6

    assert len(many.captured_queries) == len(few.captured_queries)


# --- Demo data --------------------------------------------------------------------------------


def test_the_demo_endorsements_are_confirmed_and_loading_twice_adds_nothing(api_client):
    from io import StringIO

    from django.core.management.base import OutputWrapper

    from canvass.demo import DEMO_ENDORSEMENTS, load_endorsements

    load_endorsements(OutputWrapper(StringIO()))
    out = StringIO()
    load_endorsements(OutputWrapper(out))

    assert "0 confirmed endorsements added" in out.getvalue()
    assert Endorsement.objects.filter(status=EndorsementStatus.CONFIRMED).count() == len(
        DEMO_ENDORSEMENTS
    )
    assert mail.outbox == []
    listed = public(api_client)
    assert listed["count"] == 4
    assert "Demo E." in {row["name"] for row in listed["results"]}


# --- Concurrency ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_endorsements_from_one_number_store_exactly_one():
    from canvass.errors import AlreadyEndorsedError
    from canvass.services.endorsements import endorsement_create
    from tests.events.test_concurrency import run_at_once

    results = run_at_once(
        6,
        lambda i: (
            endorsement_create(
                kind="person",
                name=f"Same Number{i}",
                zip_code="50309",
                phone=phone(70),
                sms_consent=True,
            ).endorsement.pk
        ),
    )

    assert sum(isinstance(result, int) for result in results) == 1, results
    assert all(isinstance(result, int | AlreadyEndorsedError) for result in results), results
    assert Endorsement.objects.count() == 1


def test_an_invitation_to_an_event_cancelled_before_it_left_is_skipped(
    api_client, client_for, organizer, make_event, fake_twilio
):
    from events.models import Event, EventStatus

    _confirmed(api_client, 44, shift_invite_consent=True)
    event = make_event()
    sms_dispatch_due()
    fake_twilio.accepted.clear()
    client_for(organizer).post("/api/endorsements/invitations", {"event": event.pk}, format="json")
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)

    sms_dispatch_due()

    invitation = SmsMessage.objects.get(kind=SmsKind.SHIFT_INVITATION)
    assert (invitation.status, invitation.skip_reason) == (SmsStatus.SKIPPED, "event_not_scheduled")
    assert fake_twilio.accepted == []
