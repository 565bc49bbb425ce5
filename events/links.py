"""Signed "manage my signups" links: a volunteer's key to their own signups, no account needed.

The token is `django.core.signing` output (HMAC under SECRET_KEY with its own salt) carrying the
volunteer id and a fragment of their phone hash, with a timestamp. It cannot be forged, and it
cannot be edited to point at another volunteer: any change breaks the signature.

A token also carries the record's link generation (`g`). Anyone who types a new number into
the public form gets that record's first link, so someone could register another person's number
before they do and keep the link. So whenever a signup is made for an existing record without
its link (the public form again, or staff on the person's behalf), every link issued before
that moment stops working (`Volunteer.manage_link_generation` moves on): a link never shows a signup
made after its holder stopped being the only one using the number. The owner gets a fresh link
by text (`POST /api/public/manage-link`).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

from events.errors import InvalidLinkError
from events.models import Volunteer

SALT = "events.volunteer-manage-link"


def manage_token_for(volunteer: Volunteer, *, proven: bool = True) -> str:
    """`proven=False` for a link handed to whoever typed the number (the public signup answer):
    it opens the record but is no proof of owning the number (linking an account needs one)."""
    payload = {"v": volunteer.pk, "h": volunteer.phone_hash[:12]}
    if volunteer.manage_link_generation:
        payload["g"] = volunteer.manage_link_generation
    if not proven:
        payload["p"] = 0
    return signing.dumps(payload, salt=SALT)


def manage_links_retire(volunteer: Volunteer) -> None:
    """Every link issued until now stops working (the caller holds the volunteer's row lock)."""
    volunteer.manage_link_generation += 1
    volunteer.save(update_fields=["manage_link_generation"])


def manage_url_for(volunteer: Volunteer, *, proven: bool = True) -> str:
    return manage_url_from_token(manage_token_for(volunteer, proven=proven))


def manage_url_from_token(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/api/public/me/{token}"


def volunteer_from_token(token: str, *, require_proven: bool = False) -> Volunteer:
    """The volunteer the token was made for; 404 for a tampered, expired or stale token (and,
    with `require_proven`, for a link that only went to whoever typed the number)."""
    max_age = timedelta(days=settings.EVENTS_MANAGE_LINK_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        raise InvalidLinkError("This link is not valid or has expired.") from None
    volunteer = Volunteer.objects.filter(pk=data.get("v")).first()
    if volunteer is None or volunteer.phone_hash[:12] != data.get("h"):
        raise InvalidLinkError("This link is not valid or has expired.")
    if require_proven and data.get("p", 1) == 0:
        raise InvalidLinkError("This link is not valid or has expired.")
    if data.get("g", 0) != volunteer.manage_link_generation:
        raise InvalidLinkError("This link is not valid or has expired.")
    return volunteer
