"""Domain events that other apps (the SMS outbox) subscribe to, emitted in one place.

Services call these functions inside their `transaction.atomic` block, right after the change.
Receivers run synchronously, in the same transaction: a receiver that writes an outbox row has it
committed with the change or rolled back with it, and a receiver that raises rolls the change
back. Receivers must not do slow or outside work themselves; queue it with `transaction.on_commit`.

Subscribe once at import or app-ready time::

    from events import domain_events

    @domain_events.subscribe
    def write_outbox(event: domain_events.DomainEvent) -> None:
        if event.name == domain_events.SIGNUP_CONFIRMED:
            ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backend.accounts.models import User
    from events.models import Event, Shift, Signup, Volunteer

SIGNUP_CONFIRMED = "signup.confirmed"
SIGNUP_WAITLISTED = "signup.waitlisted"
SIGNUP_PROMOTED = "signup.promoted"
SIGNUP_CANCELLED = "signup.cancelled"
EVENT_CHANGED = "event.changed"
EVENT_CANCELLED = "event.cancelled"
SHIFT_CHANGED = "shift.changed"
CONSENT_ANSWERED = "volunteer.consent_answered"
# A sensitive event's signup held for an organizer's approval (no spot, no text by default).
SIGNUP_HELD = "signup.held"
# An organizer asked for a sensitive event's address to be texted to one signup now.
ADDRESS_RELEASE_REQUESTED = "signup.address_release_requested"


@dataclass(frozen=True)
class DomainEvent:
    """What happened. `event` is always set, `signup` for signup.*, `shift` for shift.changed;
    `changes` (event.changed, shift.changed) maps each changed field to
    {"old": ..., "new": ...} with JSON-friendly values."""

    name: str
    event: Event
    signup: Signup | None = None
    shift: Shift | None = None
    changes: dict[str, Any] = field(default_factory=dict)


Receiver = Callable[[DomainEvent], None]
_receivers: list[Receiver] = []


def subscribe(receiver: Receiver) -> Receiver:
    """Register `receiver(event)`; registering the same function twice is a no-op."""
    if receiver not in _receivers:
        _receivers.append(receiver)
    return receiver


def unsubscribe(receiver: Receiver) -> None:
    if receiver in _receivers:
        _receivers.remove(receiver)


def receivers() -> list[Receiver]:
    return list(_receivers)


def _emit(event: DomainEvent) -> None:
    for receiver in list(_receivers):
        receiver(event)


def signup_confirmed(signup: Signup) -> None:
    _emit(DomainEvent(SIGNUP_CONFIRMED, event=signup.shift.event, signup=signup))


def signup_waitlisted(signup: Signup) -> None:
    _emit(DomainEvent(SIGNUP_WAITLISTED, event=signup.shift.event, signup=signup))


def signup_promoted(signup: Signup) -> None:
    _emit(DomainEvent(SIGNUP_PROMOTED, event=signup.shift.event, signup=signup))


def signup_cancelled(signup: Signup) -> None:
    _emit(DomainEvent(SIGNUP_CANCELLED, event=signup.shift.event, signup=signup))


def signup_held(signup: Signup) -> None:
    _emit(DomainEvent(SIGNUP_HELD, event=signup.shift.event, signup=signup))


def address_release_requested(signup: Signup) -> None:
    _emit(DomainEvent(ADDRESS_RELEASE_REQUESTED, event=signup.shift.event, signup=signup))


def event_changed(event: Event, changes: dict[str, Any]) -> None:
    _emit(DomainEvent(EVENT_CHANGED, event=event, changes=changes))


def event_cancelled(event: Event) -> None:
    _emit(DomainEvent(EVENT_CANCELLED, event=event))


def shift_changed(shift: Shift, changes: dict[str, Any]) -> None:
    _emit(DomainEvent(SHIFT_CHANGED, event=shift.event, shift=shift, changes=changes))


# --- Consent answers ------------------------------------------------------------------------
# A volunteer's answer to "may we text you?" (at signup, on linking an account). Its own
# receivers, called the same way (synchronously, in the caller's transaction): the SMS consent
# ledger records it, and a receiver that raises rolls the change back.


@dataclass(frozen=True)
class ConsentAnswered:
    """`method` says how the answer came in: web, app, sms, organizer or door."""

    volunteer: Volunteer
    granted: bool
    method: str
    wording: str = ""
    source_ip: str | None = None
    actor: User | None = None
    # "sms" (texts) or "voice" (reminder calls): each channel has its own answers.
    channel: str = "sms"
    name: str = CONSENT_ANSWERED


ConsentReceiver = Callable[[ConsentAnswered], None]
_consent_receivers: list[ConsentReceiver] = []


def subscribe_consent(receiver: ConsentReceiver) -> ConsentReceiver:
    """Register `receiver(answer)`; registering the same function twice is a no-op."""
    if receiver not in _consent_receivers:
        _consent_receivers.append(receiver)
    return receiver


def unsubscribe_consent(receiver: ConsentReceiver) -> None:
    if receiver in _consent_receivers:
        _consent_receivers.remove(receiver)


def consent_answered(
    *,
    volunteer: Volunteer,
    granted: bool,
    method: str,
    wording: str = "",
    source_ip: str | None = None,
    actor: User | None = None,
    channel: str = "sms",
) -> None:
    answer = ConsentAnswered(
        volunteer=volunteer,
        granted=granted,
        method=method,
        wording=wording,
        source_ip=source_ip,
        actor=actor,
        channel=channel,
    )
    for receiver in list(_consent_receivers):
        receiver(answer)
