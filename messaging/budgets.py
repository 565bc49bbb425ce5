"""What each text costs at worst: its encoding and segments with the longest values it can be
given, against its budget (`SMS_SEGMENT_BUDGET`, tighter in `SEGMENT_BUDGETS`).

tests/messaging/test_templates.py renders every text of every configured language this way and
fails the build when one is over budget; `python manage.py sms_budgets` prints the table the
README shows. A new text whose template uses a new `{field}` needs that field's longest value in
`WORST_VALUES` (the test says so).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings

from backend.languages import field_languages
from messaging import catalog
from messaging.templates import (
    ADDRESS_MAX,
    PLACE_MAX,
    SAFETY_DETAIL_MAX,
    TITLE_MAX,
    encoding,
    for_language,
    format_when,
    role_name,
    segments,
)

# Catalogue names that are parts of a text (a role, a month, a check-in's detail), or words
# spoken on a call, rather than texts of their own.
PART_PREFIXES = ("role.", "weekday.", "month.", "checkin.", "incident.", "voice.")
PART_NAMES = {"when"}

# Texts held to fewer segments than the default budget: the short replies and the code.
SEGMENT_BUDGETS: dict[str, int] = {
    "help": 1,
    "no_signup": 1,
    "opted_in": 1,
    "verification": 1,
}

# A long letter that is GSM-7 in every language: worst-case values are made of it.
_WIDE = "W"


@functools.cache
def _longest_when(language: str) -> str:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # Every weekday of every month at 12:59 and 23:59 local: the widest clock of the language.
    moments = [start + timedelta(days=day, hours=hour) for day in range(366) for hour in (18, 5)]
    return max((format_when(m, "America/Chicago", language) for m in moments), key=len)


@functools.cache
def _longest_role(language: str) -> str:
    names = [name for name in catalog.names() if name.startswith("role.")]
    return max((role_name(name.removeprefix("role."), language) for name in names), key=len)


_LARGEST_ID = 2**31 - 1


def _manage_url(_language: str) -> str:
    from events.links import manage_url_for
    from events.models import Volunteer

    return manage_url_for(Volunteer(pk=_LARGEST_ID, phone_hash="f" * 64))


def _confirm_url(_language: str) -> str:
    from canvass.models import Endorsement
    from canvass.services.endorsements import confirm_url_for

    return confirm_url_for(Endorsement(pk=_LARGEST_ID))


def _event_url(_language: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/public/events/{_LARGEST_ID}"


def _longest_url(language: str) -> str:
    return max((url(language) for url in (_manage_url, _confirm_url, _event_url)), key=len)


# The longest value each `{field}` of a template can be given, per language.
WORST_VALUES: dict[str, Callable[[str], str]] = {
    "org": lambda _language: settings.SMS_ORGANIZATION_NAME,
    "event": lambda _language: _WIDE * TITLE_MAX,
    "place": lambda _language: _WIDE * PLACE_MAX,
    "when": _longest_when,
    "role": _longest_role,
    "url": _longest_url,
    # A one-time code (6 digits) or a shift's check-in code as typed back (up to 8 letters).
    "code": lambda _language: _WIDE * 8,
    # Keyword texts: a JOIN / DROP number as typed (up to 4 digits), a ZIP, and the list of
    # items, which messaging.services.keywords cuts to fit the budget when it sends (its own
    # test, tests/messaging/test_keyword_templates.py, checks five worst-case items).
    "n": lambda _language: "9999",
    "zip": lambda _language: "50309",
    "items": lambda _language: "",
    "minutes": lambda _language: "60",
    "detail": lambda _language: _WIDE * SAFETY_DETAIL_MAX,
    "address": lambda _language: _WIDE * ADDRESS_MAX,
}


# Where a text's field is narrower than the field's widest use (which link a text carries).
WORST_VALUES_OF_TEXT: dict[str, dict[str, Callable[[str], str]]] = {
    "manage_link": {"url": _manage_url},
    "endorsement_confirm": {"url": _confirm_url},
    "shift_invitation": {"url": _event_url},
}


def text_names() -> list[str]:
    """The catalogue's names that are whole texts."""
    return [
        name
        for name in catalog.names()
        if name not in PART_NAMES and not name.startswith(PART_PREFIXES)
    ]


def segment_budget(name: str) -> int:
    return min(SEGMENT_BUDGETS.get(name, settings.SMS_SEGMENT_BUDGET), settings.SMS_SEGMENT_BUDGET)


class UnknownFieldError(KeyError):
    """A template uses a `{field}` with no worst-case value in `WORST_VALUES`."""


@dataclass(frozen=True)
class WorstCase:
    name: str
    language: str  # the language asked for
    sent_in: str  # the language of the words sent (English when not translated)
    text: str
    encoding: str
    segments: int
    budget: int

    @property
    def over_budget(self) -> bool:
        return self.segments > self.budget


def worst_case(name: str, language: str) -> WorstCase:
    """`name` in `language` with every field at its longest, as it would be sent."""
    template = catalog.text(name, language)
    values: dict[str, str] = {}
    known = {**WORST_VALUES, **WORST_VALUES_OF_TEXT.get(name, {})}
    for field in catalog.fields(template):
        if field not in known:
            raise UnknownFieldError(
                f"text {name!r} uses {{{field}}}: add its longest value to "
                "messaging.budgets.WORST_VALUES"
            )
        values[field] = known[field](language)
    text = for_language(template.format(**values), language)
    return WorstCase(
        name=name,
        language=language,
        sent_in=catalog.language_of(name, language),
        text=text,
        encoding=encoding(text),
        segments=segments(text),
        budget=segment_budget(name),
    )


@functools.cache
def _cached_table(org: str, base_url: str, languages: tuple[str, ...]) -> list[WorstCase]:
    return [worst_case(name, language) for name in text_names() for language in languages]


def worst_case_table(languages: list[str] | None = None) -> list[WorstCase]:
    """Every text in every configured language (or in `languages`), at its worst."""
    chosen = tuple(languages or field_languages())
    return _cached_table(settings.SMS_ORGANIZATION_NAME, settings.PUBLIC_BASE_URL, chosen)
