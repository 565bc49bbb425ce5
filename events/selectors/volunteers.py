"""Reads of volunteers: who staff may see, an account's own record, the signed-link page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from backend.accounts.models import Role, User
from backend.errors import NotFoundError
from events import links
from events.models import Signup, Volunteer
from events.selectors.signups import signups_for_user, signups_for_volunteer
from events.services.volunteers import sms_consent_current


def volunteers_for_user(*, user: User) -> QuerySet[Volunteer]:
    """Volunteers with a signup on an event the user may manage (organizers: everyone)."""
    if user.role == Role.ORGANIZER:
        return Volunteer.objects.all()
    return Volunteer.objects.filter(pk__in=signups_for_user(user=user).values("volunteer_id"))


def _sms_consent_granted(volunteer: Volunteer) -> bool:
    consent = sms_consent_current(volunteer=volunteer)
    return bool(consent and consent.granted)


@dataclass(frozen=True)
class VolunteerProfile:
    """A volunteer record as its own account sees it."""

    id: int
    name: str
    phone_last4: str
    language: str
    sms_consent: bool
    signups: QuerySet[Signup]
    manage_url: str


def volunteer_profile(*, volunteer: Volunteer) -> VolunteerProfile:
    """The record linked to an account, with its signups and its (proven) manage link."""
    return VolunteerProfile(
        id=volunteer.pk,
        name=volunteer.name,
        phone_last4=volunteer.phone_last4,
        language=volunteer.language,
        sms_consent=_sms_consent_granted(volunteer),
        signups=signups_for_volunteer(volunteer=volunteer),
        manage_url=links.manage_url_for(volunteer),
    )


def volunteer_for_account(*, user: User) -> Volunteer:
    """The user's own linked volunteer record, or 404 when none is linked."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise NotFoundError("No volunteer record is linked to this account.")
    return volunteer


def volunteer_profile_for_account(*, user: User) -> VolunteerProfile:
    """The user's own linked volunteer record, or 404 when none is linked."""
    return volunteer_profile(volunteer=volunteer_for_account(user=user))


@dataclass(frozen=True)
class VolunteerPage:
    """What a signed manage link shows: the volunteer's own signups and a calendar link."""

    name: str
    phone_last4: str
    sms_consent: bool
    signups: QuerySet[Signup]
    calendar_url: str


def volunteer_page(*, token: str) -> VolunteerPage:
    """The page behind a manage link (404 `invalid_link` for a bad, expired or stale one)."""
    volunteer = links.volunteer_from_token(token)
    return VolunteerPage(
        name=volunteer.name,
        phone_last4=volunteer.phone_last4,
        sms_consent=_sms_consent_granted(volunteer),
        signups=signups_for_volunteer(volunteer=volunteer),
        # The same token: a link that is no proof of the number never becomes one.
        calendar_url=f"{links.manage_url_from_token(token)}/calendar.ics",
    )
