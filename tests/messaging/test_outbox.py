"""What is queued when: written in the transaction of the change, one per signup and kind,
reminders that follow the shift, and nothing for people who did not consent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from backend.accounts.models import User
from backend.sms.backends import locmem
from events.models import SignupStatus
from events.services import schedule, signups
from messaging.models import SmsKind, SmsMessage, SmsStatus
from messaging.services.dispatch import sms_dispatch_due
from tests.events.helpers import e164
from tests.messaging.conftest import signup_messages

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)  # Monday 10:00 in Chicago


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_confirmed_signup_queues_a_confirmation_and_two_reminders(make_shift, sign_up):
    shift = make_shift(starts_at=NOW + timedelta(days=3))

    outcome = sign_up(shift, 1)

    rows = {(m.kind, m.offset_minutes): m for m in SmsMessage.objects.all()}
    assert set(rows) == {
        (SmsKind.CONFIRMATION, 0),
        (SmsKind.REMINDER, 24 * 60),
        (SmsKind.REMINDER, 2 * 60),
    }
    assert rows[(SmsKind.CONFIRMATION, 0)].send_after == NOW
    assert rows[(SmsKind.REMINDER, 1440)].send_after == shift.starts_at - timedelta(hours=24)
    assert rows[(SmsKind.REMINDER, 120)].send_after == shift.starts_at - timedelta(hours=2)
    for row in rows.values():
        assert (row.status, row.volunteer_id, row.phone) == (
            SmsStatus.QUEUED,
            outcome.volunteer.pk,
            e164(1),
        )
        assert row.event_id == shift.event_id


def test_outbox_rows_roll_back_with_the_signup(make_shift, sign_up):
    shift = make_shift()

    with pytest.raises(RuntimeError), transaction.atomic():
        sign_up(shift, 1)
        raise RuntimeError("the request failed after the signup")

    assert SmsMessage.objects.count() == 0


def test_a_reminder_whose_time_already_passed_is_not_queued(make_shift, sign_up):
    outcome = sign_up(make_shift(starts_at=NOW + timedelta(hours=5)), 1)

    assert signup_messages(outcome.signup) == {"confirmation": "queued", "reminder120": "queued"}


def test_the_database_allows_one_message_per_signup_and_kind(make_shift, sign_up):
    outcome = sign_up(make_shift(), 1)
    first = SmsMessage.objects.get(signup=outcome.signup, kind=SmsKind.CONFIRMATION)

    first.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


def test_waitlisted_gets_a_notice_then_promotion_brings_confirmation_and_reminders(
    make_shift, sign_up
):
    shift = make_shift(capacity=1)
    first = sign_up(shift, 1)
    waiting = sign_up(shift, 2)
    assert signup_messages(waiting.signup) == {"waitlisted": "queued"}

    signups.signup_cancel(signup_id=first.signup.pk)

    assert signup_messages(first.signup) == {
        "confirmation": "skipped",
        "reminder120": "skipped",
        "reminder1440": "skipped",
    }
    assert signup_messages(waiting.signup) == {
        "promoted": "queued",
        "reminder120": "queued",
        "reminder1440": "queued",
        "waitlisted": "queued",
    }
    # The waitlist notice is stale now: the dispatcher skips it rather than send it.
    sms_dispatch_due()
    assert signup_messages(waiting.signup)["waitlisted"] == "skipped"
    assert [m.body.split(":")[1].strip()[:13] for m in locmem.outbox] == ["A spot opened"]


def test_no_consent_means_rows_are_skipped_and_nothing_is_sent(make_shift, sign_up):
    outcome = sign_up(make_shift(), 1, consent=False)

    report = sms_dispatch_due()

    assert set(signup_messages(outcome.signup).values()) == {"skipped"}
    assert set(SmsMessage.objects.values_list("skip_reason", flat=True)) == {"no_consent"}
    assert report.sent == 0 and locmem.outbox == []


def test_consent_withdrawn_after_queueing_is_respected_at_send_time(make_shift, sign_up):
    outcome = sign_up(make_shift(), 1)
    sign_up(make_shift(starts_at=NOW + timedelta(days=9)), 1, consent=False)

    report = sms_dispatch_due()

    assert report.sent == 0
    assert signup_messages(outcome.signup)["confirmation"] == "skipped"


def test_shift_time_change_sends_a_notice_and_moves_queued_reminders(make_shift, sign_up):
    organizer = User.objects.create(username="org", role="organizer")
    shift = make_shift(starts_at=NOW + timedelta(days=3))
    outcome = sign_up(shift, 1)
    new_start = shift.starts_at + timedelta(hours=1)

    schedule.shift_update(
        actor=organizer, shift=shift, starts_at=new_start, ends_at=new_start + timedelta(hours=1)
    )

    reminders = {
        m.offset_minutes: m.send_after
        for m in SmsMessage.objects.filter(signup=outcome.signup, kind=SmsKind.REMINDER)
    }
    assert reminders == {1440: new_start - timedelta(hours=24), 120: new_start - timedelta(hours=2)}
    notice = SmsMessage.objects.get(signup=outcome.signup, kind=SmsKind.EVENT_CHANGED)
    assert "Your shift is now Thu Oct 8 11:00AM" in notice.body


def test_event_cancellation_tells_everyone_and_skips_their_reminders(
    make_shift, sign_up, organizer
):
    shift = make_shift(capacity=1)
    confirmed = sign_up(shift, 1)
    waiting = sign_up(shift, 2)

    schedule.event_cancel(actor=organizer, event=shift.event)

    assert signup_messages(confirmed.signup) == {
        "confirmation": "skipped",
        "event_cancelled": "queued",
        "reminder120": "skipped",
        "reminder1440": "skipped",
    }
    assert signup_messages(waiting.signup) == {"event_cancelled": "queued", "waitlisted": "skipped"}
    report = sms_dispatch_due()
    assert report.sent == 2
    assert all("is cancelled" in m.body for m in locmem.outbox)


def test_shift_cancellation_tells_the_people_on_it(make_shift, sign_up, organizer):
    shift = make_shift()
    outcome = sign_up(shift, 1)

    schedule.shift_cancel(actor=organizer, shift=shift)

    outcome.signup.refresh_from_db()
    assert outcome.signup.status == SignupStatus.CANCELLED
    assert signup_messages(outcome.signup)["event_cancelled"] == "queued"


def test_a_reminder_for_a_shift_that_started_is_skipped(make_shift, sign_up):
    shift = make_shift(starts_at=NOW + timedelta(days=2))
    outcome = sign_up(shift, 1)
    sms_dispatch_due()  # the confirmation

    # The dispatcher was down for days: the reminders are only picked up after the start.
    with time_machine.travel(shift.starts_at + timedelta(minutes=5), tick=False):
        report = sms_dispatch_due()

    assert report.skipped == {"shift_started": 2}
    assert signup_messages(outcome.signup) == {
        "confirmation": "sent",
        "reminder120": "skipped",
        "reminder1440": "skipped",
    }


def test_due_reminder_is_sent_in_the_volunteers_language(make_shift, sign_up):
    shift = make_shift(starts_at=NOW + timedelta(days=2))
    sign_up(shift, 1, language="es")
    sms_dispatch_due()

    with time_machine.travel(shift.starts_at - timedelta(hours=24), tick=False):
        sms_dispatch_due()

    assert [m.body.split(":")[0] for m in locmem.outbox] == [
        "DontLookAway",
        "DontLookAway recordatorio",
    ]
    assert "mie 7 oct 10:00" in locmem.outbox[1].body


def test_daily_cap_per_volunteer_skips_the_excess(make_event, make_shift, sign_up, settings):
    settings.SMS_DAILY_CAP_PER_VOLUNTEER = 2
    for day in range(3):
        event = make_event(starts_at=NOW + timedelta(days=3 + day))
        sign_up(make_shift(event=event), 1)

    report = sms_dispatch_due()

    assert report.sent == 2
    assert report.skipped == {"daily_cap_volunteer": 1}


def test_organization_cap_postpones_to_the_next_morning(make_shift, sign_up, settings):
    settings.SMS_DAILY_CAP_ORGANIZATION = 1
    shift = make_shift(capacity=5)
    sign_up(shift, 1)
    second = sign_up(shift, 2)

    report = sms_dispatch_due()

    assert (report.sent, report.postponed) == (1, 1)
    row = SmsMessage.objects.get(signup=second.signup, kind=SmsKind.CONFIRMATION)
    assert row.status == SmsStatus.QUEUED
    assert row.next_attempt_at == datetime(2026, 10, 6, 13, 0, tzinfo=UTC)  # 08:00 CDT


def test_rate_limit_is_shared_through_the_database(settings):
    from messaging.services.rates import PACE, rate_limit_wait

    settings.SMS_RATE_PER_SECOND = 2
    waits = [rate_limit_wait(sender="+15155550100", now=NOW) for _ in range(3)]
    much_later = rate_limit_wait(sender="+15155550100", now=NOW + timedelta(seconds=10))

    # Each send reserves the next slot, 1 / rate apart (paced a little below the rate): no
    # burst, at most 2 in any one-second window; after a quiet spell, the next goes at once.
    step = 1 / (2 * PACE)
    assert waits == [0.0, pytest.approx(step), pytest.approx(2 * step)]
    assert much_later == 0.0


def test_dispatch_sms_command_sends_what_is_due_once(make_shift, sign_up):
    from io import StringIO

    from django.core.management import call_command

    sign_up(make_shift(), 1)
    out = StringIO()

    call_command("dispatch_sms", stdout=out)
    call_command("dispatch_sms", stdout=out)

    assert len(locmem.outbox) == 1
    assert "'sent': 1" in out.getvalue()


def test_celery_task_dispatches_due_messages(make_shift, sign_up):
    from messaging.tasks import sms_dispatch_due_task

    sign_up(make_shift(), 1)

    assert sms_dispatch_due_task.delay().get()["sent"] == 1


def test_a_new_place_for_the_event_is_announced_to_everyone_signed_up(
    make_shift, make_location, sign_up, organizer
):
    shift = make_shift(capacity=1)
    confirmed = sign_up(shift, 1)
    waiting = sign_up(shift, 2)
    sign_up(make_shift(capacity=1), 3, consent=False)

    schedule.event_update(
        actor=organizer, event=shift.event, location=make_location(address="500 E LOCUST ST")
    )

    notices = SmsMessage.objects.filter(kind=SmsKind.EVENT_CHANGED)
    assert {m.signup_id for m in notices} == {confirmed.signup.pk, waiting.signup.pk}
    assert all("500 E LOCUST ST" in m.body for m in notices)


def test_a_title_change_alone_sends_nothing(make_shift, sign_up, organizer):
    shift = make_shift()
    sign_up(shift, 1)

    schedule.event_update(actor=organizer, event=shift.event, title="Caucus night (updated)")

    assert not SmsMessage.objects.filter(kind=SmsKind.EVENT_CHANGED).exists()
