"""The send forecast of an event's bulk texts (reminders, broadcasts), its API, and the split
at quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from messaging.models import SmsKind, SmsMessage, SmsStatus
from messaging.services.dispatch import sms_dispatch_due
from messaging.services.forecast import (
    event_sms_forecast,
    sms_bulk_split,
    sms_due_bulk_split,
)
from messaging.services.rates import PACE

pytestmark = pytest.mark.django_db

# 15:00 in Chicago (CDT, UTC-5): six hours before quiet hours (21:00).
AFTERNOON = datetime(2026, 10, 5, 20, 0, tzinfo=UTC)
# 20:59:55 in Chicago: five seconds before quiet hours.
LATE = datetime(2026, 10, 6, 1, 59, 55, tzinfo=UTC)
# 08:00 in Chicago the next morning.
MORNING = datetime(2026, 10, 6, 13, 0, tzinfo=UTC)


@pytest.fixture
def reminders(make_shift, make_event, sign_up):
    """Ten volunteers signed up (through the real service) to a shift two days ahead, and each
    one's 24 h reminder due now; half the bodies in Spanish with an accent (UCS-2, 2 segments)."""

    def make(now: datetime, count: int = 10, event=None, first: int = 1):
        with time_machine.travel(now, tick=False):
            event = event or make_event(starts_at=now + timedelta(days=2))
            shift = make_shift(event=event, capacity=count)
            for n in range(count):
                sign_up(shift, n + first)
            rows = SmsMessage.objects.filter(event=event, kind=SmsKind.REMINDER)
            rows.exclude(offset_minutes=24 * 60).delete()
            for i, row in enumerate(rows.order_by("id")):
                row.next_attempt_at = row.send_after = now
                if i % 2:
                    row.language, row.body = "es", f"Recordatorio {i}: " + "á" * 100
                else:
                    row.body = f"Reminder {i}"
                row.save()
        return event

    return make


def _settings(settings, rate=1.0, senders=1):
    settings.SMS_RATE_PER_SECOND = rate
    settings.SMS_SENDER_COUNT = senders
    settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END = 21, 8


def test_forecast_paces_rows_at_the_rate_times_the_senders(settings, reminders):
    _settings(settings, rate=1.0, senders=2)
    event = reminders(AFTERNOON)

    forecast = event_sms_forecast(event=event, now=AFTERNOON)

    assert forecast.rows == 10
    assert forecast.segments == 5 * 1 + 5 * 2
    assert forecast.messages_per_second == round(2 * PACE, 3)
    assert forecast.starts_at == AFTERNOON
    assert forecast.finishes_at == AFTERNOON + 9 * timedelta(seconds=1 / (2 * PACE))
    assert not forecast.crosses_quiet_hours
    assert forecast.rows_waiting_for_morning == 0


def test_forecast_that_crosses_quiet_hours_counts_the_rows_left_for_morning(settings, reminders):
    _settings(settings, rate=1.0)
    event = reminders(LATE)

    forecast = event_sms_forecast(event=event, now=LATE)

    # Slots at 0, 1.05, 2.1, 3.2, 4.2 s fit before 21:00:00; the other five wait until 08:00.
    assert forecast.crosses_quiet_hours
    assert forecast.rows_before_quiet_hours == 5
    assert forecast.rows_waiting_for_morning == 5
    assert forecast.resumes_at == MORNING
    assert forecast.finishes_at == MORNING + 4 * timedelta(seconds=1 / PACE)


def test_daily_segment_cap_sends_the_rest_the_next_morning(settings, reminders):
    _settings(settings, rate=0)
    settings.SMS_DAILY_SEGMENT_CAP_PER_ORGANIZATION = 5  # 1+2+1 fits, then 2 more does not
    event = reminders(AFTERNOON, count=4)

    forecast = event_sms_forecast(event=event, now=AFTERNOON)

    assert forecast.rows_before_quiet_hours == 3
    assert forecast.rows_waiting_for_morning == 1
    assert forecast.resumes_at == MORNING


def test_split_moves_the_rows_that_cannot_finish_to_the_morning(settings, reminders):
    _settings(settings, rate=1.0)
    event = reminders(LATE)

    sms_bulk_split(event=event, now=LATE)

    due = list(
        SmsMessage.objects.filter(event=event, kind=SmsKind.REMINDER)
        .order_by("id")
        .values_list("next_attempt_at", flat=True)
    )
    assert due[:5] == [LATE] * 5
    assert due[5:] == [MORNING + i * timedelta(seconds=1 / PACE) for i in range(5)]


def test_split_rows_wait_while_the_rest_goes_through_the_real_twilio_client(
    settings, reminders, fake_twilio
):
    _settings(settings, rate=1.0)
    event = reminders(LATE, count=8)
    sms_bulk_split(event=event, now=LATE)
    settings.SMS_RATE_PER_SECOND = 0  # the test sends at once; the split already paced them

    with time_machine.travel(LATE, tick=False):
        sms_dispatch_due()

    rows = list(SmsMessage.objects.filter(event=event, kind=SmsKind.REMINDER).order_by("id"))
    assert [row.status for row in rows] == [SmsStatus.SENT] * 5 + [SmsStatus.QUEUED] * 3
    assert all(row.next_attempt_at >= MORNING for row in rows[5:])
    accepted = {message["Body"] for message in fake_twilio.accepted}
    assert {row.body for row in rows[:5]} <= accepted
    assert not {row.body for row in rows[5:]} & accepted


def test_field_lead_sees_the_forecast_of_their_teams_event(settings, reminders, client_for, lead_a):
    _settings(settings, rate=1.0)
    event = reminders(LATE)

    with time_machine.travel(LATE, tick=False):
        response = client_for(lead_a).get(f"/api/events/{event.pk}/sms-forecast")

    assert response.status_code == 200
    assert response.json() == {
        "event_id": event.pk,
        "rows": 10,
        "segments": 15,
        "messages_per_second": 0.965,
        "starts_at": "2026-10-05T20:59:55-05:00",
        "finishes_at": "2026-10-06T08:00:04.145076-05:00",
        "crosses_quiet_hours": True,
        "rows_before_quiet_hours": 5,
        "rows_waiting_for_morning": 5,
        "resumes_at": "2026-10-06T08:00:00-05:00",
    }
    # A read: nothing moved.
    assert set(
        SmsMessage.objects.filter(event=event, kind=SmsKind.REMINDER).values_list(
            "next_attempt_at", flat=True
        )
    ) == {LATE}


def test_another_teams_event_forecast_is_not_found(reminders, client_for, lead_b):
    event = reminders(AFTERNOON)

    response = client_for(lead_b).get(f"/api/events/{event.pk}/sms-forecast")

    assert response.status_code == 404


def test_canvassers_and_volunteers_may_not_see_forecasts(reminders, client_for, canvasser_a):
    event = reminders(AFTERNOON)

    assert client_for(canvasser_a).get(f"/api/events/{event.pk}/sms-forecast").status_code == 403
    assert client_for(None).get(f"/api/events/{event.pk}/sms-forecast").status_code == 401


def test_dispatcher_splits_only_the_sends_that_would_cross_quiet_hours(
    settings, reminders, make_event
):
    _settings(settings, rate=1.0)
    crossing = reminders(LATE)
    afternoon = reminders(
        LATE,
        count=3,
        event=make_event(starts_at=LATE + timedelta(days=2), time_zone="UTC"),
        first=50,
    )

    assert sms_due_bulk_split(now=LATE) == 1

    moved = SmsMessage.objects.filter(kind=SmsKind.REMINDER).exclude(next_attempt_at=LATE)
    assert set(moved.values_list("event", flat=True)) == {crossing.pk}
    assert moved.count() == 5
    assert not moved.filter(event=afternoon).exists()


def test_no_window_of_a_second_holds_more_departures_than_the_rate(settings):
    from messaging.services.rates import MIN_GAP, WINDOW_SLACK, rate_limit_depart, rate_limit_wait

    settings.SMS_RATE_PER_SECOND, settings.SMS_SENDER_COUNT = 2, 1
    sender = "+15155550100"
    rate_limit_wait(sender=sender, now=AFTERNOON)  # the bucket row

    def depart(seconds: float) -> float:
        return rate_limit_depart(sender=sender, now=AFTERNOON + timedelta(seconds=seconds))

    # Two may leave within a second, never closer than MIN_GAP of the spacing (no burst) ...
    assert depart(0) == 0
    assert depart(0.1) == pytest.approx(MIN_GAP / 2 - 0.1)
    assert depart(MIN_GAP / 2) == 0
    # ... and a third only once the first is more than a second (plus the slack) behind.
    assert depart(0.9) == pytest.approx(1 + WINDOW_SLACK - 0.9)
    assert depart(1 + WINDOW_SLACK) == 0


def test_a_late_send_does_not_hold_back_the_on_time_ones_after_it(settings):
    from messaging.models import SmsRateBucket
    from messaging.services.rates import rate_limit_depart, rate_limit_wait

    settings.SMS_RATE_PER_SECOND, settings.SMS_SENDER_COUNT = 10, 1
    sender = "+15155550100"
    rate_limit_wait(sender=sender, now=AFTERNOON)

    def depart(seconds: float) -> float:
        return rate_limit_depart(sender=sender, now=AFTERNOON + timedelta(seconds=seconds))

    # Slots every 0.1 s; the send of slot 3 wakes 40 ms late, and slot 4's is on time 60 ms
    # after it: it leaves at once (a full gap after the last departure would have held it).
    for slot in range(3):
        assert depart(slot / 10) == 0
    assert depart(0.34) == 0
    assert depart(0.4) == 0
    assert SmsRateBucket.objects.get(sender=sender).departures[-2:] == [
        (AFTERNOON + timedelta(seconds=0.34)).timestamp(),
        (AFTERNOON + timedelta(seconds=0.4)).timestamp(),
    ]
    # The log keeps only the window's worth: the rate's count of departures.
    for later in range(1, 25):
        assert depart(0.4 + later * 0.11) == 0
    assert len(SmsRateBucket.objects.get(sender=sender).departures) == 10


def test_a_rate_below_one_per_second_spaces_single_departures(settings):
    from messaging.services.rates import (
        WINDOW_SLACK,
        departure_window,
        rate_limit_depart,
        rate_limit_wait,
    )

    settings.SMS_RATE_PER_SECOND, settings.SMS_SENDER_COUNT = 0.5, 1
    assert departure_window() == (1, 2.0)
    sender = "+15155550100"
    rate_limit_wait(sender=sender, now=AFTERNOON)
    assert rate_limit_depart(sender=sender, now=AFTERNOON) == 0
    wait = rate_limit_depart(sender=sender, now=AFTERNOON + timedelta(seconds=1))
    assert wait == pytest.approx(1 + WINDOW_SLACK)


def test_a_broadcast_late_in_the_evening_is_forecast_and_split_like_reminders(
    settings, reminders, client_for, organizer, lead_a, fake_twilio
):
    # Ten volunteers signed up; the organizer cancels the event five seconds before quiet
    # hours: the ten cancellation notices are one bulk send, at one text per second.
    _settings(settings, rate=1.0)
    event = reminders(AFTERNOON)
    SmsMessage.objects.filter(event=event).exclude(kind=SmsKind.EVENT_CANCELLED).delete()

    with time_machine.travel(LATE, tick=False):
        cancelled = client_for(organizer).post(f"/api/events/{event.pk}/cancel", {}, format="json")
        forecast = client_for(lead_a).get(f"/api/events/{event.pk}/sms-forecast").json()
        assert sms_due_bulk_split(now=LATE) == 1  # the dispatcher's first step, at 1/s
        settings.SMS_RATE_PER_SECOND = 0  # the test sends at once; the split paced the rows
        sms_dispatch_due()

    assert cancelled.status_code == 200, cancelled.content
    notices = list(SmsMessage.objects.filter(event=event, kind=SmsKind.EVENT_CANCELLED))
    assert len(notices) == 10
    assert (forecast["rows"], forecast["rows_before_quiet_hours"]) == (10, 5)
    assert forecast["rows_waiting_for_morning"] == 5
    assert forecast["resumes_at"] == "2026-10-06T08:00:00-05:00"
    sent = [n for n in notices if n.status == SmsStatus.SENT]
    waiting = [n for n in notices if n.status == SmsStatus.QUEUED]
    assert (len(sent), len(waiting)) == (5, 5)
    assert all(n.next_attempt_at >= MORNING for n in waiting)
    assert len(fake_twilio.accepted) == 5


def test_a_send_that_stalled_before_the_wire_is_counted_from_when_it_left(settings):
    from messaging.models import SmsRateBucket
    from messaging.services.rates import WINDOW_SLACK, rate_limit_depart, rate_limit_restamp
    from messaging.services.rates import rate_limit_wait as reserve

    settings.SMS_RATE_PER_SECOND, settings.SMS_SENDER_COUNT = 2, 1
    sender = "+15155550100"
    reserve(sender=sender, now=AFTERNOON)
    start = AFTERNOON.timestamp()

    def depart(seconds: float) -> float:
        return rate_limit_depart(sender=sender, now=AFTERNOON + timedelta(seconds=seconds))

    assert depart(0) == 0 and depart(0.25) == 0
    # The first send's request reached the wire 300 ms after its stamp (a stall): the third
    # send waits a second after that, not after the stamp.
    assert rate_limit_restamp(sender=sender, stamp=start, at=start + 0.3)
    assert SmsRateBucket.objects.get(sender=sender).departures == [start + 0.25, start + 0.3]
    assert depart(1 + WINDOW_SLACK) == pytest.approx(0.25)
    # A few milliseconds is the usual way out: the stamp stands, nothing is written.
    assert not rate_limit_restamp(sender=sender, stamp=start + 0.25, at=start + 0.253)


def test_the_twilio_client_says_when_its_request_left(fake_twilio):
    import time

    from backend.sms import get_backend, on_wire

    reached: list[float] = []
    before = time.time()
    with on_wire(reached.append):
        get_backend().send(to="+15155550123", body="Hello", message_id="1")
    after = time.time()

    assert len(reached) == 1
    assert before <= reached[0] <= after
    assert len(fake_twilio.accepted) == 1


def test_a_failing_wire_callback_never_fails_a_send_that_left(fake_twilio):
    from backend.sms import get_backend, on_wire

    def broken(at: float) -> None:
        raise RuntimeError("the schedule's database is gone")

    with on_wire(broken):
        result = get_backend().send(to="+15155550123", body="Hello", message_id="1")

    assert result.provider_id.startswith("SM")
    assert len(fake_twilio.accepted) == 1
