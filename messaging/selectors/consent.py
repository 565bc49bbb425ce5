"""Reads of the SMS consent ledger: the one place the newest answer per volunteer is queried."""

from __future__ import annotations

from collections.abc import Iterable

from messaging.models import Channel, SmsConsent


def consents_latest(
    *, volunteer_ids: Iterable[int | None], channel: str = Channel.SMS
) -> dict[int, SmsConsent]:
    """The newest consent entry of each volunteer that has one, for texts or for calls (one
    query for any number)."""
    ids = {volunteer_id for volunteer_id in volunteer_ids if volunteer_id is not None}
    latest: dict[int, SmsConsent] = {}
    if not ids:
        return latest
    for consent in SmsConsent.objects.filter(volunteer_id__in=ids, channel=channel).order_by(
        "volunteer_id", "-recorded_at", "-id"
    ):
        latest.setdefault(consent.volunteer_id, consent)
    return latest


def consent_latest(*, volunteer_id: int | None) -> SmsConsent | None:
    """The volunteer's newest consent entry, or None when they never answered."""
    if volunteer_id is None:
        return None
    return consents_latest(volunteer_ids=[volunteer_id]).get(volunteer_id)


def has_consent(volunteer_id: int | None) -> bool:
    """True when the volunteer's newest answer is a yes."""
    latest = consent_latest(volunteer_id=volunteer_id)
    return bool(latest and latest.granted)


def has_voice_consent(volunteer_id: int | None) -> bool:
    """True unless the volunteer stopped reminder calls (the newest voice entry is a no).
    Choosing voice reminders records a yes; no voice entry at all means the SMS answer holds."""
    if volunteer_id is None:
        return False
    latest = consents_latest(volunteer_ids=[volunteer_id], channel=Channel.VOICE).get(volunteer_id)
    return latest.granted if latest is not None else has_consent(volunteer_id)
