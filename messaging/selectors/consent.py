"""Reads of the SMS consent ledger: the one place the newest answer per volunteer is queried."""

from __future__ import annotations

from collections.abc import Iterable

from messaging.models import SmsConsent


def consents_latest(*, volunteer_ids: Iterable[int | None]) -> dict[int, SmsConsent]:
    """The newest consent entry of each volunteer that has one (one query for any number)."""
    ids = {volunteer_id for volunteer_id in volunteer_ids if volunteer_id is not None}
    latest: dict[int, SmsConsent] = {}
    if not ids:
        return latest
    for consent in SmsConsent.objects.filter(volunteer_id__in=ids).order_by(
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
