"""Phone numbers as the SMS features take them: parsed (US by default), refused when they cannot
receive a text, and reduced to E.164 plus the keyed hash that finds them without storing them."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from backend.crypto import keyed_hash
from backend.errors import ApplicationError, ErrorCode


class InvalidPhoneError(ApplicationError):
    """400: not a phone number, or one that does not exist."""

    code = ErrorCode.INVALID_PHONE


class PhoneNotMobileError(ApplicationError):
    """400: a real number that cannot receive text messages."""

    code = ErrorCode.PHONE_NOT_MOBILE


# Types that can receive SMS. US numbers are almost all FIXED_LINE_OR_MOBILE because the
# numbering plan cannot tell them apart; a clearly fixed line, toll-free, premium, shared-cost,
# pager, UAN or voicemail number cannot take a text.
SMS_CAPABLE_TYPES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.VOIP,
}


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
        raise InvalidPhoneError(
            "This is not a phone number.",
            fields={field: ["Enter a mobile phone number, e.g. (515) 555-0134."]},
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError(
            "This phone number does not exist.",
            fields={field: ["Enter a valid mobile phone number."]},
        )
    if phonenumbers.number_type(number) not in SMS_CAPABLE_TYPES:
        raise PhoneNotMobileError(
            "This number cannot receive text messages.",
            fields={field: ["Enter a mobile number that can receive text messages."]},
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return NormalizedPhone(e164=e164, hash=keyed_hash(e164), last4=e164[-4:])
