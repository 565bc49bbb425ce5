"""Every outbox row records the SMS segments its final body costs, and the daily caps count
segments as carriers do, not only messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from backend.sms.backends import locmem
from messaging.models import SmsKind, SmsMessage, SmsStatus
from messaging.templates import segments

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)  # Monday 10:00 in Chicago


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(NOW, tick=False):
        yield


def dispatch() -> str:
    out = StringIO()
    call_command("dispatch_sms", stdout=out)
    return out.getvalue()


def test_every_outbox_row_records_the_segments_of_its_final_body(make_shift, sign_up):
    shift = make_shift(starts_at=NOW + timedelta(days=2))
    sign_up(shift, 1, language="es")

    rows = list(SmsMessage.objects.all())

    assert rows
    assert all(row.segments == segments(row.body) >= 1 for row in rows)


def test_a_changed_body_updates_the_recorded_segments(make_shift, sign_up):
    sign_up(make_shift(), 1)
    row = SmsMessage.objects.filter(kind=SmsKind.CONFIRMATION).get()

    row.body = "ú" * 71  # UCS-2, above one 70-unit segment
    row.save(update_fields=["body"])

    row.refresh_from_db()
    assert row.segments == 2


def test_volunteer_segment_cap_skips_a_text_that_would_exceed_it(
    make_event, make_shift, sign_up, settings
):
    for day in range(2):
        event = make_event(starts_at=NOW + timedelta(days=3 + day))
        sign_up(make_shift(event=event), 1)
    first, second = SmsMessage.objects.filter(kind=SmsKind.CONFIRMATION).order_by("id")
    settings.SMS_DAILY_SEGMENT_CAP_PER_VOLUNTEER = first.segments + second.segments - 1

    out = dispatch()

    assert "'sent': 1" in out
    assert len(locmem.outbox) == 1
    statuses = sorted(
        (row.status, row.skip_reason) for row in SmsMessage.objects.filter(kind="confirmation")
    )
    assert statuses == [
        (SmsStatus.SENT, ""),
        (SmsStatus.SKIPPED, "daily_segment_cap_volunteer"),
    ]


def test_organization_segment_cap_postpones_to_the_next_morning(make_shift, sign_up, settings):
    shift = make_shift(capacity=5)
    sign_up(shift, 1)
    second = sign_up(shift, 2)
    first_row = SmsMessage.objects.filter(kind=SmsKind.CONFIRMATION).order_by("id").first()
    assert first_row is not None
    settings.SMS_DAILY_SEGMENT_CAP_PER_ORGANIZATION = first_row.segments

    dispatch()

    row = SmsMessage.objects.get(signup=second.signup, kind=SmsKind.CONFIRMATION)
    assert row.status == SmsStatus.QUEUED
    assert row.next_attempt_at == datetime(2026, 10, 6, 13, 0, tzinfo=UTC)  # 08:00 CDT
    assert len(locmem.outbox) == 1
