"""A canvasser's account links to their volunteer record, once they prove they hold the number.

Knowing a phone number is not proof: the number gets a one-time code by text (or the person
uses their own signed manage link), and before that nothing about the volunteer is returned or
written.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from backend.audit.models import AuditEvent
from backend.sms.backends import locmem
from events.models import Volunteer, VolunteerLinkCode
from messaging.models import SmsConsent, SmsKind, SmsMessage, SmsOptOut
from tests.events.helpers import e164, phone, signup_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_RATE_PER_SECOND = 0
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


def texted_code(n: int) -> str:
    """The code in the newest text sent to volunteer n's number."""
    sent = [m for m in locmem.outbox if m.to == e164(n)]
    assert sent, f"no text to {e164(n)}"
    found = re.search(r"\b(\d{6})\b", sent[-1].body)
    assert found, sent[-1].body
    return found.group(1)


def ask_code(client, n: int):
    return client.post("/api/me/volunteer", {"phone": phone(n)}, format="json")


def verify(client, n: int, code: str, *, sms_consent: bool = True):
    return client.post(
        "/api/me/volunteer/verify",
        {"phone": phone(n), "code": code, "sms_consent": sms_consent},
        format="json",
    )


def link(client, n: int, *, sms_consent: bool = False):
    assert ask_code(client, n).status_code == 202
    return verify(client, n, texted_code(n), sms_consent=sms_consent)


def test_a_canvasser_links_the_volunteer_record_that_has_their_phone(
    api_client, client_for, canvasser_a, make_shift
):
    shift = make_shift(starts_at=timezone.now() + timedelta(days=2))
    api_client.post(f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json")
    client = client_for(canvasser_a)

    assert client.get("/api/me/volunteer").status_code == 404
    asked = ask_code(client, 1)
    assert asked.status_code == 202
    assert Volunteer.objects.get().user is None  # not before the proof
    # One clock for both answers: the manage link is signed with the current second.
    with time_machine.travel(timezone.now(), tick=False):
        linked = verify(client, 1, texted_code(1))
        body = client.get("/api/me/volunteer").json()

    assert linked.status_code == 200
    assert Volunteer.objects.get().user == canvasser_a
    assert (body["name"], body["phone_last4"], body["sms_consent"]) == ("Volunteer 1", "0101", True)
    assert [s["shift"]["id"] for s in body["signups"]] == [shift.pk]
    assert SmsConsent.objects.latest("recorded_at").method == "app"
    assert linked.json() == body
    assert set(AuditEvent.objects.filter(actor=canvasser_a).values_list("action", flat=True)) == {
        "volunteer.link_code_sent",
        "volunteer.linked",
    }


def test_asking_with_someone_elses_number_reveals_and_writes_nothing(
    api_client, client_for, canvasser_b, make_shift
):
    shift = make_shift(starts_at=timezone.now() + timedelta(days=2))
    api_client.post(f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json")
    victim = Volunteer.objects.get()
    consents_before = list(SmsConsent.objects.values_list("id", flat=True))
    attacker = client_for(canvasser_b)

    known = ask_code(attacker, 1)
    unknown = ask_code(attacker, 7)  # nobody has this number

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert "Volunteer 1" not in known.content.decode()
    assert "manage" not in known.json()
    victim.refresh_from_db()
    assert victim.user is None
    assert list(SmsConsent.objects.values_list("id", flat=True)) == consents_before
    assert Volunteer.objects.count() == 1  # no record made for the unknown number either
    # The codes went to the numbers themselves, not to the caller.
    assert {m.to for m in locmem.outbox if "code" in m.body} == {e164(1), e164(7)}
    assert attacker.get("/api/me/volunteer").status_code == 404
    # Guessing links nothing.
    assert verify(attacker, 1, "000000").status_code == 400
    victim.refresh_from_db()
    assert victim.user is None
    assert list(SmsConsent.objects.values_list("id", flat=True)) == consents_before
    # Every attempt is audited, with ids only (no number, not even its last four digits).
    events = AuditEvent.objects.filter(actor=canvasser_b).order_by("id")
    assert [e.action for e in events] == [
        "volunteer.link_code_sent",
        "volunteer.link_code_sent",
        "volunteer.link_failed",
    ]
    for event in events:
        text = f"{event.target_type} {event.target_id} {event.details}"
        assert "0101" not in text and "0107" not in text and "555" not in text, text


def test_a_code_works_only_for_the_account_that_asked_for_it(client_for, canvasser_a, lead_b):
    assert ask_code(client_for(canvasser_a), 1).status_code == 202
    code = texted_code(1)

    stolen = verify(client_for(lead_b), 1, code)

    assert stolen.status_code == 400
    assert stolen.json()["error"]["code"] == "invalid_code"
    assert Volunteer.objects.count() == 0
    assert verify(client_for(canvasser_a), 1, code).status_code == 200
    assert Volunteer.objects.get().user == canvasser_a


def test_a_code_dies_after_five_wrong_tries(client_for, canvasser_a):
    client = client_for(canvasser_a)
    ask_code(client, 1)
    code = texted_code(1)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [verify(client, 1, wrong) for _ in range(5)]
    late = verify(client, 1, code)

    assert [a.status_code for a in answers] == [400] * 5
    assert answers[0].json()["error"]["fields"] == {"code": ["Wrong or expired code."]}
    assert late.status_code == 400
    assert Volunteer.objects.count() == 0
    assert SmsConsent.objects.count() == 0
    assert VolunteerLinkCode.objects.get().attempts == 5


def test_an_expired_code_is_refused(client_for, canvasser_a, settings):
    settings.VOLUNTEER_LINK_CODE_TTL_SECONDS = 600
    client = client_for(canvasser_a)
    ask_code(client, 1)
    code = texted_code(1)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        late = verify(client, 1, code)

    assert late.status_code == 400
    assert Volunteer.objects.count() == 0


def test_a_new_code_replaces_the_old_one(client_for, canvasser_a):
    client = client_for(canvasser_a)
    ask_code(client, 1)
    first = texted_code(1)
    ask_code(client, 1)
    second = texted_code(1)

    if first != second:
        assert verify(client, 1, first).status_code == 400
    assert verify(client, 1, second).status_code == 200


def test_the_code_is_kept_only_as_a_keyed_hash(client_for, canvasser_a):
    ask_code(client_for(canvasser_a), 1)
    code = texted_code(1)

    row = VolunteerLinkCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    text = SmsMessage.objects.get(kind=SmsKind.VERIFICATION)
    assert code not in text.body and "******" in text.body
    assert text.status == "sent" and text.volunteer is None


def test_codes_are_limited_per_number_across_accounts(
    client_for, canvasser_a, canvasser_b, lead_a, settings
):
    settings.VOLUNTEER_LINK_CODES_PER_NUMBER = 3
    answers = [ask_code(client_for(user), 1) for user in (canvasser_a, canvasser_b, lead_a)]
    fourth = ask_code(client_for(canvasser_a), 1)

    assert [a.status_code for a in answers] == [202, 202, 202]
    assert fourth.status_code == 429
    assert int(fourth["Retry-After"]) > 0
    assert len([m for m in locmem.outbox if m.to == e164(1)]) == 3
    assert AuditEvent.objects.filter(action="volunteer.link_throttled").count() == 1


def test_codes_are_limited_per_account(client_for, canvasser_a, settings):
    settings.VOLUNTEER_LINK_CODES_PER_ACCOUNT = 5
    client = client_for(canvasser_a)

    answers = [ask_code(client, n).status_code for n in range(1, 7)]

    assert answers == [202] * 5 + [429]
    assert len(locmem.outbox) == 5


def test_confirmations_are_limited_per_account(client_for, canvasser_a, settings):
    settings.VOLUNTEER_LINK_VERIFY_PER_ACCOUNT = 3
    client = client_for(canvasser_a)
    ask_code(client, 1)
    code = texted_code(1)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [verify(client, 1, wrong).status_code for _ in range(3)]
    blocked = verify(client, 1, code)

    assert answers == [400, 400, 400]
    assert blocked.status_code == 429
    assert Volunteer.objects.count() == 0


def test_an_opted_out_number_gets_no_text_and_the_same_answer(client_for, canvasser_a):
    from backend.crypto import keyed_hash

    SmsOptOut.objects.create(
        phone_hash=keyed_hash(e164(1)), reason="keyword", opted_out_at=timezone.now()
    )

    asked = ask_code(client_for(canvasser_a), 1)

    assert asked.status_code == 202
    assert locmem.outbox == []
    assert SmsMessage.objects.get().skip_reason == "opted_out"


def test_the_volunteers_own_manage_link_links_the_record(
    api_client, client_for, canvasser_a, make_shift, settings
):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_RATE_PER_SECOND = 0
    shift = make_shift(starts_at=timezone.now() + timedelta(days=2))
    signup = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1), format="json"
    ).json()
    locmem.outbox.clear()
    api_client.post("/api/public/manage-link", {"phone": phone(1)}, format="json")
    texted = locmem.outbox[-1].body.rsplit("/api/public/me/", 1)[1].split()[0]
    client = client_for(canvasser_a)

    forged = client.post(
        "/api/me/volunteer/verify",
        {"manage_token": texted + "x", "sms_consent": True},
        format="json",
    )
    # The link in the signup answer went to whoever typed the number: no proof of owning it.
    typed = client.post(
        "/api/me/volunteer/verify",
        {"manage_token": signup["manage_token"], "sms_consent": True},
        format="json",
    )
    linked = client.post(
        "/api/me/volunteer/verify",
        {"manage_token": texted, "sms_consent": True},
        format="json",
    )

    assert forged.status_code == 400
    assert forged.json()["error"]["fields"] == {
        "manage_token": ["This link is not valid or has expired."]
    }
    assert typed.status_code == 400
    assert "manage_token" in typed.json()["error"]["fields"]
    assert linked.status_code == 200
    assert linked.json()["name"] == "Volunteer 1"
    assert Volunteer.objects.get().user == canvasser_a
    locmem.outbox.clear()


def test_verify_needs_a_proof(client_for, canvasser_a):
    response = client_for(canvasser_a).post(
        "/api/me/volunteer/verify", {"sms_consent": True}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"phone", "code"}


def test_a_phone_already_linked_to_someone_else_is_409(client_for, canvasser_a, canvasser_b):
    assert link(client_for(canvasser_a), 1).status_code == 200

    taken = link(client_for(canvasser_b), 1)
    second_number = ask_code(client_for(canvasser_a), 2)

    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "already_linked"
    assert second_number.status_code == 409
    assert Volunteer.objects.count() == 1
    assert Volunteer.objects.get().user == canvasser_a


def test_linking_needs_a_login(api_client):
    assert api_client.post("/api/me/volunteer", {"phone": phone(1)}).status_code == 401
    assert api_client.post("/api/me/volunteer/verify", {"phone": phone(1)}).status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_code_requests_for_one_number_send_exactly_the_limit(
    client_for, settings, django_user_model
):
    from backend.accounts.models import Role

    settings.VOLUNTEER_LINK_CODES_PER_NUMBER = 3
    users = [
        django_user_model.objects.create_user(username=f"racer{i}", role=Role.CANVASSER)
        for i in range(10)
    ]
    clients = [client_for(user) for user in users]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def run(index: int) -> None:
        try:
            barrier.wait()
            statuses[index] = ask_code(clients[index], 1).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [202] * 3 + [429] * 7
    assert SmsMessage.objects.filter(kind=SmsKind.VERIFICATION).count() == 3


def test_completing_an_event(client_for, lead_a, lead_b, make_event):
    event = make_event()

    assert client_for(lead_b).post(f"/api/events/{event.pk}/complete").status_code == 404
    done = client_for(lead_a).post(f"/api/events/{event.pk}/complete")
    again = client_for(lead_a).post(f"/api/events/{event.pk}/complete")

    assert done.json()["status"] == "completed"
    assert again.status_code == 409
