"""Signups: capacity under concurrency, the waitlist, overlaps, cancellations and attendance.

Capacity holds because every change to a shift's signups first locks the shift row
(`SELECT ... FOR UPDATE`): signups to one shift are decided one at a time, in the order they
acquire the lock, and `Shift.signup_sequence` records that order as each signup's `position`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import ApplicationError, NotFoundError
from events import domain_events, links
from events.errors import (
    AlreadySignedUpError,
    EventClosedError,
    NotCancellableError,
    NotMarkableError,
    ShiftCancelledError,
    ShiftFullError,
    ShiftOverlapError,
    ShiftPastError,
)
from events.models import (
    ACTIVE_STATUSES,
    SPOT_HOLDING_STATUSES,
    Event,
    EventStatus,
    Language,
    Shift,
    ShiftStatus,
    Signup,
    SignupSource,
    SignupStatus,
    Volunteer,
)
from events.selectors.schedule import events_for_user, public_shift
from events.selectors.signups import roster, roster_csv_rows
from events.services.volunteers import (
    DEFAULT_CONSENT_WORDING,
    phone_normalize,
    sms_consent_current,
    sms_consent_record,
    volunteer_get_or_create,
)

# How a consent answer came in (the consent ledger's methods), per signup source.
CONSENT_METHOD_FOR_SOURCE: dict[str, str] = {
    SignupSource.WEB: "web",
    SignupSource.APP: "app",
    SignupSource.SMS: "sms",
    SignupSource.ORGANIZER: "organizer",
}


@dataclass(frozen=True)
class SignupOutcome:
    signup: Signup
    volunteer: Volunteer
    volunteer_created: bool


def _shift_summary(shift: Shift) -> dict[str, object]:
    return {
        "id": shift.pk,
        "event_id": shift.event_id,
        "event_title": shift.event.title,
        "role": shift.role,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
    }


def _lock_shift(shift_id: int) -> Shift:
    try:
        return (
            Shift.objects.select_for_update(of=("self",)).select_related("event").get(pk=shift_id)
        )
    except Shift.DoesNotExist:
        raise NotFoundError("No such shift.") from None


def _check_open(shift: Shift, *, allow_private: bool) -> None:
    event = shift.event
    if event.status == EventStatus.CANCELLED or shift.status == ShiftStatus.CANCELLED:
        raise ShiftCancelledError("This shift was cancelled.")
    if event.status != EventStatus.SCHEDULED:
        raise EventClosedError("This event is over.")
    if not event.is_public and not allow_private:
        # Private events are invisible to the public: the same answer as an unknown shift.
        raise NotFoundError("No such shift.")
    if shift.starts_at <= timezone.now():
        raise ShiftPastError("This shift has already started.")


def _overlapping(volunteer: Volunteer, shift: Shift) -> Signup | None:
    return (
        Signup.objects.filter(
            volunteer=volunteer,
            status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.PENDING),
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
            shift__status=ShiftStatus.SCHEDULED,
            shift__event__status=EventStatus.SCHEDULED,
        )
        .exclude(shift=shift)
        .select_related("shift__event")
        .order_by("shift__starts_at")
        .first()
    )


def _spots_taken(shift: Shift) -> int:
    return shift.signups.filter(status__in=SPOT_HOLDING_STATUSES).count()


def _place_status(shift: Shift) -> str:
    """Confirmed while spots are left, waitlisted after; 409 `shift_full` when the waitlist is
    full too. The caller holds the shift lock."""
    if _spots_taken(shift) < shift.capacity:
        return SignupStatus.CONFIRMED
    waiting = shift.signups.filter(status=SignupStatus.WAITLISTED).count()
    if shift.waitlist_limit is not None and waiting >= shift.waitlist_limit:
        raise ShiftFullError(
            "This shift and its waitlist are full.",
            extra={"shift": _shift_summary(shift)},
        )
    return SignupStatus.WAITLISTED


def signup_create(
    *,
    shift_id: int,
    name: str,
    phone: str,
    sms_consent: bool,
    source: str = SignupSource.WEB,
    consent_wording: str = DEFAULT_CONSENT_WORDING,
    email: str = "",
    zip_code: str = "",
    language: str = Language.ENGLISH,
    source_ip: str | None = None,
    actor: User | None = None,
    allow_private: bool = False,
    name_other_shift: bool = True,
) -> SignupOutcome:
    """Sign someone up for a shift: confirmed while spots are left, waitlisted after; on a
    sensitive event, a volunteer no organizer has vetted is held (`pending`, no spot) for
    approval and signup.held is emitted instead.

    The volunteer is found by phone number or created; the SMS consent answer is appended to
    the consent ledger either way. Refuses (4xx, nothing stored) an invalid phone, a cancelled,
    past or closed shift, a private event unless `allow_private`, a second active signup for the
    same shift (409 `already_signed_up`), an overlapping shift (409 `shift_overlap`) and a full
    waitlist (409 `shift_full`). Emits signup.confirmed or signup.waitlisted.

    `name_other_shift=False` (the public form, where anyone may type a known number) keeps the
    overlap refusal's code but names nothing of the other signup: where and when someone will
    be is not unlocked by knowing their number. Staff (`actor`) see it only when they may see
    its event.
    """
    normalized = phone_normalize(phone)
    if not name.strip():
        raise ApplicationError("Name is required.", fields={"name": ["This field is required."]})
    with transaction.atomic():
        # Lock order everywhere: volunteer, then shift. One volunteer's signups serialize on the
        # volunteer row (so two overlapping signups cannot both pass the overlap check) and one
        # shift's signups serialize on the shift row (so capacity holds).
        volunteer, created = volunteer_get_or_create(
            phone=normalized, name=name, email=email, zip_code=zip_code, language=language
        )
        shift = _lock_shift(shift_id)
        _check_open(shift, allow_private=allow_private)
        existing = Signup.objects.filter(
            shift=shift, volunteer=volunteer, status__in=ACTIVE_STATUSES
        ).first()
        if existing is not None:
            raise AlreadySignedUpError(
                "You are already signed up for this shift.",
                extra={"signup": {"id": existing.pk, "status": existing.status}},
            )
        other = _overlapping(volunteer, shift)
        if other is not None and actor is not None and name_other_shift:
            # Staff see the other shift only when they may see its event (another team's is
            # a 404 everywhere else).
            name_other_shift = events_for_user(user=actor).filter(pk=other.shift.event_id).exists()
        if other is not None and not name_other_shift:
            raise ShiftOverlapError(
                "This shift overlaps another shift this number is signed up for.",
            )
        if other is not None:
            raise ShiftOverlapError(
                f"This shift overlaps your {other.shift.get_role_display().lower()} shift at "
                f"“{other.shift.event.title}” (shift {other.shift_id}, "
                f"{other.shift.starts_at.isoformat()} to {other.shift.ends_at.isoformat()}).",
                extra={"other_shift": _shift_summary(other.shift)},
            )
        status: str
        if shift.event.is_sensitive and volunteer.vetted_at is None:
            # Held for an organizer: no spot is taken until it is approved (`signup_approve`
            # then places it by the rules below, under this same lock).
            status = SignupStatus.PENDING
        else:
            status = _place_status(shift)
        shift.signup_sequence += 1
        shift.save(update_fields=["signup_sequence"])
        now = timezone.now()
        signup = Signup.objects.create(
            shift=shift,
            volunteer=volunteer,
            status=status,
            source=source,
            position=shift.signup_sequence,
            confirmed_at=now if status == SignupStatus.CONFIRMED else None,
        )
        current = None if created else sms_consent_current(volunteer=volunteer)
        # Anyone may type a known number into the public form (no actor): its answer may
        # withdraw consent, never overturn a withdrawal already on record.
        overturns = actor is None and sms_consent and current is not None and not current.granted
        if not overturns:
            sms_consent_record(
                volunteer=volunteer,
                granted=sms_consent,
                method=CONSENT_METHOD_FOR_SOURCE.get(source, "web"),
                wording=consent_wording if sms_consent else "",
                source_ip=source_ip,
                actor=actor,
            )
        if not created:
            # Made without the record's manage link: links issued before now must not show it.
            links.manage_links_retire(volunteer)
        if status == SignupStatus.CONFIRMED:
            domain_events.signup_confirmed(signup)
        elif status == SignupStatus.PENDING:
            domain_events.signup_held(signup)
        else:
            domain_events.signup_waitlisted(signup)
        return SignupOutcome(signup=signup, volunteer=volunteer, volunteer_created=created)


@dataclass(frozen=True)
class PublicSignupOutcome:
    signup: Signup
    manage_token: str | None
    manage_url: str | None


def public_signup_create(
    *, shift_id: int, source_ip: str | None, **fields: Any
) -> PublicSignupOutcome:
    """A signup from the public form: `signup_create` on a public shift only (404 "No such
    shift." for a private or unknown one), never naming the other shift of an overlap.

    The manage link shows every signup of that number and cancels them: it is handed only to
    whoever made the record just now (anyone may type a known number into the form); everyone
    else gets None and asks for the link by text.
    """
    if public_shift(shift_id=shift_id) is None:
        raise NotFoundError("No such shift.")
    outcome = signup_create(
        shift_id=shift_id, source_ip=source_ip, name_other_shift=False, **fields
    )
    created = outcome.volunteer_created
    return PublicSignupOutcome(
        signup=outcome.signup,
        manage_token=links.manage_token_for(outcome.volunteer, proven=False) if created else None,
        manage_url=links.manage_url_for(outcome.volunteer, proven=False) if created else None,
    )


def waitlist_promote(*, shift: Shift) -> list[Signup]:
    """Confirm waitlisted signups in arrival order while spots are free. Caller holds the lock."""
    promoted: list[Signup] = []
    free = shift.capacity - _spots_taken(shift)
    if free <= 0:
        return promoted
    now = timezone.now()
    waiting = list(
        shift.signups.filter(status=SignupStatus.WAITLISTED)
        .select_related("volunteer")
        .order_by("position")[:free]
    )
    for signup in waiting:
        signup.status = SignupStatus.CONFIRMED
        signup.confirmed_at = now
        signup.save(update_fields=["status", "confirmed_at", "updated_at"])
        signup.shift = shift
        domain_events.signup_promoted(signup)
        promoted.append(signup)
    return promoted


def signup_cancel(
    *, signup_id: int, volunteer: Volunteer | None = None, actor: User | None = None
) -> Signup:
    """Cancel a confirmed or waitlisted signup; a freed spot goes to the first waitlisted.

    With `volunteer`, only that volunteer's own signup can be cancelled (others are 404).
    Emits signup.cancelled, then signup.promoted for whoever moved up, in this transaction.
    """
    with transaction.atomic():
        shift_id = Signup.objects.filter(pk=signup_id).values_list("shift_id", flat=True).first()
        if shift_id is None:
            raise NotFoundError("No such signup.")
        shift = _lock_shift(shift_id)
        signup = Signup.objects.select_related("volunteer").get(pk=signup_id)
        if volunteer is not None and signup.volunteer_id != volunteer.pk:
            raise NotFoundError("No such signup.")
        if signup.status not in (
            SignupStatus.CONFIRMED,
            SignupStatus.WAITLISTED,
            SignupStatus.PENDING,
        ):
            raise NotCancellableError(
                f"A signup that is {signup.get_status_display().lower()} cannot be cancelled.",
            )
        signup.status = SignupStatus.CANCELLED
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        signup.shift = shift
        domain_events.signup_cancelled(signup)
        if shift.status == ShiftStatus.SCHEDULED and shift.event.status == EventStatus.SCHEDULED:
            waitlist_promote(shift=shift)
        return signup


ATTENDANCE_STATUSES = (SignupStatus.ATTENDED, SignupStatus.NO_SHOW, SignupStatus.CONFIRMED)


def signups_mark_attendance(
    *, actor: User | None, signups: Iterable[Signup], status: str
) -> list[Signup]:
    """Check people in (attended), mark no-shows, or undo (back to confirmed); all or nothing.

    `signups` must already be scoped to what the actor may manage; `actor` None is the
    volunteer checking themself in by text (their own signup, found by their number). Only confirmed, attended or
    no-show signups can be marked; a waitlisted or cancelled one refuses the whole batch (409).
    """
    if status not in ATTENDANCE_STATUSES:
        raise ApplicationError(
            "Status must be attended, no_show or confirmed.",
            fields={"status": ["Must be attended, no_show or confirmed."]},
        )
    ids = sorted({signup.pk for signup in signups})
    with transaction.atomic():
        locked = list(Signup.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        wrong = [s.pk for s in locked if s.status not in SPOT_HOLDING_STATUSES]
        if wrong:
            raise NotMarkableError(
                "Only confirmed signups can be checked in or marked as no-shows.",
                extra={"signup_ids": wrong},
            )
        now = timezone.now()
        for signup in locked:
            signup.status = status
            signup.checked_in_at = now if status == SignupStatus.ATTENDED else None
            signup.attendance_marked_by = actor
            signup.save(
                update_fields=["status", "checked_in_at", "attendance_marked_by", "updated_at"]
            )
        return locked


def event_attendance_mark(
    *, actor: User, event: Event, signup_ids: Iterable[int], status: str
) -> list[Signup]:
    """`signups_mark_attendance` for many signups of one event the actor may manage; 404 (with
    the `signup_ids` that are not) unless every one is part of it, and then nothing is marked."""
    ids = set(signup_ids)
    found = list(roster(user=actor, event_id=event.pk, signup_ids=ids))
    missing = sorted(ids - {signup.pk for signup in found})
    if missing:
        raise NotFoundError(
            "Some signups are not part of this event.", extra={"signup_ids": missing}
        )
    return signups_mark_attendance(actor=actor, signups=found, status=status)


def event_roster_export(*, actor: User, event: Event, source_ip: str | None) -> Iterator[list[Any]]:
    """The event's roster as CSV rows (`ROSTER_CSV_COLUMNS`), the export recorded in the audit
    trail (with its size) before the first row is read."""
    entries = roster(user=actor, event_id=event.pk)
    audit_record(
        actor=actor,
        action="event.roster_export",
        target=event,
        ip_address=source_ip,
        details={"signups": entries.count()},
    )
    return roster_csv_rows(entries)
