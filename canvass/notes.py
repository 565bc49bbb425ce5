"""The note check: no immigration or citizenship status is ever written down.

Words come from CANVASS_SENSITIVE_WORDS (English and Spanish). They match as whole words,
ignoring case and accents ("Ciudadanía" matches "ciudadania"); an entry written all in capitals
of two or more letters ("ICE") is an acronym and matches only in capitals, so "ice cream" is fine.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.conf import settings

REPHRASE_MESSAGE = "Please rephrase: do not record anyone's immigration or citizenship status."


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _phrase_pattern(words: list[str]) -> str:
    return r"\s+".join(re.escape(word) for word in words)


@lru_cache(maxsize=8)
def _patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    folded, acronyms = [], []
    for entry in words:
        entry = entry.strip()
        if not entry:
            continue
        if len(entry) >= 2 and entry.isupper() and entry.isalpha():
            acronyms.append(_phrase_pattern(entry.split()))
        else:
            folded.append(_phrase_pattern(_fold(entry).split()))
    folded_re = re.compile(r"(?<!\w)(?:" + "|".join(folded) + r")(?!\w)") if folded else None
    acronym_re = re.compile(r"(?<!\w)(?:" + "|".join(acronyms) + r")(?!\w)") if acronyms else None
    return folded_re, acronym_re


def mentions_immigration_status(note: str) -> bool:
    """True when the note contains one of the configured words or phrases."""
    if not note:
        return False
    folded_re, acronym_re = _patterns(tuple(settings.CANVASS_SENSITIVE_WORDS))
    if folded_re is not None and folded_re.search(_fold(note)):
        return True
    return acronym_re is not None and acronym_re.search(note) is not None
