"""Volunteers: phone validation, one volunteer per phone number, and their SMS consent answers
(recorded through a domain event, read through `events.texts`)."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import NoReturn

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.crypto import keyed_hash
from backend.errors import ApplicationError, ConflictError, ErrorCode, NotFoundError
from backend.phones import NormalizedPhone, phone_normalize
from events import domain_events, links, texts
from events.errors import AlreadyLinkedError, LinkThrottledError
from events.models import Language, Volunteer, VolunteerLinkCode
from events.services.counters import counter_take

DEFAULT_CONSENT_WORDING = (
    "Yes, text me about my shifts and DontLookAway events. Msg & data rates may apply. "
    "Reply STOP to opt out, HELP for help."
)


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
) -> None:
    """Record one consent answer (given or withdrawn); the newest answer is the current state.
    `method`: web, app, sms, organizer or door (an unknown one is refused, nothing stored)."""
    domain_events.consent_answered(
        volunteer=volunteer,
        granted=granted,
        method=method,
        wording=wording,
        source_ip=source_ip,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


REMINDER_CHANNELS = ("sms", "voice")
VOICE_CONSENT_WORDING = "Call me with my shift reminders instead of texting them."


def volunteer_reminder_channel_set(
    *,
    volunteer: Volunteer,
    channel: str,
    method: str,
    source_ip: str | None = None,
    actor: User | None = None,
) -> Volunteer:
    """Choose how reminders arrive: texts, or calls that speak them (docs/voice.md). Choosing
    calls records a voice consent (its own entries in the ledger); queued reminders become
    calls when they go out."""
    if channel not in REMINDER_CHANNELS:
        raise ApplicationError(
            "Unknown reminder channel.", fields={"reminder_channel": ["Choose sms or voice."]}
        )
    with transaction.atomic():
        volunteer.reminder_channel = channel
        volunteer.save(update_fields=["reminder_channel", "updated_at"])
        if channel == "voice":
            domain_events.consent_answered(
                volunteer=volunteer,
                granted=True,
                method=method,
                wording=VOICE_CONSENT_WORDING,
                source_ip=source_ip,
                actor=actor if actor is not None and actor.is_authenticated else None,
                channel="voice",
            )
    return volunteer


def sms_consent_current(*, volunteer: Volunteer) -> texts.ConsentState | None:
    """The newest consent answer, or None when the volunteer never answered."""
    return texts.consent_current(volunteer_id=volunteer.pk)


LINK_WINDOW_SECONDS = 3600
LINK_CODE_DIGITS = 6


def _code_hash(*, user_id: int, phone_hash: str, code: str) -> str:
    # Bound to the account and the number: a code is worthless from another account.
    return keyed_hash(f"volunteer-link-code:{user_id}:{phone_hash}:{code}")


def _take_or_refuse(*, user: User, key: str, limit: int, what: str, ip: str | None) -> None:
    wait = counter_take(key=key, limit=limit, window_seconds=LINK_WINDOW_SECONDS)
    if wait is None:
        return
    # Audited outside any transaction of the caller's, so the refusal is kept.
    audit_record(
        actor=user, action="volunteer.link_throttled", ip_address=ip, details={"limit": what}
    )
    raise LinkThrottledError("Too many attempts; try again later.", retry_after_seconds=wait)


def volunteer_link_code_send(
    *, user: User, phone: str, language: str = Language.ENGLISH, source_ip: str | None = None
) -> None:
    """Text a one-time code to `phone` so the signed-in `user` can prove they hold it.

    Answers the same (returns None) whether or not a volunteer has that number, and whether or
    not the text could be sent, so the call cannot tell anyone who is a volunteer. Nothing about
    a volunteer is read into the answer and nothing of theirs is written. Limited per account
    and per number (429 beyond). Audited with ids only.
    """
    normalized = phone_normalize(phone)
    if Volunteer.objects.filter(user=user).exists():
        audit_record(
            actor=user,
            action="volunteer.link_refused",
            ip_address=source_ip,
            details={"reason": "account_already_linked"},
        )
        raise AlreadyLinkedError("This account is already linked to a volunteer record.")
    _take_or_refuse(
        user=user,
        key=f"link-code:user:{user.pk}",
        limit=settings.VOLUNTEER_LINK_CODES_PER_ACCOUNT,
        what="codes_per_account",
        ip=source_ip,
    )
    _take_or_refuse(
        user=user,
        key=f"link-code:phone:{normalized.hash}",
        limit=settings.VOLUNTEER_LINK_CODES_PER_NUMBER,
        what="codes_per_number",
        ip=source_ip,
    )
    code = f"{secrets.randbelow(10**LINK_CODE_DIGITS):0{LINK_CODE_DIGITS}d}"
    now = timezone.now()
    ttl = settings.VOLUNTEER_LINK_CODE_TTL_SECONDS
    with transaction.atomic():
        # One live code per account: a new request replaces the old one.
        VolunteerLinkCode.objects.filter(user=user).delete()
        row = VolunteerLinkCode.objects.create(
            user=user,
            phone_hash=normalized.hash,
            code_hash=_code_hash(user_id=user.pk, phone_hash=normalized.hash, code=code),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    volunteer_id = (
        Volunteer.objects.filter(phone_hash=normalized.hash).values_list("pk", flat=True).first()
    )
    minutes = str(max(1, ttl // 60))
    message = texts.text_now(
        kind=texts.VERIFICATION,
        phone=normalized.e164,
        phone_hash=normalized.hash,
        volunteer_id=volunteer_id,
        language=language,
        params={"code": code, "minutes": minutes},
        stored_params={"code": "******", "minutes": minutes},
    )
    audit_record(
        actor=user,
        action="volunteer.link_code_sent",
        target=row,
        ip_address=source_ip,
        details={"sms_message_id": message.message_id, "sms_status": message.status},
    )


def volunteer_link_verify(
    *,
    user: User,
    sms_consent: bool,
    phone: str = "",
    code: str = "",
    manage_token: str = "",
    name: str = "",
    consent_wording: str = DEFAULT_CONSENT_WORDING,
    language: str = Language.ENGLISH,
    source_ip: str | None = None,
) -> Volunteer:
    """Link `user` to the volunteer record of a number they proved they hold: with the code
    texted by `volunteer_link_code_send` (few tries, short-lived, compared in constant time)
    or with the volunteer's own signed manage link. Creates the record when the proven number
    has none, and records the SMS consent answer (method "app").

    Before the proof holds nothing is read back or written but the attempt count and the
    audit entry. One account per volunteer and one volunteer per account: 409 `already_linked`.
    """
    _take_or_refuse(
        user=user,
        key=f"link-verify:user:{user.pk}",
        limit=settings.VOLUNTEER_LINK_VERIFY_PER_ACCOUNT,
        what="confirmations_per_account",
        ip=source_ip,
    )
    if manage_token:
        try:
            volunteer: Volunteer | None = links.volunteer_from_token(
                manage_token, require_proven=True
            )
        except NotFoundError:
            volunteer = None
        if volunteer is None:
            _refuse_proof(
                user=user,
                source_ip=source_ip,
                proof="manage_link",
                error=ApplicationError(
                    "This link is not valid or has expired.",
                    code=ErrorCode.INVALID_LINK,
                    fields={"manage_token": ["This link is not valid or has expired."]},
                ),
            )
        proof = "manage_link"
        normalized = NormalizedPhone(
            e164=volunteer.phone, hash=volunteer.phone_hash, last4=volunteer.phone_last4
        )
    else:
        normalized = phone_normalize(phone)
        if not _code_matches(user=user, phone_hash=normalized.hash, code=code):
            _refuse_proof(
                user=user,
                source_ip=source_ip,
                proof="code",
                error=ApplicationError(
                    "This code is wrong or has expired. Ask for a new one.",
                    code=ErrorCode.INVALID_CODE,
                    fields={"code": ["Wrong or expired code."]},
                ),
            )
        proof = "code"
    try:
        volunteer = _link(
            user=user,
            phone=normalized,
            name=name,
            sms_consent=sms_consent,
            consent_wording=consent_wording,
            language=language,
            source_ip=source_ip,
        )
    except ConflictError:
        audit_record(
            actor=user,
            action="volunteer.link_refused",
            ip_address=source_ip,
            details={"reason": "already_linked", "proof": proof},
        )
        raise
    audit_record(
        actor=user,
        action="volunteer.linked",
        target=volunteer,
        ip_address=source_ip,
        details={"proof": proof},
    )
    return volunteer


def _refuse_proof(
    *, user: User, source_ip: str | None, proof: str, error: ApplicationError
) -> NoReturn:
    """A failed proof is audited (ids only) and refused with nothing written."""
    audit_record(
        actor=user, action="volunteer.link_failed", ip_address=source_ip, details={"proof": proof}
    )
    raise error


def _code_matches(*, user: User, phone_hash: str, code: str) -> bool:
    """Spend one try of the account's live code for this number; True when `code` is it.

    The row lock makes tries count exactly under concurrency; a used, expired or exhausted
    code never matches. The code row is deleted once it matched (one use)."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            VolunteerLinkCode.objects.select_for_update()
            .filter(user=user, phone_hash=phone_hash)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.expires_at <= now:
            return False
        if row.attempts >= settings.VOLUNTEER_LINK_CODE_MAX_ATTEMPTS:
            return False
        row.attempts += 1
        row.save(update_fields=["attempts"])
        given = _code_hash(user_id=user.pk, phone_hash=phone_hash, code=(code or "").strip())
        if not hmac.compare_digest(row.code_hash, given):
            return False
        row.delete()
        return True


def _link(
    *,
    user: User,
    phone: NormalizedPhone,
    name: str,
    sms_consent: bool,
    consent_wording: str,
    language: str,
    source_ip: str | None,
) -> Volunteer:
    with transaction.atomic():
        volunteer, _ = volunteer_get_or_create(
            phone=phone, name=name or user.get_full_name() or user.username, language=language
        )
        other = Volunteer.objects.filter(user=user).exclude(pk=volunteer.pk).first()
        if other is not None or (volunteer.user_id and volunteer.user_id != user.pk):
            raise AlreadyLinkedError(
                "This account or phone number is already linked to another record.",
            )
        if volunteer.user_id != user.pk:
            volunteer.user = user
            volunteer.save(update_fields=["user", "updated_at"])
            # The number is proven now: links issued before (perhaps to whoever typed the
            # number into the form first) stop working; the answer carries a fresh one.
            links.manage_links_retire(volunteer)
        sms_consent_record(
            volunteer=volunteer,
            granted=sms_consent,
            method="app",
            wording=consent_wording if sms_consent else "",
            source_ip=source_ip,
            actor=user,
        )
        return volunteer


def volunteer_manage_link_send(
    *, phone: str, language: str = Language.ENGLISH, source_ip: str | None = None
) -> None:
    """Text the volunteer with this number their signed manage link (never put in a response).

    Returns None whether or not a volunteer has the number, so the call tells nobody who is a
    volunteer; limited per number (VOLUNTEER_LINK_CODES_PER_NUMBER an hour, 429 beyond).
    """
    normalized = phone_normalize(phone)
    wait = counter_take(
        key=f"manage-link:phone:{normalized.hash}",
        limit=settings.VOLUNTEER_LINK_CODES_PER_NUMBER,
        window_seconds=LINK_WINDOW_SECONDS,
    )
    if wait is not None:
        audit_record(
            actor=None,
            action="volunteer.manage_link_throttled",
            ip_address=source_ip,
            details={"limit": "links_per_number"},
        )
        raise LinkThrottledError(
            "Too many requests for this number; try later.", retry_after_seconds=wait
        )
    volunteer = Volunteer.objects.filter(phone_hash=normalized.hash).first()
    if volunteer is None:
        audit_record(
            actor=None,
            action="volunteer.manage_link_requested",
            ip_address=source_ip,
            details={"volunteer_id": None},
        )
        return
    lang = volunteer.language or language
    message = texts.text_now(
        kind=texts.MANAGE_LINK,
        phone=volunteer.phone,
        phone_hash=volunteer.phone_hash,
        volunteer_id=volunteer.pk,
        language=lang,
        params={"url": links.manage_url_for(volunteer)},
        stored_params={"url": "(link)"},
    )
    audit_record(
        actor=None,
        action="volunteer.manage_link_requested",
        target=volunteer,
        ip_address=source_ip,
        details={"sms_message_id": message.message_id, "sms_status": message.status},
    )
