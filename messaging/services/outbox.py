"""The SMS outbox: rows written by domain-event receivers in the transaction of the change.

`events.apps` subscribes `outbox_on_domain_event` to `events.domain_events`; every text the app
sends starts here as an `SmsMessage` row and is sent later by `sms_dispatch.sms_dispatch_due`.
Whether a row may actually be sent (consent, opt-out, quiet hours, caps, the signup still being
active) is decided again at send time; rows are also marked skipped here when the answer is
already known, so organizers see why a text did not go out.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import domain_events
from events.models import (
    EventStatus,
    InboundSms,
    Shift,
    ShiftStatus,
    Signup,
    SignupStatus,
    SmsConsent,
    SmsKind,
    SmsMessage,
    SmsOptOut,
    SmsStatus,
    Volunteer,
)
from events.sms_templates import render

# Event fields whose change is worth a text to everyone signed up.
NOTIFY_EVENT_FIELDS = {"starts_at", "ends_at", "location", "time_zone"}
NOTIFY_SHIFT_FIELDS = {"starts_at", "ends_at"}
ACTIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


# --- Quiet hours ----------------------------------------------------------------------------


def in_quiet_hours(moment: datetime, time_zone: str) -> bool:
    local = moment.astimezone(ZoneInfo(time_zone))
    start, end = settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END
    if start == end:
        return False
    if start > end:  # wraps midnight, e.g. 21:00-08:00
        return local.hour >= start or local.hour < end
    return start <= local.hour < end


def quiet_hours_end(moment: datetime, time_zone: str) -> datetime:
    """The first allowed moment at or after `moment` (itself when outside quiet hours).

    Built from the local date and the wall-clock end hour, so it is 08:00 local on both sides
    of a daylight-saving change (zoneinfo resolves the UTC offset for that date).
    """
    if not in_quiet_hours(moment, time_zone):
        return moment
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    day = local.date()
    if local.hour >= settings.SMS_QUIET_HOURS_END:
        day = day + timedelta(days=1)
    return datetime.combine(day, time(settings.SMS_QUIET_HOURS_END), tzinfo=zone).astimezone(
        ZoneInfo("UTC")
    )


def next_local_morning(moment: datetime, time_zone: str) -> datetime:
    """Quiet hours' end on the next local day (used when today's organization cap is spent)."""
    zone = ZoneInfo(time_zone)
    day = moment.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, time(settings.SMS_QUIET_HOURS_END), tzinfo=zone).astimezone(
        ZoneInfo("UTC")
    )


# --- Consent and opt-out --------------------------------------------------------------------


def has_consent(volunteer_id: int | None) -> bool:
    if volunteer_id is None:
        return False
    latest = (
        SmsConsent.objects.filter(volunteer_id=volunteer_id)
        .order_by("-recorded_at", "-id")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(latest)


def is_opted_out(phone_hash: str) -> bool:
    return SmsOptOut.objects.filter(phone_hash=phone_hash).exists()


# --- Writing rows ---------------------------------------------------------------------------


def _time_zone(shift: Shift | None) -> str:
    return shift.event.time_zone if shift is not None else settings.TIME_ZONE


def sms_enqueue(
    *,
    kind: str,
    volunteer: Volunteer,
    body: str,
    signup: Signup | None = None,
    send_after: datetime | None = None,
    offset_minutes: int = 0,
    in_reply_to: InboundSms | None = None,
) -> SmsMessage | None:
    """Write one outbox row; None when the (signup, kind, offset) row already exists.

    Replies go out at once; other texts wait for quiet hours to end. A volunteer without consent
    or an opted-out number gets a row marked skipped, never sent.
    """
    now = timezone.now()
    shift = signup.shift if signup is not None else None
    due = max(send_after or now, now)
    if kind != SmsKind.REPLY:
        due = quiet_hours_end(due, _time_zone(shift))
    status, reason = SmsStatus.QUEUED, ""
    if kind == SmsKind.REMINDER and shift is not None and due >= shift.starts_at:
        # Quiet hours would hold it until the shift has started: useless, so skipped.
        status, reason = SmsStatus.SKIPPED, "quiet_hours"
    elif kind != SmsKind.REPLY and not has_consent(volunteer.pk):
        status, reason = SmsStatus.SKIPPED, "no_consent"
    elif is_opted_out(volunteer.phone_hash):
        status, reason = SmsStatus.SKIPPED, "opted_out"
    message = SmsMessage(
        volunteer=volunteer,
        phone=volunteer.phone,
        phone_hash=volunteer.phone_hash,
        body=body,
        kind=kind,
        language=volunteer.language,
        signup=signup,
        event=shift.event if shift is not None else None,
        in_reply_to=in_reply_to,
        offset_minutes=offset_minutes,
        send_after=due,
        next_attempt_at=due,
        status=status,
        skip_reason=reason,
    )
    try:
        # A savepoint: a duplicate (the unique constraint) must not break the caller's
        # transaction; the constraint is the final word on "at most one per signup and kind".
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return None
    return message


def sms_reply_enqueue(
    *, inbound: InboundSms, body: str, volunteer: Volunteer | None, phone: str, phone_hash: str
) -> SmsMessage:
    """Queue the answer to an inbound text (at most one per inbound: a one-to-one link)."""
    now = timezone.now()
    status, reason = SmsStatus.QUEUED, ""
    if is_opted_out(phone_hash):
        status, reason = SmsStatus.SKIPPED, "opted_out"
    return SmsMessage.objects.create(
        volunteer=volunteer,
        phone=phone,
        phone_hash=phone_hash,
        body=body,
        kind=SmsKind.REPLY,
        language=volunteer.language if volunteer is not None else "en",
        in_reply_to=inbound,
        send_after=now,
        next_attempt_at=now,
        status=status,
        skip_reason=reason,
    )


def sms_opt_out_confirmation_enqueue(
    *, inbound: InboundSms, volunteer: Volunteer | None, phone: str, phone_hash: str, language: str
) -> SmsMessage:
    """Queue the one text that confirms an opt-out the carrier did not see (a phrase, a Spanish
    word): the only row the dispatcher sends to an opted-out number. The caller queues it only
    when the number was not opted out before (so never twice for one opt-out)."""
    now = timezone.now()
    return SmsMessage.objects.create(
        volunteer=volunteer,
        phone=phone,
        phone_hash=phone_hash,
        body=render(SmsKind.OPT_OUT_CONFIRMATION, language),
        kind=SmsKind.OPT_OUT_CONFIRMATION,
        language=language,
        in_reply_to=inbound,
        send_after=now,
        next_attempt_at=now,
    )


def _reminders_sync(signup: Signup) -> None:
    """Create or move the reminders of a confirmed signup to the shift's current start.

    A reminder whose moment has already passed is not created (or, if queued, is skipped).
    """
    now = timezone.now()
    shift = signup.shift
    for hours in settings.SMS_REMINDER_OFFSETS_HOURS:
        offset = hours * 60
        due = shift.starts_at - timedelta(minutes=offset)
        existing = SmsMessage.objects.filter(
            signup=signup, kind=SmsKind.REMINDER, offset_minutes=offset
        ).first()
        if existing is None:
            if due > now:
                sms_enqueue(
                    kind=SmsKind.REMINDER,
                    volunteer=signup.volunteer,
                    body=render(SmsKind.REMINDER, signup.volunteer.language, shift=shift),
                    signup=signup,
                    send_after=due,
                    offset_minutes=offset,
                )
            continue
        if existing.status != SmsStatus.QUEUED:
            continue
        existing.body = render(SmsKind.REMINDER, signup.volunteer.language, shift=shift)
        if due <= now:
            existing.status, existing.skip_reason = SmsStatus.SKIPPED, "reminder_time_passed"
        else:
            due = quiet_hours_end(due, shift.event.time_zone)
            existing.send_after = existing.next_attempt_at = due
            if due >= shift.starts_at:
                existing.status, existing.skip_reason = SmsStatus.SKIPPED, "quiet_hours"
        existing.save(
            update_fields=["body", "status", "skip_reason", "send_after", "next_attempt_at"]
        )


def _skip_queued(signup: Signup, reason: str) -> None:
    SmsMessage.objects.filter(signup=signup, status=SmsStatus.QUEUED).update(
        status=SmsStatus.SKIPPED, skip_reason=reason, updated_at=timezone.now()
    )


def _signup_text(kind: str, signup: Signup) -> None:
    sms_enqueue(
        kind=kind,
        volunteer=signup.volunteer,
        body=render(kind, signup.volunteer.language, shift=signup.shift),
        signup=signup,
    )


def _active_signups(**filters: object) -> list[Signup]:
    return list(
        Signup.objects.filter(status__in=ACTIVE, **filters).select_related(
            "volunteer", "shift__event__location"
        )
    )


def outbox_on_domain_event(event: domain_events.DomainEvent) -> None:
    """Turn a domain event into outbox rows, in the caller's transaction."""
    name = event.name
    signup = event.signup
    if name == domain_events.SIGNUP_CONFIRMED and signup is not None:
        _signup_text(SmsKind.CONFIRMATION, signup)
        _reminders_sync(signup)
    elif name == domain_events.SIGNUP_WAITLISTED and signup is not None:
        _signup_text(SmsKind.WAITLISTED, signup)
    elif name == domain_events.SIGNUP_PROMOTED and signup is not None:
        _signup_text(SmsKind.PROMOTED, signup)
        _reminders_sync(signup)
    elif name == domain_events.SIGNUP_CANCELLED and signup is not None:
        _skip_queued(signup, "signup_cancelled")
        if signup.shift.status == ShiftStatus.CANCELLED:
            _signup_text(SmsKind.EVENT_CANCELLED, signup)
    elif name == domain_events.EVENT_CANCELLED:
        for active in _active_signups(shift__event=event.event):
            _skip_queued(active, "event_cancelled")
            _signup_text(SmsKind.EVENT_CANCELLED, active)
    elif name == domain_events.EVENT_CHANGED:
        if event.changes.get("status", {}).get("new") == EventStatus.COMPLETED:
            for active in Signup.objects.filter(shift__event=event.event):
                _skip_queued(active, "event_completed")
        elif NOTIFY_EVENT_FIELDS & set(event.changes):
            for active in _active_signups(
                shift__event=event.event, shift__status=ShiftStatus.SCHEDULED
            ):
                _notify_change(active)
    elif (
        name == domain_events.SHIFT_CHANGED
        and event.shift is not None
        and NOTIFY_SHIFT_FIELDS & set(event.changes)
    ):
        for active in _active_signups(shift=event.shift):
            _notify_change(active)


def _notify_change(signup: Signup) -> None:
    # Several changes may each be announced: event_changed is not in the per-signup constraint.
    _signup_text(SmsKind.EVENT_CHANGED, signup)
    if signup.status == SignupStatus.CONFIRMED:
        _reminders_sync(signup)
