"""Inbound texts (after the webhook checked the provider's signature).

Keywords are matched after trimming spaces and punctuation, in any case:
opt-out (carrier keywords plus SMS_EXTRA_OPT_OUT_KEYWORDS) always wins; START/UNSTOP/YES from an
opted-out number opts it back in; HELP/INFO/AYUDA get the list of keywords; the shift keywords
(SHIFTS, JOIN 2, MY, DROP 2, HERE: messaging/services/keywords.py) run as a handler; YES/Y/SI/SÍ
and NO/N act on the volunteer's next upcoming signup. CANCEL is a carrier opt-out keyword and
never means "drop my shift". Anything else is stored (encrypted) for organizers and answered with the help text at
most once a day.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.crypto import keyed_hash
from backend.errors import ApplicationError
from events.models import Signup, SignupStatus, Volunteer
from events.services.signups import signup_cancel
from messaging.intent import Intent, read_reply
from messaging.models import (
    ConsentMethod,
    InboundAction,
    InboundSms,
    OptOutReason,
    ReviewStatus,
    SmsKind,
    SmsMessage,
    SmsOptOut,
    SmsReview,
)
from messaging.selectors.consent import has_consent
from messaging.services.consent import consent_record
from messaging.services.optouts import sms_opt_out_record
from messaging.services.outbox import sms_opt_out_confirmation_enqueue, sms_reply_enqueue
from messaging.templates import render

logger = logging.getLogger(__name__)

CARRIER_OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
SPANISH_OPT_OUT = {"PARAR", "ALTO", "DETENER", "CANCELAR", "BAJA"}
OPT_IN = {"START", "UNSTOP", "YES"}
HELP = {"HELP", "INFO", "AYUDA"}
YES = {"YES", "Y", "SI"}
NO = {"NO", "N"}
EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


def keyword_of(body: str) -> str:
    """'  Stop! ' -> 'STOP'; 'sí' -> 'SI' (accents folded, surrounding punctuation dropped)."""
    folded = unicodedata.normalize("NFKD", body or "")
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return EDGE_PUNCTUATION.sub("", folded.strip()).upper()


def opt_out_keywords() -> set[str]:
    return CARRIER_OPT_OUT | {keyword_of(k) for k in settings.SMS_EXTRA_OPT_OUT_KEYWORDS}


def normalize_sender(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return raw.strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _next_signup(volunteer: Volunteer, *, include_waitlisted: bool) -> Signup | None:
    """The volunteer's next signup whose shift has not started. YES only confirms a confirmed
    spot (a waitlisted person has none yet); NO also takes someone off a waitlist."""
    statuses = [SignupStatus.CONFIRMED]
    if include_waitlisted:
        statuses.append(SignupStatus.WAITLISTED)
    return (
        Signup.objects.filter(
            volunteer=volunteer,
            status__in=statuses,
            shift__starts_at__gt=timezone.now(),
        )
        .select_related("shift__event__location")
        .order_by("shift__starts_at", "id")
        .first()
    )


def sms_inbound_receive(
    *, message_sid: str, from_number: str, body: str, received_at: datetime | None = None
) -> InboundSms | None:
    """Store and act on one inbound text; None when this MessageSid was already handled
    (the provider retried the webhook): nothing changes and no second reply is queued."""
    if not message_sid:
        raise ApplicationError("MessageSid is required.", fields={"MessageSid": ["Required."]})
    phone = normalize_sender(from_number)
    phone_hash = keyed_hash(phone)
    keyword = keyword_of(body)
    with transaction.atomic():
        volunteer = Volunteer.objects.filter(phone_hash=phone_hash).first()
        try:
            with transaction.atomic():
                inbound = InboundSms.objects.create(
                    message_sid=message_sid,
                    phone=phone,
                    phone_hash=phone_hash,
                    volunteer=volunteer,
                    body=body,
                    action=InboundAction.STORED,
                    received_at=received_at or timezone.now(),
                )
        except IntegrityError:
            return None
        outcome = _act(inbound, keyword, volunteer, phone_hash)
        inbound.action, inbound.signup = outcome.action, outcome.signup
        inbound.save(update_fields=["action", "signup"])
        if outcome.confirm_opt_out:
            sms_opt_out_confirmation_enqueue(
                inbound=inbound,
                volunteer=volunteer,
                phone=phone,
                phone_hash=phone_hash,
                language=outcome.language,
            )
        elif outcome.reply:
            sms_reply_enqueue(
                inbound=inbound,
                body=outcome.reply,
                # A keyword may have made the record just now ("JOIN 50309").
                volunteer=volunteer or inbound.volunteer,
                phone=phone,
                phone_hash=phone_hash,
            )
        # Only the id: the action name could equal the text itself ("help"), which is personal.
        logger.info("inbound sms %s handled", inbound.pk)
        return inbound


@dataclass(frozen=True)
class Outcome:
    action: str
    reply: str = ""
    signup: Signup | None = None
    confirm_opt_out: bool = False
    language: str = "en"


@dataclass(frozen=True)
class InboundContext:
    """What a feature's keyword handler is told about one inbound text."""

    inbound: InboundSms
    keyword: str
    volunteer: Volunteer | None
    phone: str
    phone_hash: str
    language: str


InboundHandler = Callable[[InboundContext], Outcome | None]
_handlers: list[InboundHandler] = []


def inbound_handler_register(handler: InboundHandler) -> None:
    """Features that answer texts of their own (an endorsement's YES, a safety check-in) register
    a handler at start-up. Handlers run in registration order after opt-out, opt-in and HELP, and
    before the YES/NO of a volunteer's next shift; the first to return an Outcome wins."""
    if handler not in _handlers:
        _handlers.append(handler)


def _act(
    inbound: InboundSms, keyword: str, volunteer: Volunteer | None, phone_hash: str
) -> Outcome:
    # Imported here: the keyword handler builds on this module's Outcome and InboundContext.
    from messaging.services.keywords import help_text, keyword_language

    # A number without a record is answered in the language of its keyword ("TURNOS": Spanish).
    language = volunteer.language if volunteer is not None else keyword_language(keyword)
    opted_out = SmsOptOut.objects.filter(phone_hash=phone_hash).exists()
    keywords = opt_out_keywords()
    if keyword in keywords:
        created = sms_opt_out_record(
            phone_hash=phone_hash,
            volunteer=volunteer,
            reason=OptOutReason.KEYWORD,
            keyword=keyword,
            wording=f"Replied {keyword[:20]}",
        )
        # The provider (and the carrier) answer their own opt-out keywords, and a reply of ours
        # would be refused anyway; the other words (PARAR, ...) get our one confirmation.
        return Outcome(
            InboundAction.OPTED_OUT,
            confirm_opt_out=created and keyword not in CARRIER_OPT_OUT,
            language="es" if keyword in SPANISH_OPT_OUT else language,
        )
    if keyword in OPT_IN and (opted_out or keyword != "YES"):
        SmsOptOut.objects.filter(phone_hash=phone_hash).delete()
        # Asking for texts again answers any pending "might mean stop" review too.
        SmsReview.objects.filter(phone_hash=phone_hash, status=ReviewStatus.PENDING).update(
            status=ReviewStatus.RELEASED, resolved_at=timezone.now()
        )
        if volunteer is not None:
            consent_record(
                volunteer=volunteer,
                granted=True,
                method=ConsentMethod.SMS,
                wording=f"Replied {keyword}",
            )
        return Outcome(InboundAction.OPTED_IN, render("opted_in", language))
    if opted_out:
        return Outcome(InboundAction.STORED)
    if keyword in HELP:
        return Outcome(InboundAction.HELP, help_text(language))
    reading = read_reply(inbound.body, opt_out_words=frozenset(keywords))
    if reading.intent == Intent.OPT_OUT:
        created = sms_opt_out_record(
            phone_hash=phone_hash,
            volunteer=volunteer,
            reason=OptOutReason.PHRASE,
            keyword="",
            wording="Asked to stop in their own words",
        )
        return Outcome(
            InboundAction.OPTED_OUT,
            confirm_opt_out=created,
            language=reading.language or language,
        )
    context = InboundContext(inbound, keyword, volunteer, inbound.phone, phone_hash, language)
    for handler in _handlers:
        handled = handler(context)
        if handled is not None:
            return handled
    wants_yes = keyword in YES or reading.intent == Intent.CONFIRM_SHIFT
    wants_no = keyword in NO or reading.intent == Intent.CANCEL_SHIFT
    if (wants_yes or wants_no) and volunteer is not None and has_consent(volunteer.pk):
        signup = _next_signup(volunteer, include_waitlisted=wants_no)
        if signup is None:
            return Outcome(InboundAction.NO_SIGNUP, render("no_signup", language))
        if wants_yes:
            return Outcome(
                InboundAction.CONFIRMED, render("confirmed", language, shift=signup.shift), signup
            )
        signup_cancel(signup_id=signup.pk, volunteer=volunteer)
        return Outcome(
            InboundAction.CANCELLED, render("cancelled", language, shift=signup.shift), signup
        )
    if reading.intent == Intent.UNCLEAR:
        # Might mean "stop": nothing more goes to this number until an organizer decides.
        SmsReview.objects.create(
            inbound=inbound,
            phone_hash=phone_hash,
            language=reading.language or language,
            created_at=timezone.now(),
        )
        return Outcome(InboundAction.REVIEW)
    recently_helped = SmsMessage.objects.filter(
        kind=SmsKind.REPLY,
        phone_hash=phone_hash,
        in_reply_to__action=InboundAction.STORED,
        created_at__gte=timezone.now() - timedelta(days=1),
    ).exists()
    return Outcome(InboundAction.STORED, "" if recently_helped else help_text(language))
