"""What each text says, in English and Spanish, and how many SMS segments it costs.

Templates are short on purpose: every segment is billed. The Spanish wording avoids letters
outside the GSM-7 alphabet (á, í, ó, ú) where a plain spelling reads naturally, because a single
such letter switches the whole message to UCS-2 (70 characters per segment instead of 160).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from events.models import Event, Shift
from messaging.models import SmsKind

# Character sets of the GSM 03.38 7-bit alphabet: basic (1 septet) and extension (2 septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")

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

ROLE_NAMES = {
    "en": {
        "canvasser": "canvasser",
        "precinct_captain": "precinct captain",
        "greeter": "greeter",
        "driver": "driver",
        "phone_banker": "phone banker",
        "other": "volunteer",
    },
    "es": {
        "canvasser": "puerta a puerta",
        "precinct_captain": "capitan de precinto",
        "greeter": "bienvenida",
        "driver": "conductor",
        "phone_banker": "llamadas",
        "other": "voluntario",
    },
}
DAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "es": ["lun", "mar", "mie", "jue", "vie", "sab", "dom"],
}
MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
}

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        SmsKind.CONFIRMATION: "{org}: You're confirmed as {role} for {event}, {when}, {place}. "
        "Reply YES to confirm, NO to cancel, HELP for help, STOP to opt out.",
        SmsKind.WAITLISTED: "{org}: {event}, {when} is full, so you're on the waitlist. "
        "We'll text you if a spot opens. STOP to opt out.",
        SmsKind.PROMOTED: "{org}: A spot opened! You're confirmed as {role} for {event}, "
        "{when}, {place}. Reply NO if you can't make it. STOP to opt out.",
        SmsKind.REMINDER: "{org} reminder: {event}, {when}, {place} ({role}). "
        "Reply NO if you can't make it. STOP to opt out.",
        SmsKind.EVENT_CHANGED: "{org}: {event} changed. Your shift is now {when}, {place}. "
        "Reply NO if you can't make it. STOP to opt out.",
        SmsKind.EVENT_CANCELLED: "{org}: {event}, {when} is cancelled. Sorry! "
        "We'll be in touch. STOP to opt out.",
        "help": "{org}: texts about your volunteer shifts. Reply YES to confirm or NO to cancel "
        "your next shift. STOP to opt out. Msg&data rates may apply.",
        "confirmed": "{org}: Thanks! You're confirmed for {event}, {when}.",
        "cancelled": "{org}: Done, you're off {event}, {when}. Thanks for telling us.",
        "no_signup": "{org}: You have no upcoming shift with us. Reply HELP for help.",
        "opted_in": "{org}: You'll get our texts again. Reply STOP to opt out.",
        SmsKind.VERIFICATION: "{org}: {code} is your code to link this number to your account. "
        "It expires in {minutes} min. Didn't ask for it? Ignore this text.",
        SmsKind.MANAGE_LINK: "{org}: see or cancel your shifts here: {url}",
        SmsKind.OPT_OUT_CONFIRMATION: "{org}: You're unsubscribed and will get no more texts "
        "from us. Reply START to get them again.",
        SmsKind.CHECKIN_DUE: "{org} safety: {detail}",
        SmsKind.SAFETY_ALERT: "{org} SAFETY ALERT: {detail}",
        SmsKind.INCIDENT: "{org} SAFETY: {detail}",
        SmsKind.INCIDENT_LIFTED: "{org} safety: {detail}",
        SmsKind.ENDORSEMENT_CONFIRMATION: "{org}: Thanks for endorsing the Migrant Justice "
        "Platform! Reply YES to confirm, or open {url} STOP to opt out.",
        SmsKind.SHIFT_INVITATION: "{org}: You endorsed the Migrant Justice Platform. Join us at "
        "{event}, {when}, {place}. Sign up: {url} STOP to opt out.",
        "endorsed": "{org}: Thank you! Your endorsement of the Migrant Justice Platform is "
        "confirmed.",
        SmsKind.ADDRESS_RELEASE: "{org}: Address for {event}, {when} ({role}): {address}. "
        "Please keep it private and do not share or post it. Reply NO if you can't make it.",
    },
    "es": {
        SmsKind.CONFIRMATION: "{org}: Confirmado como {role} para {event}, {when}, {place}. "
        "Responde SI para confirmar, NO para cancelar, AYUDA, o STOP para salir.",
        SmsKind.WAITLISTED: "{org}: {event}, {when} esta lleno; estas en lista de espera. "
        "Te avisamos si hay lugar. STOP para salir.",
        SmsKind.PROMOTED: "{org}: Hay lugar! Confirmado como {role} para {event}, {when}, "
        "{place}. Responde NO si no puedes ir. STOP para salir.",
        SmsKind.REMINDER: "{org} recordatorio: {event}, {when}, {place} ({role}). "
        "Responde NO si no puedes ir. STOP para salir.",
        SmsKind.EVENT_CHANGED: "{org}: {event} cambio. Tu turno ahora es {when}, {place}. "
        "Responde NO si no puedes ir. STOP para salir.",
        SmsKind.EVENT_CANCELLED: "{org}: {event}, {when} fue cancelado. Lo sentimos. "
        "Te contactaremos. STOP para salir.",
        "help": "{org}: mensajes sobre tus turnos de voluntario. Responde SI para confirmar o NO "
        "para cancelar tu proximo turno. STOP para salir.",
        "confirmed": "{org}: Gracias! Confirmado para {event}, {when}.",
        "cancelled": "{org}: Listo, cancelamos tu turno en {event}, {when}. Gracias por avisar.",
        "no_signup": "{org}: No tienes turnos proximos. Responde AYUDA para ayuda.",
        "opted_in": "{org}: Recibiras nuestros mensajes otra vez. STOP para salir.",
        SmsKind.VERIFICATION: "{org}: {code} es tu codigo para vincular este numero a tu cuenta. "
        "Vence en {minutes} min. No lo pediste? Ignora este mensaje.",
        SmsKind.MANAGE_LINK: "{org}: mira o cancela tus turnos aqui: {url}",
        SmsKind.OPT_OUT_CONFIRMATION: "{org}: Listo, ya no recibiras mensajes nuestros. "
        "Responde START para recibirlos otra vez.",
        SmsKind.CHECKIN_DUE: "{org} seguridad: {detail}",
        SmsKind.SAFETY_ALERT: "{org} ALERTA DE SEGURIDAD: {detail}",
        SmsKind.INCIDENT: "{org} SEGURIDAD: {detail}",
        SmsKind.INCIDENT_LIFTED: "{org} seguridad: {detail}",
        SmsKind.ENDORSEMENT_CONFIRMATION: "{org}: Gracias por apoyar la Plataforma de Justicia "
        "Migrante! Responde SI para confirmar, o abre {url} STOP para salir.",
        SmsKind.SHIFT_INVITATION: "{org}: Apoyaste la Plataforma de Justicia Migrante. Te "
        "esperamos en {event}, {when}, {place}. Inscribete: {url} STOP para salir.",
        "endorsed": "{org}: Gracias! Tu apoyo a la Plataforma de Justicia Migrante esta "
        "confirmado.",
        SmsKind.ADDRESS_RELEASE: "{org}: Direccion para {event}, {when} ({role}): {address}. "
        "Por favor no la compartas ni la publiques. Responde NO si no puedes ir.",
    },
}


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def format_when(moment: datetime, time_zone: str, language: str) -> str:
    """ "Mon Nov 30 6:00PM" / "lun 30 nov 18:00", in the event's zone."""
    local = moment.astimezone(ZoneInfo(time_zone))
    lang = language if language in DAYS else "en"
    day = DAYS[lang][local.weekday()]
    month = MONTHS[lang][local.month - 1]
    if lang == "es":
        return f"{day} {local.day} {month} {local:%H:%M}"
    hour = local.hour % 12 or 12
    return f"{day} {month} {local.day} {hour}:{local:%M}{'AM' if local.hour < 12 else 'PM'}"


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
    lang = language if language in TEMPLATES else "en"
    values: dict[str, str] = {"org": settings.SMS_ORGANIZATION_NAME, **extra}
    if shift is not None:
        event = shift.event
        values.update(
            event=_clip(event.title, TITLE_MAX),
            when=format_when(shift.starts_at, event.time_zone, lang),
            place=_place(event),
            role=ROLE_NAMES[lang].get(shift.role, ROLE_NAMES[lang]["other"]),
        )
        values.setdefault("address", ADDRESS_PLACEHOLDER)
    return TEMPLATES[lang][kind].format(**values)


def render_safety(kind: str, language: str, *, detail: str) -> str:
    """A safety text (`SAFETY_KINDS`): the organization, a marker and `detail`, clipped."""
    return render(kind, language, detail=_clip(detail, SAFETY_DETAIL_MAX))


def render_for_event(
    kind: str, language: str, *, event: Event, starts_at: datetime, url: str
) -> str:
    """A text about an event rather than one shift (a shift invitation)."""
    lang = language if language in TEMPLATES else "en"
    return TEMPLATES[lang][kind].format(
        org=settings.SMS_ORGANIZATION_NAME,
        event=_clip(event.title, TITLE_MAX),
        when=format_when(starts_at, event.time_zone, lang),
        place=_place(event),
        url=url,
    )


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def segments(text: str) -> int:
    """How many SMS segments `text` is billed as (GSM-7: 160/153; UCS-2: 70/67 per segment)."""
    if is_gsm7(text):
        septets = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        return 1 if septets <= 160 else -(-septets // 153)
    units = sum(2 if ord(char) > 0xFFFF else 1 for char in text)
    return 1 if units <= 70 else -(-units // 67)
