"""How each text is put together from its catalogue template, and how many SMS segments it costs.

The words live in the gettext catalogues (messaging/locale/<language>/LC_MESSAGES/sms.po, read by
messaging/catalog.py), one per language, English the fallback. Templates are short on purpose:
every segment is billed. The Spanish wording avoids letters outside the GSM-7 alphabet (á, í, ó,
ú) where a plain spelling reads naturally, because a single such letter switches the whole message
to UCS-2 (70 characters per segment instead of 160).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from events.models import Event, Shift
from messaging import catalog
from messaging.models import SmsKind

# Character sets of the GSM 03.38 7-bit alphabet: basic (1 septet) and extension (2 septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
# Characters outside GSM-7 with a plain GSM-7 spelling that NFKD decomposition does not give.
GSM7_SPELLINGS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u00ab": '"',
    "\u00bb": '"',
    "\u00f8": "ø",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00e7": "Ç",
}

TITLE_MAX = 40
PLACE_MAX = 40
# A safety text's own words (an incident's instruction, an alert's who and where), clipped so
# the text stays within two segments.
SAFETY_DETAIL_MAX = 240
# A sensitive event's address as texted: name, street, city and ZIP fit in two segments.
ADDRESS_MAX = 100
# What the outbox row keeps instead of a sensitive address: the text is rendered with the
# address only when it is sent, so the address is never copied into the outbox (or its lists).
ADDRESS_PLACEHOLDER = "[address]"


def transliterate(text: str) -> str:
    """`text` with every letter outside GSM-7 spelled in GSM-7 where a plain spelling exists
    (á -> a, ó -> o, “ -> "): é, ñ, ü, ¿ and ¡ are GSM-7 and stay. A character with no such
    spelling (another script, an emoji) stays, and the text is UCS-2."""
    out = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENDED:
            out.append(char)
            continue
        spelled = GSM7_SPELLINGS.get(char)
        if spelled is None:
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            spelled = base if base and is_gsm7(base) else char
        out.append(spelled)
    return "".join(out)


def for_language(text: str, language: str) -> str:
    """`text` as sent to someone reading `language`: transliterated to GSM-7 when the
    `SMS_TRANSLITERATE` setting lists the language (accents kept, as UCS-2, otherwise)."""
    return transliterate(text) if language in settings.SMS_TRANSLITERATE else text


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


# What a language's "when" template may use to write a shift's start.
WHEN_FIELDS = {"weekday", "month", "day", "hour12", "hour24", "minute", "ampm"}


def format_when(moment: datetime, time_zone: str, language: str) -> str:
    """ "Mon Nov 30 6:00PM" / "lun 30 nov 18:00", in the event's zone (the catalogue's "when")."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return catalog.text("when", language).format(
        weekday=catalog.text(f"weekday.{local.weekday()}", language),
        month=catalog.text(f"month.{local.month}", language),
        day=local.day,
        hour12=local.hour % 12 or 12,
        hour24=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
        ampm="AM" if local.hour < 12 else "PM",
    )


def role_name(role: str, language: str) -> str:
    """A shift's role as a text names it ("precinct captain", "capitan de precinto")."""
    name = f"role.{role}"
    return catalog.text(name if name in catalog.names() else "role.other", language)


def place_name(event: Event) -> str:
    """Where a (non-address) message says the event is: the city of a sensitive event."""
    return _place(event)


def _place(event: Event) -> str:
    location = event.location
    if location is None:
        return "TBA"
    if event.is_sensitive:
        # Only the address-release text names a sensitive place; every other text its city.
        return _clip(location.city or "TBA", PLACE_MAX)
    return _clip(location.address or location.name, PLACE_MAX)


def address_release_body(shift: Shift, language: str, *, address: str | None = None) -> str:
    """The address-release text of `shift`: with `address` (clipped) when it is being sent,
    with the placeholder when it is stored."""
    text = ADDRESS_PLACEHOLDER if address is None else _clip(address, ADDRESS_MAX)
    return render(SmsKind.ADDRESS_RELEASE, language, shift=shift, address=text)


def render(kind: str, language: str, *, shift: Shift | None = None, **extra: str) -> str:
    """The text of one message. `kind` is an SmsKind or a reply name ("help", "confirmed"...);
    `extra` fills template-specific fields (the one-time code of a verification text)."""
    values: dict[str, str] = {"org": settings.SMS_ORGANIZATION_NAME, **extra}
    if shift is not None:
        event = shift.event
        values.update(
            event=_clip(event.title, TITLE_MAX),
            when=format_when(shift.starts_at, event.time_zone, language),
            place=_place(event),
            role=role_name(shift.role, language),
            code=shift.short_code,
        )
        values.setdefault("address", ADDRESS_PLACEHOLDER)
    return for_language(catalog.text(kind, language).format(**values), language)


def render_safety(kind: str, language: str, *, detail: str) -> str:
    """A safety text (`SAFETY_KINDS`): the organization, a marker and `detail`, clipped."""
    return render(kind, language, detail=_clip(detail, SAFETY_DETAIL_MAX))


def render_for_event(
    kind: str, language: str, *, event: Event, starts_at: datetime, url: str
) -> str:
    """A text about an event rather than one shift (a shift invitation)."""
    text = catalog.text(kind, language).format(
        org=settings.SMS_ORGANIZATION_NAME,
        event=_clip(event.title, TITLE_MAX),
        when=format_when(starts_at, event.time_zone, language),
        place=_place(event),
        url=url,
    )
    return for_language(text, language)


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def encoding(text: str) -> str:
    """ "GSM-7" or "UCS-2": how `text` is sent."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def segments(text: str) -> int:
    """How many SMS segments `text` is billed as (GSM-7: 160/153; UCS-2: 70/67 per segment)."""
    if is_gsm7(text):
        septets = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        return 1 if septets <= 160 else -(-septets // 153)
    units = sum(2 if ord(char) > 0xFFFF else 1 for char in text)
    return 1 if units <= 70 else -(-units // 67)
