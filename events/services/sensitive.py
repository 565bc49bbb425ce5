"""Sensitive events: vetting volunteers, approving or declining held signups, releasing the
address (texted by messaging through a domain event; shown on the manage link), all audited.

Approval places a held signup exactly as `signup_create` would have: under the volunteer and
then the shift row lock, confirmed while spots are left, waitlisted after, 409 `shift_full`
when the waitlist is full too; it takes the shift's next arrival position (the moment it joins
the line), so nobody already waiting is overtaken.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import NotFoundError
from events import domain_events
from events.errors import AddressNotReleasableError, SignupNotPendingError
from events.models import Signup, SignupStatus, Volunteer
from events.selectors.sensitive import address_refusal
from events.selectors.signups import signups_for_user
from events.services.signups import _check_open, _lock_shift, _place_status


def volunteer_vet(*, actor: User, volunteer: Volunteer, source_ip: str | None = None) -> Volunteer:
    """Vet a volunteer for every sensitive event (idempotent; audited when it changes)."""
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if volunteer.vetted_at is None:
            volunteer.vetted_at, volunteer.vetted_by = timezone.now(), actor
            volunteer.save(update_fields=["vetted_at", "vetted_by", "updated_at"])
            audit_record(
                actor=actor, action="volunteer.vetted", target=volunteer, ip_address=source_ip
            )
        return volunteer


def volunteer_unvet(
    *, actor: User, volunteer: Volunteer, source_ip: str | None = None
) -> Volunteer:
    """Withdraw a vetting: no address is released to the volunteer from now on (texts queued
    for them are refused when the dispatcher claims them), and new signups are held again."""
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if volunteer.vetted_at is not None:
            volunteer.vetted_at, volunteer.vetted_by = None, None
            volunteer.save(update_fields=["vetted_at", "vetted_by", "updated_at"])
            audit_record(
                actor=actor, action="volunteer.unvetted", target=volunteer, ip_address=source_ip
            )
        return volunteer


def _signup_for(actor: User, signup_id: int) -> Signup:
    signup = signups_for_user(user=actor).filter(pk=signup_id).first()
    if signup is None:
        raise NotFoundError("No such signup.")
    return signup


def signup_approve(*, actor: User, signup_id: int, source_ip: str | None = None) -> Signup:
    """Approve a held signup: the volunteer is vetted (audited) and the signup placed by the
    usual capacity rules (confirmed or waitlisted; 409 `shift_full`, nothing changed, when the
    waitlist is full). 409 `signup_not_pending` for a signup that is not held."""
    found = _signup_for(actor, signup_id)
    with transaction.atomic():
        # Lock order everywhere: volunteer, then shift (see `signup_create`).
        Volunteer.objects.select_for_update().filter(pk=found.volunteer_id).first()
        shift = _lock_shift(found.shift_id)
        signup = Signup.objects.select_related("volunteer").get(pk=found.pk)
        if signup.status != SignupStatus.PENDING:
            raise SignupNotPendingError(
                f"This signup is {signup.get_status_display().lower()}, not held for approval."
            )
        _check_open(shift, allow_private=True)
        status = _place_status(shift)
        volunteer_vet(actor=actor, volunteer=signup.volunteer, source_ip=source_ip)
        signup.volunteer.refresh_from_db()
        shift.signup_sequence += 1
        shift.save(update_fields=["signup_sequence"])
        signup.status, signup.position = status, shift.signup_sequence
        signup.confirmed_at = timezone.now() if status == SignupStatus.CONFIRMED else None
        signup.save(update_fields=["status", "position", "confirmed_at", "updated_at"])
        signup.shift = shift
        audit_record(
            actor=actor,
            action="signup.approved",
            target=signup,
            ip_address=source_ip,
            details={"event_id": shift.event_id, "status": status},
        )
        if status == SignupStatus.CONFIRMED:
            domain_events.signup_confirmed(signup)
        else:
            domain_events.signup_waitlisted(signup)
        return signup


def signup_decline(*, actor: User, signup_id: int, source_ip: str | None = None) -> Signup:
    """Decline a held signup (no text is sent; the volunteer may sign up again, held again)."""
    found = _signup_for(actor, signup_id)
    with transaction.atomic():
        shift = _lock_shift(found.shift_id)
        signup = Signup.objects.select_related("volunteer").get(pk=found.pk)
        if signup.status != SignupStatus.PENDING:
            raise SignupNotPendingError(
                f"This signup is {signup.get_status_display().lower()}, not held for approval."
            )
        signup.status, signup.cancelled_at = SignupStatus.DECLINED, timezone.now()
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        signup.shift = shift
        audit_record(
            actor=actor,
            action="signup.declined",
            target=signup,
            ip_address=source_ip,
            details={"event_id": shift.event_id},
        )
        return signup


def address_release_now(*, actor: User, signup_id: int, source_ip: str | None = None) -> Signup:
    """Text a sensitive event's address to one signup now (ahead of the scheduled text).

    409 `address_not_releasable`, nothing queued, unless the signup is confirmed, its volunteer
    vetted and the event sensitive, placed and scheduled. The request is audited here; the text
    itself is audited by messaging when it leaves.
    """
    found = _signup_for(actor, signup_id)
    with transaction.atomic():
        shift = _lock_shift(found.shift_id)
        signup = Signup.objects.select_related("volunteer").get(pk=found.pk)
        signup.shift = shift
        refusal = address_refusal(signup)
        if refusal:
            raise AddressNotReleasableError(refusal)
        audit_record(
            actor=actor,
            action="event.address_release_requested",
            target=signup,
            ip_address=source_ip,
            details={"event_id": shift.event_id},
        )
        domain_events.address_release_requested(signup)
        return signup


def address_views_record(
    *, released: Iterable[int], source_ip: str | None, channel: str = "manage_link"
) -> None:
    """Audit that the addresses of these signups were shown (one row per signup and view)."""
    for signup_id in released:
        audit_record(
            actor=None,
            action="event.address_viewed",
            target_type="events.signup",
            target_id=signup_id,
            ip_address=source_ip,
            details={"channel": channel},
        )
