"""Inbound texts and delivery callbacks from Twilio (after the webhook checked the signature).

Keywords are matched after trimming spaces and punctuation, in any case:
opt-out (carrier keywords plus SMS_EXTRA_OPT_OUT_KEYWORDS) always wins; START/UNSTOP/YES from an
opted-out number opts it back in; HELP/INFO/AYUDA get the help text; YES/Y/SI/SÍ and NO/N act on
the volunteer's next upcoming signup. CANCEL is a carrier opt-out keyword and never means "drop
my shift". Anything else is stored (encrypted) for organizers and answered with the help text at
most once a day.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.api.errors import ApplicationError, ConflictError
from backend.audit.services import audit_record
from backend.crypto import keyed_hash
from events.models import (
    FINAL_STATUSES,
    ConsentMethod,
    InboundAction,
    InboundSms,
    OptOutReason,
    ReviewStatus,
    Signup,
    SignupStatus,
    SmsKind,
    SmsMessage,
    SmsOptOut,
    SmsReview,
    SmsStatus,
    Volunteer,
)
from events.services.signups import signup_cancel
from events.services.sms_dispatch import NUMBER_ERRORS, sms_number_mark
from events.services.sms_outbox import (
    has_consent,
    sms_opt_out_confirmation_enqueue,
    sms_reply_enqueue,
)
from events.services.volunteers import sms_consent_record
from events.sms_intent import Intent, read_reply
from events.sms_templates import render

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
    (Twilio retried the webhook): nothing changes and no second reply is queued."""
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
                volunteer=volunteer,
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


def sms_opt_out_record(
    *,
    phone_hash: str,
    volunteer: Volunteer | None,
    reason: str,
    keyword: str,
    wording: str,
    actor: User | None = None,
) -> bool:
    """Opt the number out of everything (list, consent ledger, queued texts, pending reviews).
    True when it was not opted out before: only then is a confirmation due."""
    created = sms_number_mark(phone_hash=phone_hash, reason=reason, keyword=keyword[:20])
    if volunteer is not None:
        sms_consent_record(
            volunteer=volunteer,
            granted=False,
            method=ConsentMethod.SMS,
            wording=wording[:200],
            actor=actor,
        )
    SmsReview.objects.filter(phone_hash=phone_hash, status=ReviewStatus.PENDING).update(
        status=ReviewStatus.OPTED_OUT, resolved_at=timezone.now(), resolved_by=actor
    )
    return created


def _act(
    inbound: InboundSms, keyword: str, volunteer: Volunteer | None, phone_hash: str
) -> Outcome:
    language = volunteer.language if volunteer is not None else "en"
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
        # Twilio (and the carrier) answer their own opt-out keywords, and a reply of ours would
        # be refused with 21610 anyway; the other words (PARAR, ...) get our one confirmation.
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
            sms_consent_record(
                volunteer=volunteer,
                granted=True,
                method=ConsentMethod.SMS,
                wording=f"Replied {keyword}",
            )
        return Outcome(InboundAction.OPTED_IN, render("opted_in", language))
    if opted_out:
        return Outcome(InboundAction.STORED)
    if keyword in HELP:
        return Outcome(InboundAction.HELP, render("help", language))
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
    return Outcome(InboundAction.STORED, "" if recently_helped else render("help", language))


def sms_review_resolve(*, review: SmsReview, actor: User, opt_out: bool) -> SmsReview:
    """An organizer's reading of a held reply. `opt_out`: the number is opted out (with the one
    confirmation text); otherwise the hold is released and queued texts go out again. Every
    pending review of that number is settled by the same answer. 409 when already resolved."""
    with transaction.atomic():
        review = SmsReview.objects.select_for_update().select_related("inbound").get(pk=review.pk)
        if review.status != ReviewStatus.PENDING:
            raise ConflictError("This reply was already reviewed.", code="already_resolved")
        inbound = review.inbound
        volunteer = inbound.volunteer
        now = timezone.now()
        if opt_out:
            created = sms_opt_out_record(
                phone_hash=review.phone_hash,
                volunteer=volunteer,
                reason=OptOutReason.REVIEWED,
                keyword="",
                wording="Reply read as a request to stop by an organizer",
                actor=actor,
            )
            if created and inbound.phone:
                sms_opt_out_confirmation_enqueue(
                    inbound=inbound,
                    volunteer=volunteer,
                    phone=inbound.phone,
                    phone_hash=review.phone_hash,
                    language=review.language,
                )
            review.refresh_from_db()
        else:
            SmsReview.objects.filter(
                phone_hash=review.phone_hash, status=ReviewStatus.PENDING
            ).update(status=ReviewStatus.RELEASED, resolved_at=now, resolved_by=actor)
            # Texts held meanwhile go out at the dispatcher's next look (within
            # REVIEW_HOLD_RECHECK_SECONDS); those not yet due keep their time.
            review.refresh_from_db()
        audit_record(
            actor=actor,
            action="sms.review_resolved",
            target=review,
            details={"inbound_id": inbound.pk, "opted_out": opt_out},
        )
        return review


# --- Delivery status callbacks --------------------------------------------------------------

# Twilio's MessageStatus -> ours. Everything before "sent" means Twilio has the message.
TWILIO_STATUS = {
    "accepted": SmsStatus.SENT,
    "scheduled": SmsStatus.SENT,
    "queued": SmsStatus.SENT,
    "sending": SmsStatus.SENT,
    "sent": SmsStatus.SENT,
    "delivered": SmsStatus.DELIVERED,
    "read": SmsStatus.DELIVERED,
    "partially_delivered": SmsStatus.DELIVERED,
    "undelivered": SmsStatus.UNDELIVERED,
    "failed": SmsStatus.FAILED,
    "canceled": SmsStatus.FAILED,
}
# Statuses a callback may move a message out of, per target: never backwards, finals final.
MOVABLE_FROM = {
    SmsStatus.SENT: (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN),
    SmsStatus.DELIVERED: (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN, SmsStatus.SENT),
    SmsStatus.UNDELIVERED: (
        SmsStatus.QUEUED,
        SmsStatus.SENDING,
        SmsStatus.UNKNOWN,
        SmsStatus.SENT,
    ),
    SmsStatus.FAILED: (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN, SmsStatus.SENT),
}


def sms_status_record(
    *, message_sid: str, twilio_status: str, error_code: str = "", message_id: int | None = None
) -> SmsMessage | None:
    """Apply one status callback. The message is found by our id (from the callback URL) or by
    Twilio's MessageSid. Repeats and late arrivals change nothing; returns the message or None."""
    status = TWILIO_STATUS.get(twilio_status)
    if not message_sid:  # every real callback names the message
        return None
    if status is None:
        return _unknown_status_record(
            message_sid=message_sid, twilio_status=twilio_status, message_id=message_id
        )
    with transaction.atomic():
        message = None
        if message_id is not None:
            message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
            if message is not None and message.provider_sid not in ("", message_sid):
                message = None  # our id with someone else's SID: not ours to settle
        if message is None and message_sid:
            message = (
                SmsMessage.objects.select_for_update().filter(provider_sid=message_sid).first()
            )
        if message is None:
            return None
        changed: list[str] = ["provider_status"]
        message.provider_status = twilio_status[:32]
        if not message.provider_sid and message_sid:
            message.provider_sid = message_sid
            changed.append("provider_sid")
        if status is not None and message.status in MOVABLE_FROM[status]:
            now = timezone.now()
            message.status = status
            message.claim_token, message.claimed_until = "", None
            changed += ["status", "claim_token", "claimed_until"]
            if message.sent_at is None:
                message.sent_at = now
                changed.append("sent_at")
            if status == SmsStatus.DELIVERED:
                message.delivered_at = now
                changed.append("delivered_at")
            if status in (SmsStatus.FAILED, SmsStatus.UNDELIVERED) and error_code:
                message.error_code = error_code[:40]
                changed.append("error_code")
        if changed:
            message.save(update_fields=[*changed, "updated_at"])
        if error_code in NUMBER_ERRORS and message.status in FINAL_STATUSES:
            sms_number_mark(phone_hash=message.phone_hash, reason=NUMBER_ERRORS[error_code])
        return message


def _unknown_status_record(
    *, message_sid: str, twilio_status: str, message_id: int | None
) -> SmsMessage | None:
    """A MessageStatus we do not know (Twilio adds some now and then): the message's status,
    SID and timestamps stay as they are; only the raw value is kept, for the record."""
    with transaction.atomic():
        message = None
        if message_id is not None:
            message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
            if message is not None and message.provider_sid not in ("", message_sid):
                message = None  # our id with someone else's SID: not ours to annotate
        if message is None:
            message = (
                SmsMessage.objects.select_for_update().filter(provider_sid=message_sid).first()
            )
        if message is None:
            return None
        message.provider_status = twilio_status[:32]
        message.save(update_fields=["provider_status", "updated_at"])
    logger.warning("sms %s: unknown Twilio status in a callback; status kept", message.pk)
    return message
