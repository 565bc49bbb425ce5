"""Signed "manage my signups" links: a volunteer's key to their own signups, no account needed.

The token is `django.core.signing` output (HMAC under SECRET_KEY with its own salt) carrying the
volunteer id and a fragment of their phone hash, with a timestamp. It cannot be forged, and it
cannot be edited to point at another volunteer: any change breaks the signature.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

from backend.api.errors import NotFoundError
from events.models import Volunteer

SALT = "events.volunteer-manage-link"


def manage_token_for(volunteer: Volunteer) -> str:
    return signing.dumps({"v": volunteer.pk, "h": volunteer.phone_hash[:12]}, salt=SALT)


def manage_url_for(volunteer: Volunteer) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/api/public/me/{manage_token_for(volunteer)}"


def volunteer_from_token(token: str) -> Volunteer:
    """The volunteer the token was made for; 404 for a tampered, expired or stale token."""
    max_age = timedelta(days=settings.EVENTS_MANAGE_LINK_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        raise NotFoundError("This link is not valid or has expired.", code="invalid_link") from None
    volunteer = Volunteer.objects.filter(pk=data.get("v")).first()
    if volunteer is None or volunteer.phone_hash[:12] != data.get("h"):
        raise NotFoundError("This link is not valid or has expired.", code="invalid_link")
    return volunteer
