"""Texting as a full client: volunteers find, join, drop and check in to shifts by text alone.

The keywords (docs/sms-keywords.md has the table), English and Spanish, any case, accents and
surrounding punctuation ignored:

- ``SHIFTS`` / ``TURNOS`` [ZIP]: the next open shifts near the volunteer's ZIP code (or the ZIP
  given), numbered, cut to fit two segments.
- ``JOIN n`` / ``UNIR n``, or a bare ``n`` right after a SHIFTS list: sign up for item n of the
  number's last SHIFTS list, through `events.services.signups.signup_create` (capacity, waitlist,
  overlap, a sensitive event's hold for an unvetted volunteer: the API's rules, never copied).
- ``JOIN 50309`` / ``UNIR 50309`` [name]: a five-digit number is a ZIP code. From a number
  without a volunteer record this creates one, records SMS consent from the text itself and
  sends the disclosure (program, frequency, rates, HELP, STOP) before the list.
- ``MY`` / ``MIS``: the volunteer's upcoming shifts, numbered, with each check-in code.
- ``DROP n`` / ``BAJA n``: cancel item n of the last MY list (`signup_cancel`: the waitlist moves
  up). A bare number after a MY list never cancels anything: it answers how to.
- ``HERE code`` / ``LLEGUE code``: check in at the site of one's own shift with that code
  (`signups_mark_attendance`); ``HERE`` alone works when exactly one shift is open for check-in.

Opt-out words (STOP, CANCEL, END, QUIT, UNSUBSCRIBE, the extra ones, a bare BAJA) never reach
this handler: the inbound service acts on them first, and on an opted-out number nothing here
runs. A list is remembered per number (`SmsConversation`, by the number's keyed hash) for
SMS_CONVERSATION_MINUTES; after that, or with no list, a number means nothing and the reply
says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from backend.errors import ApplicationError
from backend.phones import phone_normalize
from events.errors import AlreadySignedUpError, ShiftFullError, ShiftOverlapError
from events.models import (
    ACTIVE_STATUSES,
    Event,
    Location,
    Shift,
    ShiftStatus,
    Signup,
    SignupSource,
    SignupStatus,
    Volunteer,
)
from events.selectors.schedule import nearby_events_search, public_events, shifts_with_counts
from events.selectors.signups import signups_for_volunteer
from events.services.signups import signup_cancel, signup_create, signups_mark_attendance
from events.services.volunteers import volunteer_get_or_create
from messaging.models import (
    ConsentMethod,
    InboundAction,
    InboundSms,
    ListKind,
    SmsConversation,
    SmsKind,
    SmsMessage,
    SmsStatus,
)
from messaging.selectors.consent import has_consent
from messaging.services.consent import consent_record
from messaging.services.inbound import InboundContext, Outcome
from messaging.services.outbox import sms_enqueue
from messaging.templates import render, segments

SHIFTS_PATTERN = re.compile(r"^(SHIFTS?|TURNOS?)(?:\s+(?P<zip>\d{5}))?$")
# Between a keyword and its number or code people type a space, "#", ":" or "-" ("JOIN #2",
# "HERE: K7MX3"), or nothing ("JOIN2").
SEPARATOR = r"[\s#:.-]*"
JOIN_PATTERN = re.compile(rf"^(JOIN|UNIR|UNIRME)(?:{SEPARATOR}(?P<number>\d{{1,5}})(?:\s+.+)?)?$")
MY_PATTERN = re.compile(r"^(MY|MIS)(?:\s+(SHIFTS?|TURNOS?))?$")
DROP_PATTERN = re.compile(rf"^(DROP|BAJA)(?:{SEPARATOR}(?P<number>\d{{1,3}}))?$")
HERE_PATTERN = re.compile(r"^(HERE|LLEGUE|AQUI)(?:[\s#:.-]+(?P<code>[A-Z0-9]{3,8}))?$")
NUMBER_PATTERN = re.compile(r"^#?(?P<number>\d{1,3})$")
# What a person typed after the ZIP code of "JOIN 50309 Maria Lopez", read from the text as sent
# (accents kept).
NAME_AFTER_ZIP = re.compile(r"\d{5}[\s,]+(?P<name>.+?)[\s.!]*$")

# The first words that say the person writes Spanish (a number without a record is answered in
# the language of the keyword it used).
SPANISH_WORDS = {"TURNOS", "TURNO", "UNIR", "UNIRME", "MIS", "BAJA", "LLEGUE", "AQUI", "AYUDA"}

# At most this many shifts in one list (fewer when they do not fit two segments).
LIST_MAX_ITEMS = 5
LIST_MAX_SEGMENTS = 2
# Check-in by text opens this long before a shift starts and closes when it ends.
CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
# The name of a volunteer who joined by text without giving one.
DEFAULT_NAME = "Text volunteer"
NAME_MAX = 120


def keyword_language(keyword: str) -> str:
    """'es' when the text starts with a Spanish keyword ("TURNOS", "UNIR 2"), else 'en'."""
    first = keyword.split(" ", 1)[0] if keyword else ""
    return "es" if first in SPANISH_WORDS else "en"


def help_text(language: str) -> str:
    """The HELP / AYUDA answer: every keyword, in `language`."""
    return render("keywords.help", language)


def keywords_inbound_handle(context: InboundContext) -> Outcome | None:
    """The inbound handler (registered in `messaging.apps`) for the keywords above; None for
    any other text (left to the other handlers and the once-a-day fallback)."""
    keyword = context.keyword
    if match := SHIFTS_PATTERN.match(keyword):
        return _shifts(context, zip_code=match.group("zip") or "")
    if match := JOIN_PATTERN.match(keyword):
        number = match.group("number")
        if number is None:
            if context.volunteer is None:
                return _refused(context, "not_volunteer")
            return _shifts(context, zip_code="")
        if len(number) == 5:
            return _join_zip(context, zip_code=number)
        return _join(context, int(number))
    if MY_PATTERN.match(keyword):
        return _mine(context)
    if match := DROP_PATTERN.match(keyword):
        number = match.group("number")
        return _mine(context) if number is None else _drop(context, int(number))
    if match := HERE_PATTERN.match(keyword):
        return _here(context, code=match.group("code") or "")
    if match := NUMBER_PATTERN.match(keyword):
        return _bare_number(context, int(match.group("number")))
    return None


# --- The conversation: the last numbered list of each number --------------------------------


@dataclass(frozen=True)
class Pick:
    """Item n of a remembered list: its id, or why there is none."""

    item_id: int | None = None
    refusal: str = ""  # "no_list" (none, or expired) or "no_item" (n is not on it)


def _live(listed_at: datetime | None) -> bool:
    minutes = settings.SMS_CONVERSATION_MINUTES
    return listed_at is not None and listed_at > timezone.now() - timedelta(minutes=minutes)


def _conversation(phone_hash: str) -> SmsConversation | None:
    return SmsConversation.objects.filter(phone_hash=phone_hash).first()


def _remember(phone_hash: str, kind: str, ids: list[int], zip_code: str = "") -> None:
    now = timezone.now()
    fields: dict[str, object] = {"last_list": kind, "updated_at": now}
    if kind == ListKind.SHIFTS:
        fields.update(shift_ids=ids, shifts_listed_at=now, zip_code=zip_code)
    else:
        fields.update(signup_ids=ids, signups_listed_at=now)
    SmsConversation.objects.update_or_create(phone_hash=phone_hash, defaults=fields)


def _pick(phone_hash: str, kind: str, number: int) -> Pick:
    conversation = _conversation(phone_hash)
    if conversation is None:
        return Pick(refusal="no_list")
    if kind == ListKind.SHIFTS:
        ids, listed_at = conversation.shift_ids, conversation.shifts_listed_at
    else:
        ids, listed_at = conversation.signup_ids, conversation.signups_listed_at
    if not ids or not _live(listed_at):
        return Pick(refusal="no_list")
    if not 1 <= number <= len(ids):
        return Pick(refusal="no_item")
    return Pick(item_id=int(ids[number - 1]))


def _refused(context: InboundContext, name: str, **fields: str) -> Outcome:
    return Outcome(
        InboundAction.KEYWORD,
        render(f"keywords.{name}", context.language, shift=None, **fields),
        language=context.language,
    )


# --- SHIFTS ---------------------------------------------------------------------------------


def _open_shifts(events: QuerySet[Event], volunteer: Volunteer | None) -> list[Shift]:
    """The next shifts of `events` that take a signup (a spot or a place on the waitlist), but
    none `volunteer` is already signed up for."""
    shifts = shifts_with_counts().filter(
        event__in=events, status=ShiftStatus.SCHEDULED, starts_at__gt=timezone.now()
    )
    if volunteer is not None:
        shifts = shifts.exclude(
            pk__in=Signup.objects.filter(volunteer=volunteer, status__in=ACTIVE_STATUSES).values(
                "shift_id"
            )
        )
    found = []
    for shift in shifts.select_related("event__location").order_by("starts_at", "id")[
        : LIST_MAX_ITEMS * 10
    ]:
        full = shift.spots_taken >= shift.capacity  # type: ignore[attr-defined]
        waiting = shift.waitlisted  # type: ignore[attr-defined]
        if full and shift.waitlist_limit is not None and waiting >= shift.waitlist_limit:
            continue
        found.append(shift)
        if len(found) == LIST_MAX_ITEMS:
            break
    return found


def shifts_near(*, zip_code: str, volunteer: Volunteer | None = None) -> tuple[list[Shift], bool]:
    """The next open shifts of public events within SMS_KEYWORD_RADIUS_KM of `zip_code`'s sites,
    soonest first, and True; or, when we know no site in that ZIP code, the next open shifts
    anywhere, and False. Shifts `volunteer` is signed up for already are left out.

    The nearby search never finds a sensitive event (a distance is a place); a public sensitive
    event is added when its city is one of the cities found, and is shown by its city only, as
    the public listing shows it."""
    try:
        search = nearby_events_search(radius_km=settings.SMS_KEYWORD_RADIUS_KM, zip=zip_code)
    except ApplicationError:
        return _open_shifts(public_events(), volunteer), False
    ids = [found.row["id"] for found in search.results]
    cities = {found.row["location__city"] for found in search.results}
    cities |= set(
        Location.objects.filter(zip_code=zip_code)
        .exclude(events__is_sensitive=True)
        .values_list("city", flat=True)
    )
    cities.discard("")
    sensitive = public_events().filter(is_sensitive=True, location__city__in=cities)
    ids += list(sensitive.values_list("pk", flat=True))
    return _open_shifts(public_events().filter(pk__in=ids), volunteer), True


def _fit_list(name: str, language: str, items: list[str], **fields: str) -> tuple[str, int]:
    """The list text with as many of `items` as fit LIST_MAX_SEGMENTS, and how many did."""
    for count in range(len(items), 0, -1):
        text = render(name, language, shift=None, items=" ".join(items[:count]), **fields)
        if segments(text) <= LIST_MAX_SEGMENTS:
            return text, count
    first = items[0] if items else ""
    return render(name, language, shift=None, items=first, **fields), min(1, len(items))


def _list_shifts(context: InboundContext, zip_code: str) -> Outcome:
    language = context.language
    shifts, near = shifts_near(zip_code=zip_code, volunteer=context.volunteer)
    if not shifts:
        return _refused(context, "no_shifts", zip=zip_code)
    items = [
        render(
            "keywords.shift_item_full"
            if shift.spots_taken >= shift.capacity  # type: ignore[attr-defined]
            else "keywords.shift_item",
            language,
            shift=shift,
            n=str(position),
        )
        for position, shift in enumerate(shifts, start=1)
    ]
    name = "keywords.shifts_list" if near else "keywords.shifts_list_anywhere"
    text, count = _fit_list(name, language, items, zip=zip_code)
    _remember(context.phone_hash, ListKind.SHIFTS, [s.pk for s in shifts[:count]], zip_code)
    return Outcome(InboundAction.SHIFTS, text, language=language)


def _shifts(context: InboundContext, *, zip_code: str) -> Outcome:
    volunteer = context.volunteer
    zip_code = zip_code or (volunteer.zip_code[:5] if volunteer is not None else "")
    if not zip_code:
        return _refused(context, "zip_needed")
    return _list_shifts(context, zip_code)


# --- JOIN -----------------------------------------------------------------------------------


def _consent_wording(context: InboundContext, disclosure: str) -> str:
    word = context.keyword.split(" ", 1)[0]
    return f"Texted {word} to our number. Answered: {disclosure}"


def _enrol(context: InboundContext, *, zip_code: str, name: str = "") -> Volunteer:
    """The texting person's volunteer record, created when they have none; their SMS consent
    recorded from this text (unless already given) and the disclosure queued first."""
    volunteer, _ = volunteer_get_or_create(
        phone=phone_normalize(context.phone),
        name=name or DEFAULT_NAME,
        zip_code=zip_code,
        language=context.language,
    )
    if context.inbound.volunteer_id is None:
        context.inbound.volunteer = volunteer
        InboundSms.objects.filter(pk=context.inbound.pk).update(volunteer=volunteer)
    if not has_consent(volunteer.pk):
        disclosure = render("keywords.welcome", volunteer.language)
        consent_record(
            volunteer=volunteer,
            granted=True,
            method=ConsentMethod.SMS,
            wording=_consent_wording(context, disclosure),
        )
        sms_enqueue(kind=SmsKind.REPLY, volunteer=volunteer, body=disclosure)
    return volunteer


def _typed_name(body: str) -> str:
    match = NAME_AFTER_ZIP.search(body.strip())
    return " ".join(match.group("name").split())[:NAME_MAX] if match else ""


def _join_zip(context: InboundContext, *, zip_code: str) -> Outcome:
    try:
        _enrol(context, zip_code=zip_code, name=_typed_name(context.inbound.body))
    except ApplicationError:
        # A sender that is no phone number we can text (a short code, an alphanumeric id).
        return _refused(context, "not_volunteer")
    return _list_shifts(context, zip_code)


def _join(context: InboundContext, number: int) -> Outcome:
    pick = _pick(context.phone_hash, ListKind.SHIFTS, number)
    if pick.item_id is None:
        refusal = "no_list" if pick.refusal == "no_list" else "no_item_shifts"
        return _refused(context, refusal, n=str(number))
    shift = Shift.objects.select_related("event__location").filter(pk=pick.item_id).first()
    if shift is None:
        return _refused(context, "not_open", n=str(number))
    volunteer = context.volunteer
    if volunteer is None or not has_consent(volunteer.pk):
        # Asking by text to be signed up is consent to texts about it (the number is theirs);
        # someone without a record gets one, with the ZIP code of the list they picked from.
        conversation = _conversation(context.phone_hash)
        try:
            volunteer = _enrol(
                context, zip_code=conversation.zip_code if conversation is not None else ""
            )
        except ApplicationError:
            return _refused(context, "not_volunteer")
    try:
        outcome = signup_create(
            shift_id=shift.pk,
            name=volunteer.name or DEFAULT_NAME,
            phone=volunteer.phone,
            sms_consent=True,
            source=SignupSource.SMS,
            consent_wording=f"Texted {context.keyword[:20]} to sign up for a shift.",
            language=volunteer.language,
        )
    except ShiftFullError:
        return _shift_refused(context, "full", shift)
    except ShiftOverlapError:
        return _shift_refused(context, "overlap", shift)
    except AlreadySignedUpError:
        return _shift_refused(context, "already", shift)
    except ApplicationError:
        # Cancelled, started, closed or no longer public since the list was sent.
        return _refused(context, "not_open", n=str(number))
    signup = outcome.signup
    language = volunteer.language
    if signup.status == SignupStatus.PENDING:
        reply = render("keywords.held", language, shift=signup.shift)
    elif _texted_now(signup):
        # The confirmation (or waitlist) text queued by the signup goes out now: it is the
        # answer, and a second text saying the same would be billed twice.
        reply = ""
    else:
        confirmed = signup.status == SignupStatus.CONFIRMED
        kind = SmsKind.CONFIRMATION if confirmed else SmsKind.WAITLISTED
        reply = render(kind, language, shift=signup.shift)
    return Outcome(InboundAction.JOINED, reply, signup, language=language)


def _texted_now(signup: Signup) -> bool:
    return SmsMessage.objects.filter(
        signup=signup,
        kind__in=(SmsKind.CONFIRMATION, SmsKind.WAITLISTED),
        status=SmsStatus.QUEUED,
        send_after__lte=timezone.now(),
    ).exists()


def _shift_refused(context: InboundContext, name: str, shift: Shift) -> Outcome:
    return Outcome(
        InboundAction.KEYWORD,
        render(f"keywords.{name}", context.language, shift=shift),
        language=context.language,
    )


# --- MY, DROP -------------------------------------------------------------------------------

MY_ITEM: dict[str, str] = {
    SignupStatus.CONFIRMED: "keywords.my_item",
    SignupStatus.ATTENDED: "keywords.my_item",
    SignupStatus.WAITLISTED: "keywords.my_item_waitlist",
    SignupStatus.PENDING: "keywords.my_item_pending",
}


def _upcoming(volunteer: Volunteer) -> QuerySet[Signup]:
    return signups_for_volunteer(volunteer=volunteer).filter(
        status__in=list(MY_ITEM), shift__ends_at__gt=timezone.now()
    )


def _mine(context: InboundContext) -> Outcome:
    volunteer = context.volunteer
    if volunteer is None:
        return _refused(context, "not_volunteer")
    signups = list(_upcoming(volunteer)[:LIST_MAX_ITEMS])
    if not signups:
        return _refused(context, "no_upcoming")
    items = [
        render(MY_ITEM[signup.status], context.language, shift=signup.shift, n=str(position))
        for position, signup in enumerate(signups, start=1)
    ]
    text, count = _fit_list("keywords.my_list", context.language, items)
    _remember(context.phone_hash, ListKind.MINE, [s.pk for s in signups[:count]])
    return Outcome(InboundAction.MY_SHIFTS, text, language=context.language)


def _drop(context: InboundContext, number: int) -> Outcome:
    volunteer = context.volunteer
    if volunteer is None:
        return _refused(context, "not_volunteer")
    pick = _pick(context.phone_hash, ListKind.MINE, number)
    if pick.item_id is None:
        refusal = "no_list" if pick.refusal == "no_list" else "no_item_mine"
        return _refused(context, refusal, n=str(number))
    try:
        # `volunteer`: only this number's own signup; another's is "no such signup".
        signup = signup_cancel(signup_id=pick.item_id, volunteer=volunteer)
    except ApplicationError:
        return _refused(context, "not_cancellable", n=str(number))
    return Outcome(
        InboundAction.CANCELLED,
        render("cancelled", context.language, shift=signup.shift),
        signup,
        language=context.language,
    )


def _bare_number(context: InboundContext, number: int) -> Outcome | None:
    """A bare number joins item n of the number's last list when that is a SHIFTS list; after a
    MY list it only says how to cancel (a lone digit never cancels a shift); after an expired
    list it says the list expired."""
    conversation = _conversation(context.phone_hash)
    if conversation is None:
        # Never shown a list: a lone number is unknown text (the once-a-day help answers it).
        return None
    if conversation.last_list == ListKind.MINE and _live(conversation.signups_listed_at):
        return _refused(context, "pick_drop", n=str(number))
    return _join(context, number)


# --- HERE -----------------------------------------------------------------------------------


def _here(context: InboundContext, *, code: str) -> Outcome:
    volunteer = context.volunteer
    if volunteer is None:
        return _refused(context, "not_volunteer")
    now = timezone.now()
    signups = list(_upcoming(volunteer))
    if code:
        matching = [signup for signup in signups if signup.shift.short_code == code]
        if not matching:
            return _refused(context, "no_code_match", code=code)
    else:
        matching = [
            signup
            for signup in signups
            if signup.status in (SignupStatus.CONFIRMED, SignupStatus.ATTENDED)
            and signup.shift.starts_at - CHECK_IN_OPENS_BEFORE <= now
        ]
        if len(matching) != 1:
            return _refused(context, "code_needed")
    signup = matching[0]
    shift = signup.shift
    if signup.status == SignupStatus.ATTENDED:
        return _shift_refused(context, "already_here", shift)
    if signup.status != SignupStatus.CONFIRMED:
        return _shift_refused(context, "not_confirmed", shift)
    if now < shift.starts_at - CHECK_IN_OPENS_BEFORE:
        return _shift_refused(context, "too_early", shift)
    signups_mark_attendance(actor=None, signups=[signup], status=SignupStatus.ATTENDED)
    return Outcome(
        InboundAction.ARRIVED,
        render("keywords.checked_in", context.language, shift=shift),
        signup,
        language=context.language,
    )
