"""Several dispatchers at once send each message once; a dispatcher killed mid-batch loses
nothing and, killed between Twilio's acceptance and the database update, sends nothing twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from backend.crypto import keyed_hash
from backend.sms.backends import locmem
from messaging.models import SmsKind, SmsMessage, SmsStatus
from messaging.services.delivery import sms_status_record
from messaging.services.dispatch import sms_dispatch_due
from tests.events.helpers import e164


def due_messages(count: int) -> list[int]:
    """`count` due replies (no consent or quiet-hours rules apply to them) to 100 numbers."""
    now = timezone.now()
    rows = [
        SmsMessage(
            phone=e164(i % 100),
            phone_hash=keyed_hash(e164(i % 100)),
            body=f"message {i}",
            kind=SmsKind.REPLY,
            send_after=now,
            next_attempt_at=now,
        )
        for i in range(count)
    ]
    return [row.pk for row in SmsMessage.objects.bulk_create(rows)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_message_exactly_once(fake_twilio, settings):
    settings.SMS_DAILY_CAP_PER_VOLUNTEER = 1000
    # Nothing here is scripted to time out: a stall of a busy CI machine (16 sending threads
    # against one fake) must not turn an accepted text into an "unknown" one.
    settings.TWILIO_TIMEOUT_SECONDS = 10.0
    due_messages(300)
    barrier = threading.Barrier(2)
    reports = []

    def dispatcher() -> None:
        try:
            barrier.wait()
            reports.append(sms_dispatch_due(batch_size=20, max_batches=100))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    bodies = Counter(message["Body"] for message in fake_twilio.accepted)
    assert len(bodies) == 300
    assert max(bodies.values()) == 1
    assert sum(report.sent for report in reports) == 300
    assert all(report.sent > 0 for report in reports), "both dispatchers took part"
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.SENT}


class KilledAfter(locmem.SmsBackend):
    """Twilio accepts the message, then the worker dies before it can record the answer."""

    def __init__(self, sends: int) -> None:
        self.left = sends

    def send(self, *, to: str, body: str, message_id: str | None = None):  # type: ignore[no-untyped-def]
        result = super().send(to=to, body=body, message_id=message_id)
        self.left -= 1
        if self.left == 0:
            raise SystemExit("killed")  # not an Exception: nothing in the dispatcher catches it
        return result


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_killed_mid_batch_loses_nothing_and_sends_nothing_twice(settings):
    settings.SMS_DAILY_CAP_PER_VOLUNTEER = 1000
    # One sending thread, so exactly the fourth send dies (threads: test_incidents.py).
    settings.SMS_DISPATCH_THREADS = 1
    ids = due_messages(10)

    with pytest.raises(SystemExit):
        sms_dispatch_due(batch_size=10, backend=KilledAfter(4))

    statuses = Counter(SmsMessage.objects.values_list("status", flat=True))
    assert statuses == {SmsStatus.SENT: 3, SmsStatus.SENDING: 1, SmsStatus.QUEUED: 6}

    # Another dispatcher right away: the dead one's lease still holds its rows.
    assert sms_dispatch_due().sent == 0

    # After the lease and the sending timeout: the 6 unsent rows go out; the one in flight
    # becomes unknown (Twilio had it) and is not resent.
    later = timezone.now() + timedelta(seconds=settings.SMS_SENDING_TIMEOUT_SECONDS + 1)
    with time_machine.travel(later, tick=True):
        report = sms_dispatch_due()
    assert (report.sent, report.reconciled) == (6, 1)
    bodies = Counter(message.body for message in locmem.outbox)
    assert len(bodies) == 10 and max(bodies.values()) == 1

    # Twilio's status callback carries our id: it settles the unknown one.
    [unknown] = SmsMessage.objects.filter(status=SmsStatus.UNKNOWN)
    accepted = next(m for m in locmem.outbox if m.message_id == str(unknown.pk))
    sms_status_record(
        message_sid=accepted.provider_id, provider_status="delivered", message_id=unknown.pk
    )
    assert Counter(SmsMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        SmsStatus.SENT: 9,
        SmsStatus.DELIVERED: 1,
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_do_not_overspend_a_daily_cap(fake_twilio, settings):
    settings.SMS_DAILY_CAP_PER_VOLUNTEER = 5
    now = timezone.now()
    SmsMessage.objects.bulk_create(
        SmsMessage(
            phone=e164(1),
            phone_hash=keyed_hash(e164(1)),
            body=f"message {i}",
            kind=SmsKind.REPLY,
            send_after=now,
            next_attempt_at=now,
        )
        for i in range(20)
    )
    barrier = threading.Barrier(2)

    def dispatcher() -> None:
        try:
            barrier.wait()
            sms_dispatch_due(batch_size=3, max_batches=10)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake_twilio.accepted) == 5
    assert Counter(SmsMessage.objects.values_list("skip_reason", flat=True)) == {
        "": 5,
        "daily_cap_volunteer": 15,
    }
