"""The keyword texts, in English and Spanish, with worst-case values: GSM-7, two segments at
most; a list of shifts is cut to fit, never sent as a third segment."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from events.models import Event, Location, Shift
from events.models.schedule import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH
from messaging import catalog
from messaging.services.keywords import _fit_list
from messaging.templates import is_gsm7, render, segments

KEYWORD_TEXTS = [name for name in catalog.names() if name.startswith("keywords.")]
# The longest values a keyword text is given: a JOIN/DROP number and a HERE code are typed by
# the person (JOIN takes up to four digits that are not a ZIP code; HERE up to eight letters).
WORST = {"n": "9999", "code": "W" * 8, "zip": "50309", "items": ""}


def long_shift(day: int = 0) -> Shift:
    location = Location(name="X" * 200, address="1234 MARTIN LUTHER KING JR PKWY, DES MOINES")
    event = Event(
        title="Caucus night precinct captain training and phone bank",
        location=location,
        time_zone="America/Chicago",
    )
    return Shift(
        event=event,
        role="precinct_captain",
        starts_at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC) + timedelta(days=day),
        short_code="W" * SHORT_CODE_LENGTH,
    )


@pytest.fixture(autouse=True)
def long_org(settings):
    settings.SMS_ORGANIZATION_NAME = "DontLookAway Iowa"


def test_every_keyword_text_is_in_the_english_and_spanish_catalogues():
    assert len(KEYWORD_TEXTS) >= 25
    assert [name for name in KEYWORD_TEXTS if catalog.translated(name, "es") is None] == []


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", KEYWORD_TEXTS)
def test_every_keyword_text_is_gsm7_and_at_most_two_segments(name, language):
    text = render(name, language, shift=long_shift(), **WORST)

    assert is_gsm7(text), [c for c in text if not is_gsm7(c)]
    assert segments(text) <= 2, (len(text), text)
    assert "{" not in text


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("name", "item"),
    [
        ("keywords.shifts_list", "keywords.shift_item_full"),
        ("keywords.shifts_list_anywhere", "keywords.shift_item_full"),
        ("keywords.my_list", "keywords.my_item_pending"),
        ("keywords.my_list", "keywords.my_item"),
    ],
)
def test_a_list_of_five_worst_case_items_is_cut_to_two_segments(name, item, language):
    items = [
        render(item, language, shift=long_shift(day), n=str(day + 1), **{"code": "W" * 8})
        for day in range(5)
    ]

    text, count = _fit_list(name, language, items, zip="50309")

    assert 1 <= count < 5
    assert is_gsm7(text) and segments(text) <= 2
    assert f"{count}) " in text and f"{count + 1}) " not in text


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["confirmation", "promoted", "reminder"])
def test_the_shift_texts_carry_the_check_in_code_within_two_segments(kind, language):
    shift = long_shift()
    text = render(kind, language, shift=shift)

    assert f" {shift.short_code}." in text
    assert is_gsm7(text) and segments(text) <= 2, (len(text), text)


def test_a_check_in_code_is_short_and_made_of_letters_and_digits_that_cannot_be_confused():
    codes = {Shift().short_code for _ in range(200)}

    assert len(codes) > 190
    assert all(re.fullmatch(f"[{SHORT_CODE_ALPHABET}]{{{SHORT_CODE_LENGTH}}}", c) for c in codes)
    assert not set("0O1IL2Z5S8B") & set(SHORT_CODE_ALPHABET)
