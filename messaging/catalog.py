"""The texts' gettext catalogues: messaging/locale/<language>/LC_MESSAGES/sms.po (compiled .mo
files beside them, checked fresh by tests/messaging/test_catalog.py).

Every text has a name (the msgid: "reminder", "role.driver", "checkin.due"); the English
catalogue holds every name, the others what has been translated. A name missing from a
language's catalogue is sent in English (`text`), and `missing` / `fallback_report` say which.
"""

from __future__ import annotations

import functools
import gettext
import re
from dataclasses import dataclass
from pathlib import Path

from backend.languages import DEFAULT_LANGUAGE, field_languages

FIELD = re.compile(r"{(\w+)}")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "sms"


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language])
    except FileNotFoundError:
        return gettext.NullTranslations()


@functools.cache
def names() -> tuple[str, ...]:
    """Every text's name, from the English catalogue (its .po file, which lists them in order)."""
    names: list[str] = []
    for line in (LOCALE_DIR / DEFAULT_LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po").open(
        encoding="utf-8"
    ):
        if line.startswith('msgid "') and line.strip() != 'msgid ""':
            names.append(line.strip()[len('msgid "') : -1])
    return tuple(names)


def fields(template: str) -> set[str]:
    """The `{fields}` a template fills in."""
    return set(FIELD.findall(template))


def translated(name: str, language: str) -> str | None:
    """`name` in `language`'s own catalogue, or None when it has no translation there."""
    value = _translations(language).gettext(name)
    return None if value == name else value


def text(name: str, language: str) -> str:
    """The template called `name` in `language`, in English when it has no translation."""
    value = translated(name, language)
    if value is None:
        value = translated(name, DEFAULT_LANGUAGE)
    if value is None:
        raise KeyError(f"no SMS text is called {name!r} (messaging/locale/en/LC_MESSAGES/sms.po)")
    return value


def language_of(name: str, language: str) -> str:
    """The language `text(name, language)` is actually in."""
    return language if translated(name, language) is not None else DEFAULT_LANGUAGE


def missing(language: str) -> list[str]:
    """The names `language`'s catalogue does not translate (sent in English)."""
    return [name for name in names() if translated(name, language) is None]


@dataclass(frozen=True)
class LanguageCoverage:
    language: str
    translated: int
    total: int
    missing: list[str]


def fallback_report() -> list[LanguageCoverage]:
    """For every configured language: how many texts it has, and which go out in English."""
    total = len(names())
    report = []
    for language in field_languages():
        gaps = missing(language)
        report.append(LanguageCoverage(language, total - len(gaps), total, gaps))
    return report
