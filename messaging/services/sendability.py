"""May this text go out now? One answer, used when a text is queued, when the dispatcher claims
it and when an on-request text is sent at once.

The rules, in the order they are asked:

1. a number with a reply held for an organizer's review waits (late, not lost);
2. an opted-out number is never texted (except the one text confirming the opt-out);
3. texts other than answers to a request need the volunteer's consent; a safety text the staff
   member's consent to safety texts; texts to an endorser (`ENDORSEMENT_KINDS`) the endorser's
   consent for that text's own scope (`_endorser_consent`): endorsement texts are not shift texts;
4. no number, nothing to send;
5. a signup text that is no longer useful (the signup or shift is gone, the shift started; a
   sensitive address to a signup no longer confirmed or a volunteer no longer vetted);
6. quiet hours hold a text until morning, or skip a reminder that morning would make useless
   (a sensitive address that morning would make useless goes now): the event's quiet hours in
   its time zone and the recipient's in theirs, with their state's stricter hours where its law
   sets them (`message_quiet_windows`, messaging/recipients.py); a text or call goes only when
   both allow it;
7. the daily caps: a number that had its share today is skipped, the organization's spent
   budget holds texts until the next local morning. The caps are counted only when a text is
   claimed (`SendFacts.with_caps`), under the claim's lock: at queue time the day's count at
   the moment of sending is not known yet.

Safety texts (`SAFETY_KINDS`) are never held by quiet hours or the caps: a missed check-in at
6:30 in the morning or an enforcement alert cannot wait for morning or for tomorrow's budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum

from backend.accounts.models import User
from canvass.selectors.endorsements import endorser_sms_scopes
from events.models import EventStatus, ShiftStatus, SignupStatus
from messaging.models import (
    ENDORSEMENT_KINDS,
    ON_REQUEST_KINDS,
    SAFETY_KINDS,
    SmsKind,
    SmsMessage,
    SmsStatus,
)
from messaging.recipients import recipient_place, recipient_zip_codes
from messaging.selectors.consent import consents_latest
from messaging.selectors.optouts import opted_out_numbers
from messaging.selectors.reviews import held_numbers

# How often a text held for a pending review is looked at again.
REVIEW_HOLD_RECHECK_SECONDS = 300

# Statuses that count towards the daily caps (a request went, or may have gone, out).
COUNTED_STATUSES = (
    SmsStatus.SENDING,
    SmsStatus.SENT,
    SmsStatus.DELIVERED,
    SmsStatus.UNDELIVERED,
    SmsStatus.UNKNOWN,
)


# --- Quiet hours ----------------------------------------------------------------------------


def _in_window(moment: datetime, time_zone: str, start: int, end: int) -> bool:
    local = moment.astimezone(ZoneInfo(time_zone))
    if start == end:
        return False
    if start > end:  # wraps midnight, e.g. 21:00-08:00
        return local.hour >= start or local.hour < end
    return start <= local.hour < end


def _window_end(moment: datetime, time_zone: str, start: int, end: int) -> datetime:
    if not _in_window(moment, time_zone, start, end):
        return moment
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    day = local.date()
    if local.hour >= end:
        day = day + timedelta(days=1)
    return datetime.combine(day, time(end), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def in_quiet_hours(moment: datetime, time_zone: str) -> bool:
    return _in_window(
        moment, time_zone, settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END
    )


def quiet_hours_end(moment: datetime, time_zone: str) -> datetime:
    """The first allowed moment at or after `moment` (itself when outside quiet hours).

    Built from the local date and the wall-clock end hour, so it is 08:00 local on both sides
    of a daylight-saving change (zoneinfo resolves the UTC offset for that date).
    """
    return _window_end(
        moment, time_zone, settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END
    )


def next_local_morning(moment: datetime, time_zone: str) -> datetime:
    """Quiet hours' end on the next local day (used when today's organization cap is spent)."""
    zone = ZoneInfo(time_zone)
    day = moment.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, time(settings.SMS_QUIET_HOURS_END), tzinfo=zone).astimezone(
        ZoneInfo("UTC")
    )


# --- The answer -----------------------------------------------------------------------------


class Decision(StrEnum):
    SEND = "send"  # may go now
    SKIP = "skip"  # never: mark it skipped with `reason`
    WAIT = "wait"  # not now: ask again at `until` (`reason` says why)


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str = ""
    until: datetime | None = None


SEND = Verdict(Decision.SEND)


@dataclass
class SendFacts:
    """What the rules need to know about a batch of texts, loaded in a few queries.

    `sent_per_phone` and `sent_total` are None unless the caps are counted (a claim)."""

    opted_out: set[str]
    held: set[str]
    consent: dict[int, bool]
    staff_consent: dict[int, bool]
    # Endorsement id -> the consent scopes its endorser granted (canvass endorsements).
    endorser_scopes: dict[int, set[str]] = field(default_factory=dict)
    # Volunteer id -> their ZIP code (those who gave one): the recipient's state for quiet hours.
    recipient_zips: dict[int, str] = field(default_factory=dict)
    sent_per_phone: dict[str, int] | None = None
    sent_total: int | None = None
    # The same, counted in SMS segments (what carriers bill and cap).
    segments_per_phone: dict[str, int] | None = None
    segments_total: int | None = None

    def take(self, message: SmsMessage) -> None:
        """Count `message` towards the caps (it was claimed)."""
        if self.sent_per_phone is not None:
            self.sent_per_phone[message.phone_hash] = (
                self.sent_per_phone.get(message.phone_hash, 0) + 1
            )
        if self.sent_total is not None:
            self.sent_total += 1
        if self.segments_per_phone is not None:
            self.segments_per_phone[message.phone_hash] = (
                self.segments_per_phone.get(message.phone_hash, 0) + message.segments
            )
        if self.segments_total is not None:
            self.segments_total += message.segments


def send_facts(
    messages: Sequence[SmsMessage], *, now: datetime, with_caps: bool = False
) -> SendFacts:
    """Load the facts for `messages`. With `with_caps`, the caller holds the caps lock
    (see `messaging.services.dispatch`): spent is what was sent (or possibly sent) in the last
    24 h plus what a live dispatcher has claimed."""
    hashes = {message.phone_hash for message in messages}
    endorsement_ids = [m.endorsement_id for m in messages if m.endorsement_id is not None]
    facts = SendFacts(
        opted_out=opted_out_numbers(hashes),
        held=held_numbers(hashes),
        consent={
            volunteer_id: consent.granted
            for volunteer_id, consent in consents_latest(
                volunteer_ids=[message.volunteer_id for message in messages]
            ).items()
        },
        staff_consent=_staff_consent(
            {message.user_id for message in messages if message.user_id is not None}
        ),
        endorser_scopes=endorser_sms_scopes(endorsement_ids) if endorsement_ids else {},
        recipient_zips=recipient_zip_codes(message.volunteer_id for message in messages),
    )
    if with_caps:
        spent = Q(status__in=COUNTED_STATUSES, sending_started_at__gte=now - timedelta(days=1)) | Q(
            status=SmsStatus.QUEUED, claimed_until__gte=now
        )
        facts.sent_per_phone = dict(
            SmsMessage.objects.filter(spent, phone_hash__in=hashes)
            .values_list("phone_hash")
            .annotate(n=Count("id"))
            .values_list("phone_hash", "n")
        )
        facts.sent_total = SmsMessage.objects.filter(spent).count()
        facts.segments_per_phone = dict(
            SmsMessage.objects.filter(spent, phone_hash__in=hashes)
            .values_list("phone_hash")
            .annotate(n=Sum("segments"))
            .values_list("phone_hash", "n")
        )
        facts.segments_total = (
            SmsMessage.objects.filter(spent).aggregate(n=Sum("segments"))["n"] or 0
        )
    return facts


def _staff_consent(user_ids: set[int]) -> dict[int, bool]:
    """Whether each staff member takes safety texts now (a number and their consent)."""
    if not user_ids:
        return {}
    return {
        user.pk: user.takes_safety_texts
        for user in User.objects.filter(pk__in=user_ids).only(
            "id", "phone", "safety_texts_consent_at"
        )
    }


def _no_longer_useful(message: SmsMessage, now: datetime) -> str:
    """Why a signup-related text is no longer useful, or ''."""
    signup = message.signup
    if message.kind == SmsKind.SHIFT_INVITATION:
        # An invitation to an endorser: useful while its event is still ahead.
        event = message.event
        if event is None or event.status != EventStatus.SCHEDULED:
            return "event_not_scheduled"
        return "event_over" if event.ends_at <= now else ""
    if (
        message.kind in ON_REQUEST_KINDS
        or message.kind in ENDORSEMENT_KINDS
        or message.kind in SAFETY_KINDS
    ):
        return ""
    if signup is None:
        return "signup_removed" if message.kind != SmsKind.EVENT_CHANGED else ""
    shift = signup.shift
    event = shift.event
    if message.kind == SmsKind.EVENT_CANCELLED:
        return ""
    if event.status == EventStatus.CANCELLED or shift.status == ShiftStatus.CANCELLED:
        return "event_cancelled"
    if message.kind == SmsKind.ADDRESS_RELEASE:
        # Asked again when sent: vetting withdrawn, the signup moved off confirmed, the event
        # no longer sensitive (its place is then in the other texts) all stop the address.
        if signup.status != SignupStatus.CONFIRMED:
            return "signup_not_confirmed"
        if signup.volunteer.vetted_at is None:
            return "volunteer_not_vetted"
        if not event.is_sensitive or event.location_id is None:
            return "address_not_releasable"
        return "shift_ended" if shift.ends_at <= now else ""
    if message.kind == SmsKind.WAITLISTED:
        return "" if signup.status == SignupStatus.WAITLISTED else "no_longer_waitlisted"
    if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
        return "signup_cancelled" if signup.status == SignupStatus.CANCELLED else "signup_closed"
    if message.kind in (SmsKind.REMINDER, SmsKind.EVENT_CHANGED) and shift.starts_at <= now:
        return "shift_started"
    if message.kind == SmsKind.REMINDER and signup.status != SignupStatus.CONFIRMED:
        return "signup_not_confirmed"
    return ""


# The scope of consent each text to an endorser needs (canvass.EndorsementConsentScope values).
ENDORSER_SCOPE = {
    SmsKind.ENDORSEMENT_CONFIRMATION: "endorsement_texts",
    SmsKind.SHIFT_INVITATION: "shift_invitations",
}


def _endorser_consent(message: SmsMessage, facts: SendFacts) -> bool:
    """An endorser's text goes only with that endorser's consent for the text's own scope: an
    endorsement-only consent never lets a shift invitation through."""
    if message.endorsement_id is None:
        return False
    return ENDORSER_SCOPE[SmsKind(message.kind)] in facts.endorser_scopes.get(
        message.endorsement_id, set()
    )


def message_time_zone(message: SmsMessage) -> str:
    return message.event.time_zone if message.event is not None else settings.TIME_ZONE


# --- Quiet hours that follow the recipient ---------------------------------------------------

# (time zone, quiet start hour, quiet end hour)
QuietWindow = tuple[str, int, int]


def message_quiet_windows(message: SmsMessage, *, zip_code: str | None = None) -> list[QuietWindow]:
    """The quiet hours `message` must respect: the event's (its time zone), and the recipient's
    (their state's zone, with the state's stricter hours in SMS_STATE_QUIET_HOURS, else the usual
    ones) when their ZIP or area code names a state. `zip_code` None: the volunteer's own."""
    windows = [
        (
            message_time_zone(message),
            settings.SMS_QUIET_HOURS_START,
            settings.SMS_QUIET_HOURS_END,
        )
    ]
    if zip_code is None:
        volunteer = message.volunteer if message.volunteer_id is not None else None
        zip_code = volunteer.zip_code if volunteer is not None else ""
    place = recipient_place(phone=message.phone, zip_code=zip_code)
    if place.state is not None and place.time_zone is not None:
        start, end = settings.SMS_STATE_QUIET_HOURS.get(
            place.state, (settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END)
        )
        windows.append((place.time_zone, start, end))
    return windows


def message_in_quiet_hours(
    message: SmsMessage, moment: datetime, *, zip_code: str | None = None
) -> bool:
    """Is `moment` in the event's or the recipient's quiet hours (either one holds a text)?"""
    return any(
        _in_window(moment, *window) for window in message_quiet_windows(message, zip_code=zip_code)
    )


def message_quiet_hours_end(
    message: SmsMessage, moment: datetime, *, zip_code: str | None = None
) -> datetime:
    """The first moment at or after `moment` allowed by both the event's and the recipient's
    quiet hours (itself when both allow it now)."""
    windows = message_quiet_windows(message, zip_code=zip_code)
    # Each step moves to one window's end, which may fall in another's quiet hours; US zones
    # are at most a few hours apart, so the windows overlap every day and this settles at once.
    for _ in range(2 * len(windows) + 2):
        resumed = moment
        for window in windows:
            resumed = _window_end(resumed, *window)
        if resumed == moment:
            break
        moment = resumed
    return moment


def sendability(message: SmsMessage, now: datetime, facts: SendFacts | None = None) -> Verdict:
    """May `message` go out at `now`? `facts` are loaded for this one message when not given
    (a batch loads them once for all its rows with `send_facts`)."""
    if facts is None:
        facts = send_facts([message], now=now)
    # The opt-out confirmation is the one text that goes to an opted-out number.
    confirmation = message.kind == SmsKind.OPT_OUT_CONFIRMATION
    on_request = message.kind in ON_REQUEST_KINDS
    safety = message.kind in SAFETY_KINDS
    if message.phone_hash in facts.held and not confirmation and not safety:
        # A reply that might mean "stop" waits for an organizer: late, not lost.
        return Verdict(
            Decision.WAIT,
            "held_for_review",
            now + timedelta(seconds=REVIEW_HOLD_RECHECK_SECONDS),
        )
    if message.phone_hash in facts.opted_out and not confirmation:
        return Verdict(Decision.SKIP, "opted_out")
    if safety:
        if not facts.staff_consent.get(message.user_id or 0, False):
            return Verdict(Decision.SKIP, "no_consent")
        return SEND if message.phone else Verdict(Decision.SKIP, "no_phone")
    if message.kind in ENDORSEMENT_KINDS:
        if not _endorser_consent(message, facts):
            return Verdict(Decision.SKIP, "no_consent")
    elif not on_request and not facts.consent.get(message.volunteer_id or 0, False):
        return Verdict(Decision.SKIP, "no_consent")
    if not message.phone:
        return Verdict(Decision.SKIP, "no_phone")
    reason = _no_longer_useful(message, now)
    if reason:
        return Verdict(Decision.SKIP, reason)
    time_zone = message_time_zone(message)
    # The endorsement confirmation answers the form just sent, like a one-time code: at once.
    at_once = on_request or message.kind == SmsKind.ENDORSEMENT_CONFIRMATION
    zip_code = facts.recipient_zips.get(message.volunteer_id or 0, "")
    if not at_once and message_in_quiet_hours(message, now, zip_code=zip_code):
        resume = message_quiet_hours_end(message, now, zip_code=zip_code)
        starts_at = message.signup.shift.starts_at if message.signup is not None else None
        useless_after_wait = starts_at is not None and starts_at <= resume
        if message.kind == SmsKind.REMINDER and useless_after_wait:
            return Verdict(Decision.SKIP, "quiet_hours")
        if not (message.kind == SmsKind.ADDRESS_RELEASE and useless_after_wait):
            return Verdict(Decision.WAIT, "quiet_hours", resume)
        # An address the volunteer needs before the shift goes even in quiet hours.
    if (
        facts.sent_per_phone is not None
        and not confirmation
        and facts.sent_per_phone.get(message.phone_hash, 0) >= settings.SMS_DAILY_CAP_PER_VOLUNTEER
    ):
        return Verdict(Decision.SKIP, "daily_cap_volunteer")
    if (
        facts.segments_per_phone is not None
        and not confirmation
        and facts.segments_per_phone.get(message.phone_hash, 0) + message.segments
        > settings.SMS_DAILY_SEGMENT_CAP_PER_VOLUNTEER
    ):
        return Verdict(Decision.SKIP, "daily_segment_cap_volunteer")
    if (
        facts.segments_total is not None
        and facts.segments_total + message.segments
        > settings.SMS_DAILY_SEGMENT_CAP_PER_ORGANIZATION
    ):
        return Verdict(
            Decision.WAIT, "daily_segment_cap_organization", next_local_morning(now, time_zone)
        )
    if facts.sent_total is not None and facts.sent_total >= settings.SMS_DAILY_CAP_ORGANIZATION:
        # Late, not never: the bill is protected and tomorrow's budget sends it.
        return Verdict(Decision.WAIT, "daily_cap_organization", next_local_morning(now, time_zone))
    return SEND
