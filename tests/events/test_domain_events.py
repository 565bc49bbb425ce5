"""Domain events run inside the change's transaction, in one place the SMS work can hook into."""

from __future__ import annotations

import pytest

from backend.errors import ConflictError
from events import domain_events
from events.models import Signup, Volunteer
from events.services.signups import signup_cancel, signup_create
from messaging.models import SmsConsent
from tests.events.helpers import phone

pytestmark = pytest.mark.django_db


class OutboxDown(Exception):
    pass


@pytest.fixture
def subscribed():
    added = []

    def add(receiver):
        domain_events.subscribe(receiver)
        added.append(receiver)
        return receiver

    yield add
    for receiver in added:
        domain_events.unsubscribe(receiver)


def test_signup_events_carry_the_signup_and_its_event(make_shift, subscribed):
    seen = []
    subscribed(seen.append)
    shift = make_shift(capacity=1)

    confirmed = signup_create(shift_id=shift.pk, name="A", phone=phone(1), sms_consent=True).signup
    waitlisted = signup_create(shift_id=shift.pk, name="B", phone=phone(2), sms_consent=True).signup
    signup_cancel(signup_id=confirmed.pk)

    assert [(e.name, e.signup.pk, e.event.pk) for e in seen] == [
        ("signup.confirmed", confirmed.pk, shift.event_id),
        ("signup.waitlisted", waitlisted.pk, shift.event_id),
        ("signup.cancelled", confirmed.pk, shift.event_id),
        ("signup.promoted", waitlisted.pk, shift.event_id),
    ]


def test_a_receiver_sees_the_change_inside_the_same_transaction(make_shift, subscribed):
    from django.db import connection

    states = []

    @subscribed
    def check(event):
        # The row exists (same transaction) and we are inside an atomic block.
        states.append(
            (Signup.objects.filter(pk=event.signup.pk).exists(), connection.in_atomic_block)
        )

    signup_create(shift_id=make_shift().pk, name="A", phone=phone(1), sms_consent=True)

    assert states == [(True, True)]


def test_a_failing_receiver_rolls_the_signup_back(make_shift, subscribed):
    @subscribed
    def broken_outbox(event):
        raise OutboxDown("outbox table is locked")

    shift = make_shift()

    with pytest.raises(OutboxDown):
        signup_create(shift_id=shift.pk, name="A", phone=phone(1), sms_consent=True)

    assert Signup.objects.count() == 0
    assert Volunteer.objects.count() == 0
    assert SmsConsent.objects.count() == 0
    shift.refresh_from_db()
    assert shift.signup_sequence == 0


def test_a_failing_receiver_rolls_back_a_cancellation_and_its_promotion(make_shift, subscribed):
    shift = make_shift(capacity=1)
    first = signup_create(shift_id=shift.pk, name="A", phone=phone(1), sms_consent=True).signup
    signup_create(shift_id=shift.pk, name="B", phone=phone(2), sms_consent=True)

    @subscribed
    def fail_on_promotion(event):
        if event.name == domain_events.SIGNUP_PROMOTED:
            raise OutboxDown

    with pytest.raises(OutboxDown):
        signup_cancel(signup_id=first.pk)

    assert list(Signup.objects.order_by("position").values_list("status", flat=True)) == [
        "confirmed",
        "waitlisted",
    ]


def test_refused_signups_emit_nothing(make_shift, subscribed):
    seen = []
    subscribed(seen.append)
    shift = make_shift()
    signup_create(shift_id=shift.pk, name="A", phone=phone(1), sms_consent=True)

    with pytest.raises(ConflictError):
        signup_create(shift_id=shift.pk, name="A", phone=phone(1), sms_consent=True)

    assert [e.name for e in seen] == ["signup.confirmed"]


def test_subscribing_twice_registers_once(subscribed):
    def receiver(event):
        pass

    subscribed(receiver)
    domain_events.subscribe(receiver)

    assert domain_events.receivers().count(receiver) == 1
