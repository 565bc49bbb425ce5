"""Every message, in English and Spanish, fits in as few segments as sensible."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.links import manage_url_for
from events.models import Event, Location, Shift, Volunteer
from messaging import catalog
from messaging.models import ENDORSEMENT_KINDS, ON_REQUEST_KINDS, SAFETY_KINDS, SmsKind
from messaging.templates import (
    SAFETY_DETAIL_MAX,
    is_gsm7,
    render,
    render_safety,
    segments,
)

SIGNUP_KINDS = [
    k
    for k in SmsKind.values
    if k not in ON_REQUEST_KINDS and k not in ENDORSEMENT_KINDS and k not in SAFETY_KINDS
]
REPLY_NAMES = [
    "help",
    "confirmed",
    "cancelled",
    "no_signup",
    "opted_in",
    SmsKind.OPT_OUT_CONFIRMATION,
    "endorsed",
]


def long_shift() -> Shift:
    """Worst case: the longest title and address the templates allow, the longest role."""
    location = Location(name="X" * 200, address="1234 MARTIN LUTHER KING JR PKWY, DES MOINES")
    event = Event(
        title="Caucus night precinct captain training and phone bank",
        location=location,
        time_zone="America/Chicago",
    )
    return Shift(
        event=event, role="precinct_captain", starts_at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    )


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", SIGNUP_KINDS + REPLY_NAMES)
def test_every_message_is_gsm7_and_at_most_two_segments(settings, kind, language):
    settings.SMS_ORGANIZATION_NAME = "DontLookAway Iowa"
    text = render(kind, language, shift=long_shift())

    assert is_gsm7(text), [c for c in text if not is_gsm7(c)]
    assert segments(text) <= 2, (len(text), text)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", SAFETY_KINDS)
def test_safety_texts_are_clipped_to_two_gsm7_segments(settings, kind, language):
    settings.SMS_ORGANIZATION_NAME = "DontLookAway Iowa"
    text = render_safety(kind, language, detail="Stop knocking and meet at the library. " * 20)

    assert is_gsm7(text)
    assert segments(text) <= 2, (len(text), text)
    assert text.endswith("...") and len(text) < SAFETY_DETAIL_MAX + 40


@pytest.mark.parametrize("language", ["en", "es"])
def test_short_replies_fit_one_segment(settings, language):
    settings.SMS_ORGANIZATION_NAME = "DontLookAway Iowa"
    for name in ("help", "no_signup", "opted_in"):
        assert segments(render(name, language)) == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_one_time_code_text_fits_one_gsm7_segment(settings, language):
    settings.SMS_ORGANIZATION_NAME = "DontLookAway Iowa"
    text = render(SmsKind.VERIFICATION, language, code="012345", minutes="10")

    assert "012345" in text
    assert is_gsm7(text)
    assert segments(text) == 1, (len(text), text)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_manage_link_text_is_gsm7_and_at_most_two_segments(settings, language):
    settings.SMS_ORGANIZATION_NAME = "DontLookAway Iowa"
    settings.PUBLIC_BASE_URL = "https://field.dontlookaway-iowa.example.org"
    url = manage_url_for(Volunteer(pk=2**31 - 1, phone_hash="f" * 64))
    text = render(SmsKind.MANAGE_LINK, language, url=url)

    assert url in text
    assert is_gsm7(text)
    assert segments(text) <= 2, (len(text), text)


def test_spanish_has_every_text_of_the_english_catalogue():
    assert catalog.missing("es") == []


def test_segment_counting_follows_gsm7_and_ucs2_limits():
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 306) == 2
    assert segments("[" * 80) == 1  # extension characters take two septets
    assert segments("[" * 81) == 2
    assert segments("á" * 70) == 1  # one letter outside GSM-7 makes the message UCS-2
    assert segments("á" + "a" * 70) == 2
    assert segments("ñ" * 160) == 1  # ñ is in GSM-7


def test_spanish_dates_use_spanish_day_and_month_names():
    text = render(SmsKind.REMINDER, "es", shift=long_shift())

    assert "lun 30 nov 18:00" in text
    assert "capitan de precinto" in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_endorsement_texts_are_gsm7_and_at_most_two_segments(settings, language):
    from canvass.models import Endorsement
    from canvass.services.endorsements import confirm_url_for
    from messaging.templates import render_for_event

    settings.SMS_ORGANIZATION_NAME = "DontLookAway Iowa"
    settings.PUBLIC_BASE_URL = "https://field.dontlookaway-iowa.example.org"
    url = confirm_url_for(Endorsement(pk=2**31 - 1))
    confirmation = render(SmsKind.ENDORSEMENT_CONFIRMATION, language, url=url)
    shift = long_shift()
    invitation = render_for_event(
        SmsKind.SHIFT_INVITATION,
        language,
        event=shift.event,
        starts_at=shift.starts_at,
        url=f"{settings.PUBLIC_BASE_URL}/api/public/events/{2**31 - 1}",
    )

    for text in (confirmation, invitation):
        assert is_gsm7(text), [c for c in text if not is_gsm7(c)]
        assert segments(text) <= 2, (len(text), text)
    assert url in confirmation
