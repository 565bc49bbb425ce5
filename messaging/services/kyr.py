"""Know-your-rights texts: organizers keep them per language; a canvasser sends one at the
door to the person they are talking with, on that person's request.

The recipient's number is used once and never stored, not even as a keyed hash: it is checked
against the opt-out list with a hash computed in memory, sent straight through the transport
inside the request (no outbox row, no status callback), and forgotten. Nothing is logged or
audited about the send; it counts only in `KnowYourRightsSendCount` (day, language, team).
"""

from __future__ import annotations

import logging
import re
import time
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from backend.accounts.models import Membership, User
from backend.audit.services import audit_record
from backend.errors import ApplicationError, NotFoundError, RateLimitedError
from backend.sms import SmsError, send_sms, sender_key
from events.services.counters import counter_take
from events.services.volunteers import phone_normalize
from messaging.errors import RecipientOptedOutError, SmsNotSentError
from messaging.models import KnowYourRightsSendCount, KnowYourRightsText, SmsOptOut
from messaging.services.rates import rate_limit_wait
from messaging.templates import segments

logger = logging.getLogger(__name__)

LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[a-z]{2,4})?$")
MAX_SEGMENTS = 2


def kyr_texts() -> QuerySet[KnowYourRightsText]:
    """Every know-your-rights text, by language (what canvassers may send)."""
    return KnowYourRightsText.objects.order_by("language")


def kyr_text_save(*, actor: User, language: str, body: str) -> tuple[KnowYourRightsText, bool]:
    """Create or replace one language's text; 400 naming the field for a bad language code or a
    text over two SMS segments (nothing saved). Audited (the language and size only)."""
    language = (language or "").strip().lower()
    if not LANGUAGE_PATTERN.match(language):
        raise ApplicationError(
            "Unknown language code.",
            fields={"language": ["A language code such as en, es, vi or zh-hant."]},
        )
    body = (body or "").strip()
    if not body:
        raise ApplicationError("The text is empty.", fields={"body": ["This field is required."]})
    count = segments(body)
    if count > MAX_SEGMENTS:
        raise ApplicationError(
            f"The text is {count} SMS segments; at most {MAX_SEGMENTS} are allowed.",
            fields={"body": [f"At most {MAX_SEGMENTS} SMS segments (this is {count})."]},
        )
    with transaction.atomic():
        text, created = KnowYourRightsText.objects.update_or_create(
            language=language, defaults={"body": body, "updated_by": actor}
        )
        audit_record(
            actor=actor,
            action="kyr.text_saved",
            target=text,
            details={"language": language, "segments": count, "created": created},
        )
    return text, created


def _team_id_of(actor: User) -> int | None:
    return (
        Membership.objects.filter(user=actor)
        .order_by("joined_at", "id")
        .values_list("team_id", flat=True)
        .first()
    )


def _local_day() -> date:
    return timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def _count_send(*, language: str, team_id: int | None) -> None:
    day = _local_day()
    rows = KnowYourRightsSendCount.objects.filter(day=day, language=language)
    rows = rows.filter(team_id=team_id) if team_id is not None else rows.filter(team__isnull=True)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            KnowYourRightsSendCount.objects.create(
                day=day, language=language, team_id=team_id, count=1
            )
    except IntegrityError:
        # Another send created today's row between our update and our insert.
        rows.update(count=F("count") + 1)


# The canvasser is standing at a door: wait this long at most for the sender's rate (a
# broadcast may be draining it), then answer 502 and let them try again.
SENDER_WAIT_MAX_SECONDS = 5.0


def _take_sender_token() -> None:
    waited = 0.0
    while (wait := rate_limit_wait(sender=sender_key())) > 0:
        if waited + wait > SENDER_WAIT_MAX_SECONDS:
            raise SmsNotSentError("Texts are busy right now; try again in a minute.")
        time.sleep(wait)
        waited += wait


def kyr_send(*, actor: User, language: str, phone: str, requested_by_recipient: bool) -> int:
    """Text one know-your-rights text to `phone` now, on the recipient's explicit request.
    Returns the text's SMS segments.

    Refused, with nothing sent: no explicit request (400), an unknown language (404), a bad
    number (400 naming `phone`), more than KYR_SENDS_PER_HOUR_PER_CANVASSER sends in the hour
    (429; a refusal for an opted-out number counts too, so the check is no opt-out oracle), an
    opted-out number (409 `recipient_opted_out`). A provider failure is 502 `sms_not_sent`.
    """
    if requested_by_recipient is not True:
        raise ApplicationError(
            "Send this only when the person asked for it.",
            fields={"requested_by_recipient": ["Must be true: the person asked for the text."]},
        )
    text = KnowYourRightsText.objects.filter(language=(language or "").strip().lower()).first()
    if text is None:
        raise NotFoundError("No know-your-rights text in this language.")
    number = phone_normalize(phone)
    wait = counter_take(
        key=f"kyr-send:user:{actor.pk}",
        limit=settings.KYR_SENDS_PER_HOUR_PER_CANVASSER,
        window_seconds=3600,
    )
    if wait is not None:
        raise RateLimitedError(
            "Too many know-your-rights texts; try again later.", retry_after_seconds=wait
        )
    # The keyed hash lives only in this frame: compared with the opt-out list, never written.
    if SmsOptOut.objects.filter(phone_hash=number.hash).exists():
        raise RecipientOptedOutError(
            "This number opted out of our texts; show the text on your screen instead."
        )
    _take_sender_token()
    try:
        # No message id: no status callback, so the provider never reports this number back.
        send_sms(to=number.e164, body=text.body)
    except SmsError as error:
        logger.warning("kyr text not sent (%s, code %s)", type(error).__name__, error.code)
        raise SmsNotSentError("The text could not be sent; try again.") from None
    _count_send(language=text.language, team_id=_team_id_of(actor))
    return segments(text.body)
