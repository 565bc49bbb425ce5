"""Public signups: confirm, waitlist, overlaps, cancellations and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.crypto import keyed_hash
from events.links import manage_token_for
from events.models import EventStatus, Signup, SignupSource, SignupStatus, Volunteer
from messaging.models import SmsConsent
from tests.events.helpers import e164, phone, signup_body

pytestmark = pytest.mark.django_db


def post_signup(client, shift, body, **extra):
    return client.post(f"/api/public/shifts/{shift.pk}/signups", body, format="json", **extra)


def test_signups_are_confirmed_until_capacity_then_waitlisted(api_client, make_shift):
    shift = make_shift(capacity=2)

    statuses = [post_signup(api_client, shift, signup_body(n)).json() for n in range(3)]

    assert [body["signup"]["status"] for body in statuses] == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert [body["signup"]["position"] for body in statuses] == [1, 2, 3]


def test_signup_response_has_shift_times_in_utc_and_local_and_a_manage_link(
    api_client, make_shift, settings
):
    settings.PUBLIC_BASE_URL = "https://field.example.org"
    shift = make_shift()

    response = post_signup(api_client, shift, signup_body(1))

    assert response.status_code == 201
    body = response.json()
    assert body["signup"]["shift"]["id"] == shift.pk
    assert body["signup"]["shift"]["starts_at"].endswith("Z")
    assert body["signup"]["shift"]["starts_at_local"][-6:] in ("-05:00", "-06:00")
    assert body["manage_url"] == f"https://field.example.org/api/public/me/{body['manage_token']}"


def test_a_second_signup_with_the_same_number_reuses_the_volunteer(
    api_client, make_shift, make_event
):
    first, second = make_shift(), make_shift(starts_at=timezone.now() + timedelta(days=10))

    post_signup(api_client, first, {"name": "Ana", "phone": "515-555-0101", "sms_consent": True})
    response = post_signup(
        api_client,
        second,
        {"name": "Someone else", "phone": "+1 515 555 0101", "sms_consent": True},
    )

    assert response.status_code == 201
    assert Volunteer.objects.count() == 1
    volunteer = Volunteer.objects.get()
    assert volunteer.name == "Ana"  # an anonymous form cannot rename someone
    assert volunteer.phone == "+15155550101"
    assert volunteer.phone_hash == keyed_hash("+15155550101")
    assert volunteer.phone_last4 == "0101"


def test_phone_is_encrypted_at_rest(api_client, make_shift):
    from django.db import connection

    post_signup(api_client, make_shift(), signup_body(1))

    with connection.cursor() as cursor:
        cursor.execute("select phone from events_volunteer")
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:")
    assert e164(1) not in stored


def test_signing_up_twice_for_the_same_shift_is_a_409(api_client, make_shift):
    shift = make_shift()
    first = post_signup(api_client, shift, signup_body(1)).json()

    response = post_signup(api_client, shift, signup_body(1))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_signed_up"
    assert response.json()["error"]["signup"] == {
        "id": first["signup"]["id"],
        "status": "confirmed",
    }
    assert Signup.objects.count() == 1


def test_overlapping_shift_is_refused_with_409_naming_the_other_shift_to_staff(
    api_client, client_for, lead_a, make_event, make_shift
):
    """Staff signing someone up see the other shift; the public form names nothing of it
    (tests/events/test_review_findings_2.py)."""
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    rally = make_event(title="Rally", starts_at=start)
    phone_bank = make_event(title="Phone bank", starts_at=start + timedelta(hours=1))
    first = make_shift(event=rally, starts_at=start, ends_at=start + timedelta(hours=2))
    second = make_shift(event=phone_bank, starts_at=start + timedelta(hours=1))
    post_signup(api_client, first, signup_body(1))

    response = client_for(lead_a).post(
        f"/api/shifts/{second.pk}/signups", signup_body(1), format="json"
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "shift_overlap"
    assert "“Rally”" in error["message"] and f"shift {first.pk}" in error["message"]
    assert error["other_shift"] == {
        "id": first.pk,
        "event_id": rally.pk,
        "event_title": "Rally",
        "role": "canvasser",
        "starts_at": first.starts_at.isoformat(),
        "ends_at": first.ends_at.isoformat(),
    }
    assert Signup.objects.count() == 1


def test_back_to_back_shifts_do_not_overlap(api_client, make_event, make_shift):
    event = make_event()
    first = make_shift(event=event, starts_at=event.starts_at)
    second = make_shift(event=event, starts_at=first.ends_at)

    post_signup(api_client, first, signup_body(1))
    response = post_signup(api_client, second, signup_body(1))

    assert response.status_code == 201


def test_a_cancelled_signup_does_not_block_an_overlapping_one(api_client, make_event, make_shift):
    event = make_event()
    first, second = make_shift(event=event), make_shift(event=event)
    body = post_signup(api_client, first, signup_body(1)).json()
    api_client.post(f"/api/public/me/{body['manage_token']}/signups/{body['signup']['id']}/cancel")

    response = post_signup(api_client, second, signup_body(1))

    assert response.status_code == 201


def test_cancelling_a_confirmed_signup_promotes_the_first_waitlisted(
    api_client, make_shift, recorded_events
):
    shift = make_shift(capacity=1)
    bodies = [post_signup(api_client, shift, signup_body(n)).json() for n in range(3)]
    first = bodies[0]

    response = api_client.post(
        f"/api/public/me/{first['manage_token']}/signups/{first['signup']['id']}/cancel"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    statuses = dict(Signup.objects.values_list("id", "status"))
    ids = [body["signup"]["id"] for body in bodies]
    assert [statuses[i] for i in ids] == ["cancelled", "confirmed", "waitlisted"]
    assert recorded_events[-2:] == [("signup.cancelled", ids[0]), ("signup.promoted", ids[1])]


def test_cancelling_a_waitlisted_signup_promotes_nobody(api_client, make_shift, recorded_events):
    shift = make_shift(capacity=1)
    bodies = [post_signup(api_client, shift, signup_body(n)).json() for n in range(3)]
    second = bodies[1]

    api_client.post(
        f"/api/public/me/{second['manage_token']}/signups/{second['signup']['id']}/cancel"
    )

    assert list(Signup.objects.order_by("position").values_list("status", flat=True)) == [
        "confirmed",
        "cancelled",
        "waitlisted",
    ]
    assert recorded_events[-1] == ("signup.cancelled", second["signup"]["id"])


def test_a_full_waitlist_refuses_with_409(api_client, make_shift):
    shift = make_shift(capacity=1, waitlist_limit=1)
    post_signup(api_client, shift, signup_body(1))
    post_signup(api_client, shift, signup_body(2))

    response = post_signup(api_client, shift, signup_body(3))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "shift_full"
    assert not Volunteer.objects.filter(phone_hash=keyed_hash(e164(3))).exists()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("call me maybe", "invalid_phone"),
        ("12345", "invalid_phone"),  # an SMS short code, not a person
        ("515-0000-000", "invalid_phone"),
        ("800-555-1234", "phone_not_mobile"),  # toll-free
        ("+1 900 555 1234", "phone_not_mobile"),  # premium rate
        ("+44 20 7946 0018", "phone_not_mobile"),  # a London fixed line
    ],
)
def test_phone_numbers_that_cannot_take_sms_are_refused(api_client, make_shift, raw, code):
    shift = make_shift()

    response = post_signup(api_client, shift, {"name": "Ana", "phone": raw, "sms_consent": True})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert list(response.json()["error"]["fields"]) == ["phone"]
    assert Volunteer.objects.count() == 0


def test_missing_name_and_consent_answer_name_their_fields(api_client, make_shift):
    response = post_signup(api_client, make_shift(), {"phone": phone(1)})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"name", "sms_consent"}


def test_signups_to_cancelled_events_and_shifts_are_refused(api_client, make_event, make_shift):
    cancelled_event = make_event(status=EventStatus.CANCELLED)
    shift_a = make_shift(event=cancelled_event)
    shift_b = make_shift(status="cancelled")

    assert post_signup(api_client, shift_a, signup_body(1)).json()["error"]["code"] == (
        "shift_cancelled"
    )
    response = post_signup(api_client, shift_b, signup_body(1))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "shift_cancelled"
    assert Volunteer.objects.count() == 0


def test_signups_to_past_shifts_are_refused(api_client, make_shift):
    shift = make_shift()

    with time_machine.travel(shift.starts_at + timedelta(minutes=1)):
        response = post_signup(api_client, shift, signup_body(1))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "shift_past"
    assert Signup.objects.count() == 0


def test_signups_to_private_events_are_404_for_the_public(api_client, make_event, make_shift):
    shift = make_shift(event=make_event(is_public=False))

    response = post_signup(api_client, shift, signup_body(1))

    assert response.status_code == 404
    assert Volunteer.objects.count() == 0


def test_consent_is_recorded_with_wording_method_and_ip(api_client, make_shift):
    post_signup(
        api_client,
        make_shift(),
        signup_body(1, consent_wording="Text me about shifts. Reply STOP to stop."),
        REMOTE_ADDR="203.0.113.9",
    )

    consent = SmsConsent.objects.get()
    assert (consent.granted, consent.method, consent.wording, consent.source_ip) == (
        True,
        "web",
        "Text me about shifts. Reply STOP to stop.",
        "203.0.113.9",
    )


def test_signing_up_without_consent_is_allowed_and_recorded_as_no(api_client, make_shift):
    response = post_signup(
        api_client, make_shift(), signup_body(1, sms_consent=False, source="app")
    )

    assert response.status_code == 201
    consent = SmsConsent.objects.get()
    assert (consent.granted, consent.method, consent.wording) == (False, "app", "")


def test_the_latest_consent_answer_is_the_current_one(api_client, make_event, make_shift):
    post_signup(api_client, make_shift(), signup_body(1, sms_consent=True))
    later = make_shift(starts_at=timezone.now() + timedelta(days=9))
    post_signup(api_client, later, signup_body(1, sms_consent=False))
    link = manage_token_for(Volunteer.objects.get())  # the earlier answer's link is retired

    page = api_client.get(f"/api/public/me/{link}").json()

    assert page["sms_consent"] is False
    assert SmsConsent.objects.count() == 2


def test_signups_are_throttled_per_phone_number(api_client, make_event, make_shift, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "signup_phone": "2/hour", "signup": "100/hour"},
    }
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        shifts = [make_shift(starts_at=timezone.now() + timedelta(days=d)) for d in (3, 5, 7)]
        codes = [
            post_signup(api_client, shift, signup_body(1), REMOTE_ADDR=f"10.0.0.{i}").status_code
            for i, shift in enumerate(shifts)
        ]
        other_number = post_signup(api_client, shifts[2], signup_body(2)).status_code
    finally:
        SimpleRateThrottle.THROTTLE_RATES = rates

    assert codes == [201, 201, 429]
    assert other_number == 201


def test_signups_are_throttled_per_ip(api_client, make_shift, settings):
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "signup": "2/hour", "signup_phone": "100/hour"}
    try:
        shift = make_shift(capacity=10)
        codes = [
            post_signup(api_client, shift, signup_body(n), REMOTE_ADDR="198.51.100.7").status_code
            for n in range(3)
        ]
        elsewhere = post_signup(
            api_client, shift, signup_body(4), REMOTE_ADDR="198.51.100.8"
        ).status_code
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original

    assert codes == [201, 201, 429]
    assert elsewhere == 201


def test_the_database_allows_one_active_signup_per_volunteer_and_shift(api_client, make_shift):
    shift = make_shift()
    post_signup(api_client, shift, signup_body(1))
    signup = Signup.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(
            shift=shift,
            volunteer=signup.volunteer,
            status=SignupStatus.WAITLISTED,
            source=SignupSource.WEB,
            position=99,
        )
    signup.status = SignupStatus.CANCELLED
    signup.save()
    Signup.objects.create(
        shift=shift,
        volunteer=signup.volunteer,
        status=SignupStatus.CONFIRMED,
        source=SignupSource.WEB,
        position=100,
    )
    assert Signup.objects.count() == 2


def test_the_ip_throttle_ignores_a_spoofed_forwarded_for_header(api_client, make_shift):
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "signup": "1/hour", "signup_phone": "100/hour"}
    try:
        shift = make_shift(capacity=10)
        codes = [
            post_signup(
                api_client,
                shift,
                signup_body(n),
                REMOTE_ADDR="198.51.100.7",
                HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
            ).status_code
            for n in range(2)
        ]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original

    assert codes == [201, 429]
