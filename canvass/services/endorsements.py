"""Endorsement writes: the public form, double opt-in (a YES / SI reply or the signed link),
expiry, moderation, shift invitations to endorsers who asked for them.

Texts go through the messaging app's outbox (`sms_endorser_enqueue`); the consent each text
needs (its own scope) is checked there by `sendability`. Confirmation emails go through
Django's mail backend after the transaction commits.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.crypto import keyed_hash
from backend.errors import ApplicationError, ConflictError
from backend.geo.counties import IOWA_COUNTIES, canonical_county
from backend.phones import phone_normalize
from canvass.errors import AlreadyEndorsedError, InvalidEndorsementLinkError
from canvass.models import (
    ConfirmationChannel,
    Endorsement,
    EndorsementConsent,
    EndorsementConsentScope,
    EndorsementStatus,
    EndorserKind,
    Household,
    Plank,
)
from canvass.selectors.endorsements import consent_scopes

if TYPE_CHECKING:
    from messaging.services.inbound import InboundContext, Outcome

logger = logging.getLogger(__name__)

LINK_SALT = "canvass.endorsement-confirm"

DEFAULT_ENDORSEMENT_SMS_WORDING = (
    "Yes, text me to confirm my endorsement and about the Migrant Justice Platform. "
    "Msg & data rates may apply. Reply STOP to opt out, HELP for help."
)
DEFAULT_SHIFT_INVITE_WORDING = (
    "Yes, also text me invitations to volunteer shifts (canvassing, caucus night). "
    "Msg & data rates may apply. Reply STOP to opt out."
)

# Replies that confirm a pending endorsement (`keyword_of` folds SÍ to SI).
CONFIRM_KEYWORDS = frozenset({"YES", "Y", "SI"})

_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_ORG_SUFFIXES = re.compile(r"\b(INC|INCORPORATED|LLC|CORP|CO|LTD|THE)\b")
_ZIP = re.compile(r"^\d{5}$")

# Constraint name -> the input field it protects (the database is the final word on "once").
# PostgreSQL names the constraint; SQLite names the columns.
_UNIQUE_FIELDS = {
    "endorsement_one_per_phone": "phone",
    "endorsement_one_per_email": "email",
    "endorsement_one_per_organization": "name",
    "phone_hash": "phone",
    "email_hash": "email",
    "name_key": "name",
}
_ALREADY = {
    "phone": "This phone number already has an endorsement.",
    "email": "This email already has an endorsement.",
    "name": "This organization has already endorsed in this city.",
}


def name_key(text: str) -> str:
    """'The Iowa Workers, Inc.' -> 'IOWAWORKERS' (case, punctuation, 'the', 'Inc' ignored)."""
    upper = (text or "").upper().replace("&", " AND ")
    return _NOT_ALNUM.sub("", _ORG_SUFFIXES.sub(" ", _NOT_ALNUM.sub(" ", upper)))


def city_key(text: str) -> str:
    return _NOT_ALNUM.sub("", (text or "").upper())


def email_normalize(email: str) -> str:
    return (email or "").strip().lower()


def county_for(*, zip_code: str, city: str, given: str) -> str:
    """The endorser's county: as given (an Iowa county, however spelled), else the county most
    of the voter file's households with this ZIP (or, without a ZIP, this city) are in, else
    blank ("Unknown" in the counts)."""
    if given.strip():
        county = canonical_county(given)
        if county not in IOWA_COUNTIES:
            raise ApplicationError(
                "Unknown county.", fields={"county": ["Enter an Iowa county, e.g. Polk."]}
            )
        return county
    households = Household.objects.exclude(county="")
    if zip_code:
        households = households.filter(zip_code=zip_code)
    elif city:
        households = households.filter(city__iexact=city.strip())
    else:
        return ""
    top = households.values("county").annotate(n=Count("id")).order_by("-n", "county").first()
    return canonical_county(top["county"]) if top else ""


def _bad(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _planks(codes: list[str] | None) -> list[Plank]:
    active = list(Plank.objects.filter(active=True).order_by("position", "id"))
    if codes is None:
        return active
    if not codes:
        raise _bad("planks", "Choose at least one plank, or leave this out to endorse them all.")
    by_code = {plank.code: plank for plank in active}
    unknown = sorted({code for code in codes if code not in by_code})
    if unknown:
        raise _bad("planks", f"Unknown plank: {', '.join(unknown)}.")
    return [by_code[code] for code in dict.fromkeys(codes)]


def confirm_token_for(endorsement: Endorsement) -> str:
    return signing.dumps({"e": endorsement.pk}, salt=LINK_SALT)


def confirm_url_for(endorsement: Endorsement) -> str:
    token = confirm_token_for(endorsement)
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/api/public/endorsements/confirm/{token}"


@dataclass(frozen=True)
class EndorsementCreated:
    endorsement: Endorsement
    texted: bool
    emailed: bool


def endorsement_create(
    *,
    kind: str,
    name: str,
    planks: list[str] | None = None,
    listed_publicly: bool = False,
    zip_code: str = "",
    city: str = "",
    county: str = "",
    phone: str = "",
    sms_consent: bool = False,
    sms_consent_wording: str = DEFAULT_ENDORSEMENT_SMS_WORDING,
    shift_invite_consent: bool = False,
    shift_invite_wording: str = DEFAULT_SHIFT_INVITE_WORDING,
    email: str = "",
    language: str = "en",
    organization_kind: str = "",
    contact_person: str = "",
    website: str = "",
    source_ip: str | None = None,
) -> EndorsementCreated:
    """Record a pending endorsement and send its confirmation (a text with YES / SI and the
    signed link, and/or an email with the link). Bad input is a 400 naming the field; a phone,
    email or organization that already endorsed is a 409 naming only the field. Nothing is
    stored unless everything is valid."""
    name = " ".join((name or "").split())
    if not name:
        raise _bad("name", "Enter a name.")
    city = " ".join((city or "").split())
    zip_code = (zip_code or "").strip()
    if kind == EndorserKind.PERSON:
        if not _ZIP.match(zip_code) or zip_code == "00000":
            raise _bad("zip_code", "Enter a 5-digit ZIP code.")
    else:
        if not organization_kind:
            raise _bad("organization_kind", "Choose what kind of organization this is.")
        if not " ".join((contact_person or "").split()):
            raise _bad("contact_person", "Enter a contact person.")
        if not city:
            raise _bad("city", "Enter the organization's city.")
        if zip_code and not _ZIP.match(zip_code):
            raise _bad("zip_code", "Enter a 5-digit ZIP code.")
        if website and not re.match(r"^https?://", website, re.IGNORECASE):
            raise _bad("website", "Enter a web address starting with http:// or https://.")
    normalized = None
    if phone.strip():
        normalized = phone_normalize(phone)
        if not sms_consent:
            raise _bad("sms_consent", "Tick the box to get texts, or leave the phone number out.")
    elif sms_consent or shift_invite_consent:
        field = "sms_consent" if sms_consent else "shift_invite_consent"
        raise _bad(field, "Enter a mobile phone number to get texts.")
    email = email_normalize(email)
    if normalized is None and not email:
        raise ApplicationError(
            "Give a phone number or an email, so we can confirm the endorsement.",
            fields={
                "phone": ["Give a phone number or an email."],
                "email": ["Give a phone number or an email."],
            },
        )
    chosen = _planks(planks)
    resolved_county = county_for(zip_code=zip_code, city=city, given=county)
    phone_hash = normalized.hash if normalized else None
    email_hash = keyed_hash(f"email:{email}") if email else None
    is_org = kind == EndorserKind.ORGANIZATION
    keys = (name_key(name), city_key(city)) if is_org else ("", city_key(city))

    now = timezone.now()
    with transaction.atomic():
        # One answer whatever the state of the existing endorsement (pending, confirmed, hidden):
        # the field is named, nothing else about it is said (docs/endorsements.md).
        existing = Endorsement.objects.filter(
            Q(phone_hash=phone_hash) if phone_hash else Q(pk__in=[])
        ).exists()
        if existing:
            raise AlreadyEndorsedError(_ALREADY["phone"], fields={"phone": [_ALREADY["phone"]]})
        if email_hash and Endorsement.objects.filter(email_hash=email_hash).exists():
            raise AlreadyEndorsedError(_ALREADY["email"], fields={"email": [_ALREADY["email"]]})
        if (
            is_org
            and Endorsement.objects.filter(
                kind=EndorserKind.ORGANIZATION,
                name_key=keys[0],
                city_key=keys[1],
                erased_at__isnull=True,
            ).exists()
        ):
            raise AlreadyEndorsedError(_ALREADY["name"], fields={"name": [_ALREADY["name"]]})
        try:
            with transaction.atomic():
                endorsement = Endorsement.objects.create(
                    kind=kind,
                    name=name,
                    name_key=keys[0],
                    organization_kind=organization_kind if is_org else "",
                    contact_person=" ".join((contact_person or "").split()) if is_org else "",
                    website=website if is_org else "",
                    city=city,
                    city_key=keys[1],
                    zip_code=zip_code,
                    county=resolved_county,
                    phone=normalized.e164 if normalized else "",
                    phone_hash=phone_hash,
                    phone_last4=normalized.last4 if normalized else "",
                    email=email,
                    email_hash=email_hash,
                    language=language,
                    listed_publicly=listed_publicly,
                    expires_at=now + timedelta(hours=settings.ENDORSEMENT_CONFIRM_TTL_HOURS),
                    source_ip=source_ip,
                )
        except IntegrityError as error:
            # A concurrent endorsement with the same number, email or name won the race.
            field = next((f for c, f in _UNIQUE_FIELDS.items() if c in str(error)), "phone")
            raise AlreadyEndorsedError(_ALREADY[field], fields={field: [_ALREADY[field]]}) from None
        endorsement.planks.set(chosen)
        if normalized is not None:
            for scope, granted, wording in (
                (EndorsementConsentScope.ENDORSEMENT_TEXTS, sms_consent, sms_consent_wording),
                (
                    EndorsementConsentScope.SHIFT_INVITATIONS,
                    shift_invite_consent,
                    shift_invite_wording,
                ),
            ):
                EndorsementConsent.objects.create(
                    endorsement=endorsement,
                    scope=scope,
                    granted=granted,
                    wording=wording,
                    source_ip=source_ip,
                    recorded_at=now,
                )
        url = confirm_url_for(endorsement)
        if normalized is not None:
            _text_confirmation(endorsement, url)
        if email:
            transaction.on_commit(lambda: _email_confirmation(endorsement.pk, url))
        audit_record(
            actor=None,
            action="endorsement.created",
            target=endorsement,
            ip_address=source_ip,
            details={"kind": kind, "planks": [plank.code for plank in chosen]},
        )
    return EndorsementCreated(endorsement, texted=normalized is not None, emailed=bool(email))


def _text_confirmation(endorsement: Endorsement, url: str) -> None:
    from messaging.models import SmsKind
    from messaging.services.outbox import sms_endorser_enqueue
    from messaging.templates import render

    sms_endorser_enqueue(
        kind=SmsKind.ENDORSEMENT_CONFIRMATION,
        endorsement_id=endorsement.pk,
        phone=endorsement.phone,
        phone_hash=endorsement.phone_hash or "",
        body=render(SmsKind.ENDORSEMENT_CONFIRMATION, endorsement.language, url=url),
        language=endorsement.language,
    )


EMAIL_TEXT = {
    "en": (
        "Confirm your endorsement of the Migrant Justice Platform",
        "Thank you for endorsing the Migrant Justice Platform.\n\n"
        "To confirm it, open this link within {hours} hours:\n{url}\n\n"
        "Didn't ask for this? Ignore this email and nothing will be published.\n",
    ),
    "es": (
        "Confirma tu apoyo a la Plataforma de Justicia Migrante",
        "Gracias por apoyar la Plataforma de Justicia Migrante.\n\n"
        "Para confirmarlo, abre este enlace en las proximas {hours} horas:\n{url}\n\n"
        "No lo pediste? Ignora este correo y no se publicara nada.\n",
    ),
}


def _email_confirmation(endorsement_id: int, url: str) -> None:
    endorsement = Endorsement.objects.filter(pk=endorsement_id).only("email", "language").first()
    if endorsement is None or not endorsement.email:
        return
    subject, body = EMAIL_TEXT.get(endorsement.language, EMAIL_TEXT["en"])
    try:
        send_mail(
            subject,
            body.format(hours=settings.ENDORSEMENT_CONFIRM_TTL_HOURS, url=url),
            None,
            [endorsement.email],
        )
    except Exception:  # a mail outage must not fail the form: the text (or a retry) remains
        logger.exception("endorsement %s: confirmation email failed", endorsement_id)


# --- Confirmation ---------------------------------------------------------------------------


def _pending(now: datetime) -> Q:
    return Q(status=EndorsementStatus.PENDING, expires_at__gt=now, erased_at__isnull=True)


def _confirm(endorsement: Endorsement, channel: str, now: datetime) -> None:
    endorsement.status = EndorsementStatus.CONFIRMED
    endorsement.confirmed_at = now
    endorsement.confirmed_via = channel
    endorsement.expires_at = None
    endorsement.save(
        update_fields=["status", "confirmed_at", "confirmed_via", "expires_at", "updated_at"]
    )
    audit_record(
        actor=None,
        action="endorsement.confirmed",
        target=endorsement,
        details={"via": channel},
    )


def endorsement_from_token(token: str) -> Endorsement:
    """The endorsement a confirmation link was made for; 404 for a tampered or expired link, or
    one whose endorsement is gone (purged, erased)."""
    try:
        data = signing.loads(
            token, salt=LINK_SALT, max_age=timedelta(hours=settings.ENDORSEMENT_CONFIRM_TTL_HOURS)
        )
    except signing.BadSignature:
        raise InvalidEndorsementLinkError("This link is not valid or has expired.") from None
    endorsement = (
        Endorsement.objects.filter(pk=data.get("e"), erased_at__isnull=True)
        .prefetch_related("planks")
        .first()
    )
    if endorsement is None:
        raise InvalidEndorsementLinkError("This link is not valid or has expired.")
    return endorsement


def endorsement_confirm_by_link(*, token: str) -> Endorsement:
    """Confirm through the signed link (idempotent: a confirmed one stays confirmed)."""
    now = timezone.now()
    with transaction.atomic():
        endorsement = endorsement_from_token(token)
        endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
        if endorsement.status == EndorsementStatus.CONFIRMED:
            return endorsement
        if endorsement.expires_at is None or endorsement.expires_at <= now:
            raise InvalidEndorsementLinkError("This link is not valid or has expired.")
        _confirm(endorsement, ConfirmationChannel.LINK, now)
        return endorsement


def endorsement_inbound_reply(context: InboundContext) -> Outcome | None:
    """The inbound-text handler (registered in `canvass.apps`): YES / SI from a number with a
    pending, unexpired endorsement confirms it. Anything else, or a number without one, is left
    to the other handlers (a volunteer's YES to their next shift stays theirs)."""
    from messaging.models import InboundAction
    from messaging.services.inbound import Outcome
    from messaging.templates import render

    if context.keyword not in CONFIRM_KEYWORDS:
        return None
    now = timezone.now()
    endorsement = (
        Endorsement.objects.select_for_update()
        .filter(_pending(now), phone_hash=context.phone_hash)
        .first()
    )
    if endorsement is None:
        return None
    _confirm(endorsement, ConfirmationChannel.SMS, now)
    return Outcome(
        InboundAction.ENDORSED,
        render("endorsed", endorsement.language),
        language=endorsement.language,
    )


def endorsements_purge_expired(*, now: datetime | None = None) -> int:
    """Delete every endorsement left unconfirmed past its expiry, with the number and text of
    the confirmation texts sent for it. Returns how many went."""
    from messaging.services.outbox import sms_endorser_forget

    now = now or timezone.now()
    with transaction.atomic():
        expired = Endorsement.objects.filter(
            status=EndorsementStatus.PENDING, expires_at__lte=now
        ).select_for_update(skip_locked=True)
        rows = list(expired.values_list("id", "phone_hash"))
        if not rows:
            return 0
        ids = [row[0] for row in rows]
        sms_endorser_forget(endorsement_ids=ids, phone_hashes=[row[1] or "" for row in rows])
        Endorsement.objects.filter(pk__in=ids).delete()
        audit_record(actor=None, action="endorsement.expired_purged", details={"count": len(ids)})
    return len(ids)


# --- Moderation -----------------------------------------------------------------------------


def endorsement_hide(
    *, actor: User, endorsement: Endorsement, reason: str, ip_address: str | None = None
) -> Endorsement:
    """Take an endorsement off the public list and counts, with the organizer's reason."""
    return _moderate(actor, endorsement, True, reason, ip_address)


def endorsement_restore(
    *, actor: User, endorsement: Endorsement, reason: str, ip_address: str | None = None
) -> Endorsement:
    """Put a hidden endorsement back, with the organizer's reason."""
    return _moderate(actor, endorsement, False, reason, ip_address)


def _moderate(
    actor: User, endorsement: Endorsement, hide: bool, reason: str, ip_address: str | None
) -> Endorsement:
    reason = " ".join((reason or "").split())
    if not reason:
        raise _bad("reason", "Give a reason.")
    with transaction.atomic():
        endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
        if endorsement.hidden == hide:
            raise ConflictError(
                "This endorsement is already hidden." if hide else "This endorsement is not hidden."
            )
        endorsement.hidden = hide
        endorsement.hidden_reason = reason
        endorsement.hidden_at = timezone.now() if hide else None
        endorsement.hidden_by = actor if hide else None
        endorsement.save(
            update_fields=["hidden", "hidden_reason", "hidden_at", "hidden_by", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="endorsement.hidden" if hide else "endorsement.restored",
            target=endorsement,
            ip_address=ip_address,
            details={"reason": reason},
        )
    return endorsement


# --- Shift invitations ----------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationReport:
    event_id: int
    invited: int
    already_invited: int
    without_consent: int


def endorsers_invite_to_event(
    *, actor: User, event_id: int, ip_address: str | None = None
) -> InvitationReport:
    """Text an invitation to the event's shifts to every confirmed endorser whose current
    answer for the shift-invitation scope is yes. An endorser who consented to endorsement texts
    only gets nothing (and `sendability` would refuse such a text anyway)."""
    from events.models import EventStatus
    from events.selectors.schedule import events_for_user
    from messaging.models import SmsKind
    from messaging.services.outbox import sms_endorser_enqueue
    from messaging.templates import render_for_event

    event = events_for_user(user=actor).filter(pk=event_id).first()
    if event is None:
        raise _bad("event", "No such event.")
    if event.status != EventStatus.SCHEDULED or event.ends_at <= timezone.now():
        raise _bad("event", "Invite only to a scheduled event that has not ended.")
    if not event.is_public:
        raise _bad("event", "Invite only to a public event (endorsers sign up on the public form).")
    url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/api/public/events/{event.pk}"
    invited = already = without = 0
    with transaction.atomic():
        candidates = (
            Endorsement.objects.filter(
                status=EndorsementStatus.CONFIRMED,
                hidden=False,
                erased_at__isnull=True,
                phone_hash__isnull=False,
            )
            .prefetch_related("consents")
            .order_by("id")
        )
        for endorsement in candidates:
            if not consent_scopes(endorsement).get(EndorsementConsentScope.SHIFT_INVITATIONS):
                without += 1
                continue
            message = sms_endorser_enqueue(
                kind=SmsKind.SHIFT_INVITATION,
                endorsement_id=endorsement.pk,
                phone=endorsement.phone,
                phone_hash=endorsement.phone_hash or "",
                body=render_for_event(
                    SmsKind.SHIFT_INVITATION,
                    endorsement.language,
                    event=event,
                    starts_at=event.starts_at,
                    url=url,
                ),
                language=endorsement.language,
                event_id=event.pk,
            )
            if message is None:
                already += 1
            else:
                invited += 1
        audit_record(
            actor=actor,
            action="endorsement.invited",
            target=event,
            ip_address=ip_address,
            details={"invited": invited, "already_invited": already, "without_consent": without},
        )
    return InvitationReport(event.pk, invited, already, without)
