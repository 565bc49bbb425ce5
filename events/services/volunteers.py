"""Volunteers: phone validation, one volunteer per phone number, and the SMS consent ledger."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.db import transaction
from django.utils import timezone
from phonenumbers import PhoneNumberType

from backend.accounts.models import User
from backend.api.errors import ApplicationError, ConflictError
from backend.crypto import keyed_hash
from events.models import ConsentMethod, Language, SmsConsent, Volunteer

# Types that can receive SMS. US numbers are almost all FIXED_LINE_OR_MOBILE because the
# numbering plan cannot tell them apart; a clearly fixed line, toll-free, premium, shared-cost,
# pager, UAN or voicemail number cannot take a text.
SMS_CAPABLE_TYPES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.VOIP,
}

DEFAULT_CONSENT_WORDING = (
    "Yes, text me about my shifts and DontLookAway events. Msg & data rates may apply. "
    "Reply STOP to opt out, HELP for help."
)


@dataclass(frozen=True)
class NormalizedPhone:
    e164: str
    hash: str
    last4: str


def phone_normalize(raw: str, *, field: str = "phone") -> NormalizedPhone:
    """Parse a phone number (US by default) into E.164; reject anything that cannot take SMS."""
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise ApplicationError(
            "This is not a phone number.",
            code="invalid_phone",
            fields={field: ["Enter a mobile phone number, e.g. (515) 555-0134."]},
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ApplicationError(
            "This phone number does not exist.",
            code="invalid_phone",
            fields={field: ["Enter a valid mobile phone number."]},
        )
    if phonenumbers.number_type(number) not in SMS_CAPABLE_TYPES:
        raise ApplicationError(
            "This number cannot receive text messages.",
            code="phone_not_mobile",
            fields={field: ["Enter a mobile number that can receive text messages."]},
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return NormalizedPhone(e164=e164, hash=keyed_hash(e164), last4=e164[-4:])


def volunteer_get_or_create(
    *,
    phone: NormalizedPhone,
    name: str,
    email: str = "",
    zip_code: str = "",
    language: str = Language.ENGLISH,
) -> tuple[Volunteer, bool]:
    """The volunteer with this phone number, created if new, locked for this transaction.

    An existing volunteer keeps their name (an anonymous form must not rename someone); blank
    email and ZIP are filled in.
    """
    with transaction.atomic():
        volunteer, created = Volunteer.objects.get_or_create(
            phone_hash=phone.hash,
            defaults={
                "name": name.strip(),
                "phone": phone.e164,
                "phone_last4": phone.last4,
                "email": email,
                "zip_code": zip_code,
                "language": language,
            },
        )
        # Lock so one volunteer's concurrent signups serialize (the overlap check needs it).
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if not created:
            updates = []
            if email and not volunteer.email:
                volunteer.email = email
                updates.append("email")
            if zip_code and not volunteer.zip_code:
                volunteer.zip_code = zip_code
                updates.append("zip_code")
            if updates:
                volunteer.save(update_fields=[*updates, "updated_at"])
        return volunteer, created


def sms_consent_record(
    *,
    volunteer: Volunteer,
    granted: bool,
    method: str,
    wording: str = "",
    source_ip: str | None = None,
    actor: User | None = None,
) -> SmsConsent:
    """Append one consent entry (given or withdrawn); the newest entry is the current state."""
    if method not in ConsentMethod.values:
        raise ApplicationError("Unknown consent method.", fields={"method": ["Unknown method."]})
    return SmsConsent.objects.create(
        volunteer=volunteer,
        granted=granted,
        method=method,
        wording=wording,
        source_ip=source_ip,
        actor=actor if actor is not None and actor.is_authenticated else None,
        recorded_at=timezone.now(),
    )


def sms_consent_current(*, volunteer: Volunteer) -> SmsConsent | None:
    """The newest consent entry, or None when the volunteer never answered."""
    return volunteer.sms_consents.order_by("-recorded_at", "-id").first()


def volunteer_link_user(
    *,
    user: User,
    phone: str,
    name: str,
    sms_consent: bool,
    consent_wording: str = DEFAULT_CONSENT_WORDING,
    language: str = Language.ENGLISH,
    source_ip: str | None = None,
) -> Volunteer:
    """Link a signed-in user (a canvasser) to the volunteer record with their phone number,
    creating it if new, and record their SMS consent answer (method "app").

    One account per volunteer and one volunteer per account: linking a second phone number, or
    a number already linked to someone else, is a 409 `already_linked`.
    """
    normalized = phone_normalize(phone)
    with transaction.atomic():
        volunteer, _ = volunteer_get_or_create(
            phone=normalized, name=name or user.get_full_name() or user.username, language=language
        )
        other = Volunteer.objects.filter(user=user).exclude(pk=volunteer.pk).first()
        if other is not None or (volunteer.user_id and volunteer.user_id != user.pk):
            raise ConflictError(
                "This account or phone number is already linked to another record.",
                code="already_linked",
            )
        if volunteer.user_id != user.pk:
            volunteer.user = user
            volunteer.save(update_fields=["user", "updated_at"])
        sms_consent_record(
            volunteer=volunteer,
            granted=sms_consent,
            method=ConsentMethod.APP,
            wording=consent_wording if sms_consent else "",
            source_ip=source_ip,
            actor=user,
        )
        return volunteer
