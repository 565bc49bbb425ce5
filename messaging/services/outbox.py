"""The SMS outbox: rows written by domain-event receivers in the transaction of the change.

`messaging.apps` subscribes `outbox_on_domain_event` to `events.domain_events`; every text the
app sends starts here as an `SmsMessage` row and is sent later by `dispatch.sms_dispatch_due`.
Whether a row may be sent is `sendability`'s answer, asked here when the row is queued (a row
that will never go is marked skipped at once, so organizers see why) and again when it is
claimed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import User
from events import domain_events
from events.models import EventStatus, ShiftStatus, Signup, SignupStatus, Volunteer
from events.selectors.sensitive import address_releasable, address_release_at
from messaging.models import (
    ON_REQUEST_KINDS,
    SAFETY_KINDS,
    Channel,
    InboundSms,
    SmsKind,
    SmsMessage,
    SmsStatus,
)
from messaging.selectors.consent import has_voice_consent
from messaging.services.sendability import (
    Decision,
    in_quiet_hours,
    message_quiet_hours_end,
    send_facts,
    sendability,
)
from messaging.services.voice import voice_reminder_text
from messaging.templates import address_release_body, render

# Event fields whose change is worth a text to everyone signed up.
NOTIFY_EVENT_FIELDS = {"starts_at", "ends_at", "location", "time_zone"}
NOTIFY_SHIFT_FIELDS = {"starts_at", "ends_at"}
ACTIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


# --- Writing rows ---------------------------------------------------------------------------


def _queue(message: SmsMessage, due: datetime) -> SmsMessage:
    """Set when `message` is due and whether it will ever go (not saved). Texts other than
    answers to a request wait for quiet hours to end; a row `sendability` refuses for good is
    skipped now; one it holds stays queued (the dispatcher asks again)."""
    earliest = (
        due
        if message.kind in ON_REQUEST_KINDS
        or message.kind in SAFETY_KINDS
        or message.kind == SmsKind.ENDORSEMENT_CONFIRMATION
        else message_quiet_hours_end(message, due)
    )
    message.send_after = message.next_attempt_at = earliest
    verdict = sendability(message, due)
    if verdict.decision == Decision.SKIP:
        message.status, message.skip_reason = SmsStatus.SKIPPED, verdict.reason
    return message


def _save_unless_duplicate(message: SmsMessage) -> SmsMessage | None:
    """Save `message`; None when a unique constraint says it exists already (one per signup,
    kind and offset; one invitation per endorser and event). In a savepoint, so a duplicate
    never breaks the caller's transaction: the constraint is the final word on "at most one"."""
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return None
    return message


def sms_enqueue(
    *,
    kind: str,
    volunteer: Volunteer,
    body: str,
    signup: Signup | None = None,
    send_after: datetime | None = None,
    offset_minutes: int = 0,
    in_reply_to: InboundSms | None = None,
    channel: str = Channel.SMS,
) -> SmsMessage | None:
    """Write one outbox row (a call when `channel` is voice); None when the (signup, kind, offset) row already exists.

    Replies go out at once; other texts wait for quiet hours to end. A row that will never go
    (no consent, an opted-out number, ...: `sendability`) is marked skipped, never sent.
    """
    now = timezone.now()
    shift = signup.shift if signup is not None else None
    message = _queue(
        SmsMessage(
            volunteer=volunteer,
            phone=volunteer.phone,
            phone_hash=volunteer.phone_hash,
            body=body,
            kind=kind,
            channel=channel,
            language=volunteer.language,
            signup=signup,
            event=shift.event if shift is not None else None,
            in_reply_to=in_reply_to,
            offset_minutes=offset_minutes,
        ),
        max(send_after or now, now),
    )
    return _save_unless_duplicate(message)


def sms_safety_enqueue(
    *, kind: str, user: User, body: str, send_after: datetime | None = None
) -> SmsMessage:
    """Queue one safety text (`SAFETY_KINDS`) to a staff member's own number. Due at once (or at
    `send_after`), whatever the hour; skipped at once (and so on record) when the person set no
    number, withdrew their consent or opted out. Callers that must not send twice (escalations,
    broadcasts) claim their step in their own table first, in the same transaction."""
    if kind not in SAFETY_KINDS:
        raise ValueError(f"{kind} is not a safety text")
    now = timezone.now()
    message = _queue(
        SmsMessage(
            user=user,
            phone=user.phone,
            phone_hash=user.phone_hash,
            body=body,
            kind=kind,
            language=user.language,
        ),
        max(send_after or now, now),
    )
    message.save()
    return message


def sms_safety_enqueue_many(*, kind: str, messages: Sequence[tuple[User, str]]) -> list[SmsMessage]:
    """`sms_safety_enqueue` for many people at once (an incident broadcast): the facts
    `sendability` needs are loaded once for all of them and the rows written in one INSERT per
    500, so a broadcast to 500 canvassers costs a handful of queries, not four per person."""
    if kind not in SAFETY_KINDS:
        raise ValueError(f"{kind} is not a safety text")
    now = timezone.now()
    rows = [
        SmsMessage(
            user=user,
            phone=user.phone,
            phone_hash=user.phone_hash,
            body=body,
            kind=kind,
            language=user.language,
            send_after=now,
            next_attempt_at=now,
        )
        for user, body in messages
    ]
    facts = send_facts(rows, now=now)
    for row in rows:
        verdict = sendability(row, now, facts)
        if verdict.decision == Decision.SKIP:
            row.status, row.skip_reason = SmsStatus.SKIPPED, verdict.reason
    return SmsMessage.objects.bulk_create(rows, batch_size=500)


def sms_reply_enqueue(
    *, inbound: InboundSms, body: str, volunteer: Volunteer | None, phone: str, phone_hash: str
) -> SmsMessage:
    """Queue the answer to an inbound text (at most one per inbound: a one-to-one link)."""
    message = _queue(
        SmsMessage(
            volunteer=volunteer,
            phone=phone,
            phone_hash=phone_hash,
            body=body,
            kind=SmsKind.REPLY,
            language=volunteer.language if volunteer is not None else "en",
            in_reply_to=inbound,
        ),
        timezone.now(),
    )
    message.save()
    return message


def sms_opt_out_confirmation_enqueue(
    *, inbound: InboundSms, volunteer: Volunteer | None, phone: str, phone_hash: str, language: str
) -> SmsMessage:
    """Queue the one text that confirms an opt-out the carrier did not see (a phrase, a Spanish
    word): the only row the dispatcher sends to an opted-out number. The caller queues it only
    when the number was not opted out before (so never twice for one opt-out)."""
    message = _queue(
        SmsMessage(
            volunteer=volunteer,
            phone=phone,
            phone_hash=phone_hash,
            body=render(SmsKind.OPT_OUT_CONFIRMATION, language),
            kind=SmsKind.OPT_OUT_CONFIRMATION,
            language=language,
            in_reply_to=inbound,
        ),
        timezone.now(),
    )
    message.save()
    return message


def _reminders_sync(signup: Signup) -> None:
    """Create or move the reminders of a confirmed signup to the shift's current start.

    A reminder whose moment has already passed is not created (or, if queued, is skipped).
    """
    now = timezone.now()
    shift = signup.shift
    channel = _reminder_channel(signup.volunteer)
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
                    body=_reminder_body(signup, channel),
                    signup=signup,
                    send_after=due,
                    offset_minutes=offset,
                    channel=channel,
                )
            continue
        if existing.status != SmsStatus.QUEUED:
            continue
        existing.body = _reminder_body(signup, existing.channel)
        if due <= now:
            existing.status, existing.skip_reason = SmsStatus.SKIPPED, "reminder_time_passed"
        else:
            existing.event = shift.event  # the same event, already loaded
            due = message_quiet_hours_end(existing, due, zip_code=signup.volunteer.zip_code)
            existing.send_after = existing.next_attempt_at = due
            if due >= shift.starts_at:
                existing.status, existing.skip_reason = SmsStatus.SKIPPED, "quiet_hours"
        existing.save(
            update_fields=["body", "status", "skip_reason", "send_after", "next_attempt_at"]
        )


def _reminder_channel(volunteer: Volunteer) -> str:
    """A call for a volunteer who chose voice reminders and has not stopped calls."""
    if volunteer.reminder_channel == Channel.VOICE and has_voice_consent(volunteer.pk):
        return Channel.VOICE
    return Channel.SMS


def _reminder_body(signup: Signup, channel: str) -> str:
    language = signup.volunteer.language
    if channel == Channel.VOICE:
        return voice_reminder_text(signup, language)
    return render(SmsKind.REMINDER, language, shift=signup.shift)


def _before_quiet_hours(moment: datetime, time_zone: str) -> datetime:
    """The last allowed moment at or before `moment`: an address must not wait for the morning
    (an early shift would start first), so it goes the evening before instead."""
    while in_quiet_hours(moment, time_zone):
        moment -= timedelta(minutes=15)
    return moment


def _address_release_sync(signup: Signup, *, immediate: bool = False) -> None:
    """Queue (or move) the text that carries a sensitive event's address to a confirmed signup
    of a vetted volunteer: SENSITIVE_ADDRESS_RELEASE_MINUTES before the shift (earlier when that
    falls in quiet hours), or at once when `immediate` (an organizer's request; at most once per
    signup). The row stores the text with a placeholder; the dispatcher renders the address
    when it sends and asks again then whether it may (`sendability`)."""
    shift = signup.shift
    event = shift.event
    if not event.is_sensitive or not address_releasable(signup):
        return
    now = timezone.now()
    if shift.ends_at <= now:
        return
    language = signup.volunteer.language
    offset = 0 if immediate else settings.SENSITIVE_ADDRESS_RELEASE_MINUTES
    due = now if immediate else _before_quiet_hours(address_release_at(shift), event.time_zone)
    existing = SmsMessage.objects.filter(
        signup=signup, kind=SmsKind.ADDRESS_RELEASE, offset_minutes=offset
    ).first()
    if existing is None:
        sms_enqueue(
            kind=SmsKind.ADDRESS_RELEASE,
            volunteer=signup.volunteer,
            body=address_release_body(shift, language),
            signup=signup,
            send_after=max(due, now),
            offset_minutes=offset,
        )
        return
    if existing.status == SmsStatus.QUEUED and not immediate:
        existing.body = address_release_body(shift, language)
        existing.send_after = existing.next_attempt_at = max(due, now)
        existing.save(update_fields=["body", "send_after", "next_attempt_at", "updated_at"])


def _rerender_queued(signup: Signup) -> None:
    """Render the queued texts of a signup again (an event just made sensitive: texts queued
    before name its street; now they must name only its city)."""
    for message in SmsMessage.objects.filter(signup=signup, status=SmsStatus.QUEUED).exclude(
        kind=SmsKind.ADDRESS_RELEASE
    ):
        message.body = render(message.kind, message.language, shift=signup.shift)
        message.save(update_fields=["body", "updated_at"])


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
        _address_release_sync(signup)
    elif name == domain_events.SIGNUP_WAITLISTED and signup is not None:
        _signup_text(SmsKind.WAITLISTED, signup)
    elif name == domain_events.SIGNUP_PROMOTED and signup is not None:
        _signup_text(SmsKind.PROMOTED, signup)
        _reminders_sync(signup)
        _address_release_sync(signup)
    elif name == domain_events.ADDRESS_RELEASE_REQUESTED and signup is not None:
        _address_release_sync(signup, immediate=True)
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
        elif "is_sensitive" in event.changes:
            for active in _active_signups(
                shift__event=event.event, shift__status=ShiftStatus.SCHEDULED
            ):
                _rerender_queued(active)
                _address_release_sync(active)
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
        _address_release_sync(signup)


# --- Texts to endorsers (canvass endorsements) ----------------------------------------------


def sms_endorser_enqueue(
    *,
    kind: str,
    endorsement_id: int,
    phone: str,
    phone_hash: str,
    body: str,
    language: str,
    event_id: int | None = None,
) -> SmsMessage | None:
    """Queue one text to an endorser (an `ENDORSEMENT_KINDS` kind). `sendability` sends it only
    with the endorser's consent for that kind's own scope. None when the endorser already has
    this invitation for this event (the database constraint)."""
    message = _queue(
        SmsMessage(
            endorsement_id=endorsement_id,
            phone=phone,
            phone_hash=phone_hash,
            body=body,
            kind=kind,
            language=language,
            event_id=event_id,
        ),
        timezone.now(),
    )
    return _save_unless_duplicate(message)


def sms_endorser_forget(*, endorsement_ids: list[int], phone_hashes: list[str]) -> dict[str, int]:
    """Strip the number and the text of every outgoing and inbound text of these endorsers
    (erased, or purged unconfirmed), keeping the rows' kind and status as anonymous counts.
    The opt-out list keeps its keyed hashes: they are what keeps a number from being texted."""
    from django.db.models import Q

    match = Q(endorsement_id__in=endorsement_ids)
    hashes = [value for value in phone_hashes if value]
    if hashes:
        match |= Q(phone_hash__in=hashes, volunteer__isnull=True)
    outbound = SmsMessage.objects.filter(match).update(phone="", phone_hash="", body="")
    inbound = 0
    if hashes:
        inbound = InboundSms.objects.filter(phone_hash__in=hashes, volunteer__isnull=True).update(
            phone="", phone_hash="", body="", body_purged=True
        )
    return {"sms_messages": outbound, "sms_inbound": inbound}
