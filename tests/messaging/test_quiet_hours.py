"""No texts between 21:00 and 08:00 in the event's time zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from backend.sms.backends import locmem
from messaging.models import SmsKind, SmsMessage, SmsStatus
from messaging.services.dispatch import sms_dispatch_due
from messaging.services.sendability import quiet_hours_end

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "resume"),
    [
        # Spring forward (Sun 2026-03-08, 02:00 CST -> 03:00 CDT): 22:30 CST -> 08:00 CDT.
        (datetime(2026, 3, 8, 4, 30, tzinfo=UTC), datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),
        # Fall back (Sun 2026-11-01, 02:00 CDT -> 01:00 CST): 23:00 CDT -> 08:00 CST.
        (datetime(2026, 11, 1, 4, 0, tzinfo=UTC), datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),
        # 01:30 on the fall-back night (the hour that happens twice) -> 08:00 CST.
        (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),
        # 07:59 CDT is still quiet; 08:00 and 20:59 are not.
        (datetime(2026, 10, 5, 12, 59, tzinfo=UTC), datetime(2026, 10, 5, 13, 0, tzinfo=UTC)),
        (datetime(2026, 10, 5, 13, 0, tzinfo=UTC), datetime(2026, 10, 5, 13, 0, tzinfo=UTC)),
        (datetime(2026, 10, 6, 1, 59, tzinfo=UTC), datetime(2026, 10, 6, 1, 59, tzinfo=UTC)),
    ],
)
def test_quiet_hours_end_at_eight_local_on_both_sides_of_dst(moment, resume):
    assert quiet_hours_end(moment, "America/Chicago") == resume


def test_quiet_hours_follow_the_events_time_zone():
    # 22:00 in Chicago is 23:00 in New York and 20:00 in Los Angeles.
    moment = datetime(2026, 10, 6, 3, 0, tzinfo=UTC)

    assert quiet_hours_end(moment, "America/Los_Angeles") == moment
    assert quiet_hours_end(moment, "America/New_York") == datetime(2026, 10, 6, 12, 0, tzinfo=UTC)


def test_a_signup_on_the_night_before_spring_forward_is_confirmed_at_eight_cdt(make_shift, sign_up):
    night = datetime(2026, 3, 8, 4, 30, tzinfo=UTC)  # Sat 22:30 CST
    with time_machine.travel(night, tick=False):
        shift = make_shift(starts_at=night + timedelta(days=2))
        outcome = sign_up(shift, 1)
        assert sms_dispatch_due().sent == 0

    confirmation = SmsMessage.objects.get(signup=outcome.signup, kind=SmsKind.CONFIRMATION)
    assert confirmation.next_attempt_at == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)

    with time_machine.travel(datetime(2026, 3, 8, 12, 59, tzinfo=UTC), tick=False):
        assert sms_dispatch_due().sent == 0  # 07:59 CDT
    with time_machine.travel(datetime(2026, 3, 8, 13, 0, tzinfo=UTC), tick=False):
        assert sms_dispatch_due().sent == 1  # 08:00 CDT
    assert len(locmem.outbox) == 1


def test_a_message_due_during_quiet_hours_is_postponed_by_the_dispatcher(make_shift, sign_up):
    with time_machine.travel(datetime(2026, 10, 31, 18, 0, tzinfo=UTC), tick=False):
        shift = make_shift(starts_at=datetime(2026, 11, 3, 0, 0, tzinfo=UTC))
        outcome = sign_up(shift, 1)
        sms_dispatch_due()
    # The 24 h reminder falls at 18:00 CST; delay the dispatcher until 23:30 CST (fall back).
    with time_machine.travel(datetime(2026, 11, 2, 5, 30, tzinfo=UTC), tick=False):
        report = sms_dispatch_due()

    reminder = SmsMessage.objects.get(signup=outcome.signup, offset_minutes=1440)
    assert report.postponed == 1
    assert reminder.status == SmsStatus.QUEUED
    assert reminder.next_attempt_at == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # 08:00 CST


def test_a_reminder_useless_after_quiet_hours_is_skipped(make_shift, sign_up):
    # A shift at 07:00: its 2 h reminder (05:00) would only be allowed at 08:00, too late.
    with time_machine.travel(datetime(2026, 10, 5, 15, 0, tzinfo=UTC), tick=False):
        shift = make_shift(starts_at=datetime(2026, 10, 7, 12, 0, tzinfo=UTC))
        outcome = sign_up(shift, 1)

    reminder = SmsMessage.objects.get(signup=outcome.signup, offset_minutes=120)
    assert (reminder.status, reminder.skip_reason) == (SmsStatus.SKIPPED, "quiet_hours")


def test_a_reminder_caught_by_quiet_hours_at_send_time_is_skipped_if_useless(make_shift, sign_up):
    # A 07:30 shift: its 24 h reminder waits for 08:00 the day before. The dispatcher is down
    # all that day and comes back at 23:00: the next allowed moment is after the start.
    with time_machine.travel(datetime(2026, 10, 5, 15, 0, tzinfo=UTC), tick=False):
        shift = make_shift(starts_at=datetime(2026, 10, 7, 12, 30, tzinfo=UTC))  # 07:30 CDT
        outcome = sign_up(shift, 1)
    reminder = SmsMessage.objects.get(signup=outcome.signup, offset_minutes=1440)
    assert reminder.next_attempt_at == datetime(2026, 10, 6, 13, 0, tzinfo=UTC)

    with time_machine.travel(datetime(2026, 10, 7, 4, 0, tzinfo=UTC), tick=False):  # 23:00
        report = sms_dispatch_due()

    reminder.refresh_from_db()
    assert (reminder.status, reminder.skip_reason) == (SmsStatus.SKIPPED, "quiet_hours")
    assert report.skipped["quiet_hours"] == 1


def test_replies_are_not_held_for_quiet_hours(api_client):
    from tests.messaging.test_webhooks import inbound

    with time_machine.travel(datetime(2026, 10, 6, 4, 0, tzinfo=UTC), tick=False):  # 23:00
        inbound(api_client, "HELP")
        report = sms_dispatch_due()

    assert report.sent == 1
