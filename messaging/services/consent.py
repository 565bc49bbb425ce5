"""The SMS consent ledger: answers are appended, never edited; the newest one is the state."""

from __future__ import annotations

from django.utils import timezone

from backend.accounts.models import User
from backend.errors import ApplicationError
from events import domain_events
from events.models import Volunteer
from messaging.models import Channel, ConsentMethod, SmsConsent


def consent_record(
    *,
    volunteer: Volunteer,
    granted: bool,
    method: str,
    wording: str = "",
    source_ip: str | None = None,
    actor: User | None = None,
    channel: str = Channel.SMS,
) -> SmsConsent:
    """Append one consent entry (given or withdrawn); the newest entry is the current state."""
    if method not in ConsentMethod.values:
        raise ApplicationError("Unknown consent method.", fields={"method": ["Unknown method."]})
    return SmsConsent.objects.create(
        volunteer=volunteer,
        channel=channel,
        granted=granted,
        method=method,
        wording=wording,
        source_ip=source_ip,
        actor=actor if actor is not None and actor.is_authenticated else None,
        recorded_at=timezone.now(),
    )


def consent_on_answer(answer: domain_events.ConsentAnswered) -> None:
    """Record a consent answer given in the events app (subscribed in `messaging.apps`)."""
    consent_record(
        volunteer=answer.volunteer,
        granted=answer.granted,
        method=answer.method,
        wording=answer.wording,
        source_ip=answer.source_ip,
        actor=answer.actor,
        channel=answer.channel,
    )
