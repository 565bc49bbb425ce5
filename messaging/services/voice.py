"""Reminder calls for volunteers who cannot read (docs/voice.md): the call's spoken text and
keypad menu, the keys pressed, and the call's status. The outbox row (channel "voice") is the
call; its id travels signed in the URLs the provider calls back."""

from __future__ import annotations

import logging
from xml.etree import ElementTree

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from backend.errors import NotFoundError
from backend.sms import BaseSmsBackend, SendResult
from events.models import Signup, SignupStatus
from events.services.signups import signup_cancel
from messaging import catalog
from messaging.models import Channel, ConsentMethod, SmsKind, SmsMessage, SmsStatus
from messaging.selectors.consent import has_voice_consent
from messaging.services.consent import consent_record
from messaging.templates import format_when, place_name, role_name

logger = logging.getLogger(__name__)

SALT = "messaging.voice.call"
# Our language code -> the language the provider's text-to-speech speaks it in.
SAY_LANGUAGES = {
    "en": "en-US",
    "es": "es-US",
    "fr": "fr-FR",
    "vi": "vi-VN",
    "ar": "arb",
    "sw": "en-US",  # no Swahili voice: the English text is what a missing string falls back to
}
KEY_CONFIRM, KEY_CANCEL, KEY_STOP = "1", "2", "9"
CALL_STATUSES = {
    "completed": SmsStatus.DELIVERED,
    "busy": SmsStatus.UNDELIVERED,
    "no-answer": SmsStatus.UNDELIVERED,
    "canceled": SmsStatus.UNDELIVERED,
    "failed": SmsStatus.FAILED,
}


def voice_token(message_id: int) -> str:
    """The signed id of a call's outbox row, as it appears in the provider's URLs."""
    return signing.dumps(message_id, salt=SALT)


def voice_call_url(message_id: int, action: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/api/voice/calls/{voice_token(message_id)}/{action}"


def voice_message_for_token(token: str) -> SmsMessage:
    """The call behind a signed token; 404 for a token we did not sign or a row that is gone."""
    try:
        message_id = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise NotFoundError("No such call.") from error
    message = (
        SmsMessage.objects.select_related("signup__shift__event__location", "volunteer")
        .filter(pk=message_id, channel=Channel.VOICE)
        .first()
    )
    if message is None:
        raise NotFoundError("No such call.")
    return message


def voice_reminder_text(signup: Signup, language: str) -> str:
    """What a reminder call says (accents kept: it is spoken, not texted)."""
    shift = signup.shift
    event = shift.event
    return catalog.text("voice.reminder", language).format(
        org=settings.SMS_ORGANIZATION_NAME,
        event=event.title,
        when=format_when(shift.starts_at, event.time_zone, language),
        place=place_name(event),
        role=role_name(shift.role, language),
    )


def voice_wanted(message: SmsMessage) -> bool:
    """True when this row goes out as a call: written as one, or a reminder (queued as a text)
    to a volunteer who has since chosen calls and not stopped them. Such a row becomes a call
    here, with the spoken text as its body."""
    if message.channel == Channel.VOICE:
        return True
    if message.kind != SmsKind.REMINDER or message.signup is None:
        return False
    volunteer = message.signup.volunteer
    if volunteer.reminder_channel != Channel.VOICE or not has_voice_consent(volunteer.pk):
        return False
    message.channel = Channel.VOICE
    message.body = voice_reminder_text(message.signup, message.language)
    SmsMessage.objects.filter(pk=message.pk).update(channel=message.channel, body=message.body)
    return True


def voice_call_place(message: SmsMessage, backend: BaseSmsBackend) -> SendResult:
    """Ask the provider to call; it fetches the spoken text from our TwiML URL."""
    return backend.call(
        to=message.phone,
        url=voice_call_url(message.pk, "twiml"),
        status_callback=voice_call_url(message.pk, "status"),
    )


def _say_language(message: SmsMessage, name: str) -> str:
    spoken = catalog.language_of(name, message.language)
    return SAY_LANGUAGES.get(spoken, "en-US")


def _twiml(message: SmsMessage, name: str, text: str, *, gather: bool) -> str:
    response = ElementTree.Element("Response")
    parent = response
    if gather:
        parent = ElementTree.SubElement(
            response,
            "Gather",
            numDigits="1",
            action=voice_call_url(message.pk, "keys"),
            method="POST",
        )
    say = ElementTree.SubElement(parent, "Say", language=_say_language(message, name))
    say.text = text
    if gather:  # no key pressed before the timeout
        goodbye = ElementTree.SubElement(
            response, "Say", language=_say_language(message, "voice.no_answer")
        )
        goodbye.text = catalog.text("voice.no_answer", message.language)
    return '<?xml version="1.0" encoding="UTF-8"?>' + ElementTree.tostring(
        response, encoding="unicode"
    )


def voice_twiml(message: SmsMessage) -> str:
    """The call's instructions: speak the reminder, then gather one key."""
    return _twiml(message, "voice.reminder", message.body, gather=True)


def voice_keypress_record(*, message: SmsMessage, digits: str) -> str:
    """Act on the key pressed and answer what to say: 1 confirms, 2 cancels the signup (the
    waitlist moves up), 9 stops reminder calls; any other key repeats the menu."""
    key = digits[:1]
    if key not in (KEY_CONFIRM, KEY_CANCEL, KEY_STOP) or message.kind != SmsKind.REMINDER:
        return voice_twiml(message)
    with transaction.atomic():
        locked = SmsMessage.objects.select_for_update().get(pk=message.pk)
        already = locked.voice_answer
        if not already:
            locked.voice_answer, locked.voice_answered_at = key, timezone.now()
            locked.save(update_fields=["voice_answer", "voice_answered_at", "updated_at"])
    if already:  # the provider retried the same keypress: act once
        key = already
    elif key == KEY_CANCEL and message.signup is not None:
        if message.signup.status in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
            signup_cancel(signup_id=message.signup.pk, volunteer=message.volunteer)
    elif key == KEY_STOP and message.volunteer is not None:
        voice_calls_stop(message=message)
    name = {
        KEY_CONFIRM: "voice.confirmed",
        KEY_CANCEL: "voice.cancelled",
        KEY_STOP: "voice.stopped",
    }[key]
    return _twiml(message, name, catalog.text(name, message.language), gather=False)


def voice_calls_stop(*, message: SmsMessage) -> None:
    """Record a voice opt-out in the consent ledger and skip the calls still queued."""
    assert message.volunteer is not None
    with transaction.atomic():
        consent_record(
            volunteer=message.volunteer,
            granted=False,
            method=ConsentMethod.CALL,
            channel=Channel.VOICE,
            wording="Pressed 9 on a reminder call",
        )
        SmsMessage.objects.filter(
            volunteer=message.volunteer, channel=Channel.VOICE, status=SmsStatus.QUEUED
        ).update(status=SmsStatus.SKIPPED, skip_reason="voice_opted_out", updated_at=timezone.now())


def voice_status_record(*, message: SmsMessage, call_sid: str, call_status: str) -> SmsMessage:
    """The provider's word on a call: a final status settles the row, never backwards."""
    status = CALL_STATUSES.get(call_status)
    with transaction.atomic():
        locked = SmsMessage.objects.select_for_update().get(pk=message.pk)
        if locked.provider_sid not in ("", call_sid):
            return locked  # someone else's call id on our row: not ours to settle
        locked.provider_status = call_status[:32]
        locked.provider_sid = call_sid
        fields = ["provider_status", "provider_sid", "updated_at"]
        if status is not None and locked.status in (
            SmsStatus.QUEUED,
            SmsStatus.SENDING,
            SmsStatus.UNKNOWN,
            SmsStatus.SENT,
        ):
            locked.status = status
            fields.append("status")
            if status == SmsStatus.DELIVERED:
                locked.delivered_at = timezone.now()
                fields.append("delivered_at")
        locked.save(update_fields=fields)
    return locked
