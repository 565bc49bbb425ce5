"""The status screen: no immigration or citizenship status is ever written down; and free-text
survey answers, which are the same kind of data as notes, are kept apart from the others.

Notes and free-text answers are checked against CANVASS_SENSITIVE_WORDS (English and Spanish
words and phrases). The rule, on normalized tokens rather than raw text:

1. Text is cut into tokens of letters and digits (hyphens, dots, apostrophes and any spacing
   separate tokens) and each token is folded: case and accents ignored ("Ciudadanía" =
   "ciudadania").
2. Phrases from CANVASS_INNOCENT_PHRASES ("visa card", "ice cream", "illegal parking", ...) are
   blanked first, so they never flag and never join with a neighbour.
3. A listed word matches a token in any of its inflections: English plurals (-s, -es, -ies),
   -ed and -ing; Spanish plurals (-s, -es) and both genders (-o/-a, -os/-as). A phrase matches
   its tokens in a row, its last word inflected ("green cards").
4. Spacing and joins: a listed word or phrase also matches when adjacent tokens run together
   spell it ("green-card", "greencard", "un-documented", "d.a.c.a", "sinpapeles"), and a
   listed word or phrase of at least 8 letters matches as the head or tail of a compound with
   at least 4 more letters ("greencardholder", "antideportation"), so "residenciales" is fine.
5. An entry written in capitals ("ICE") is an acronym: it matches only in capitals, letters
   possibly separated ("I.C.E."), so "ice" and "Ice" are fine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings

from canvass.models import Question, QuestionKind, free_text_dump

REPHRASE_MESSAGE = "Please rephrase: do not record anyone's immigration or citizenship status."

_TOKEN = re.compile(r"[^\W_]+")
_MAX_JOINED = 4  # tokens that may run together into one listed word ("d.a.c.a")
_COMPOUND_ENTRY = 8  # letters a listed word needs to match inside a compound
_COMPOUND_REST = 4  # letters the rest of such a compound needs


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _inflections(word: str) -> set[str]:
    """The word with its English and Spanish plural, gender and simple verb endings."""
    forms = {word, word + "s"}
    if len(word) > 4 and word.endswith("es"):
        forms.add(word[:-2])  # entries written plural: papeles -> papel
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])  # illegals -> illegal
    if word.endswith(("s", "x", "z", "ch", "sh")) or word[-1] in "lnrdj":
        forms.add(word + "es")  # boxes; ilegales, deportaciones, papeles
    if word.endswith("z"):
        forms.add(word[:-1] + "ces")
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word[-1] in "oa":
        stem = word[:-1]
        forms |= {stem + "o", stem + "a", stem + "os", stem + "as"}
    if word[-1] not in "aeiou":
        forms |= {word + "ed", word + "ing"}
    elif word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    return forms


@dataclass(frozen=True)
class _Screen:
    words: frozenset[str]  # every inflection of every one-word entry
    phrases: dict[str, tuple[tuple[str, ...], ...]]  # first word -> multi-word entries
    joined: frozenset[str]  # words and phrases written as one token
    singles: frozenset[str]  # words | joined: what one token may be
    prefixes: frozenset[str]  # proper prefixes of `joined`: where a run of tokens may go on
    compounds: tuple[str, ...]  # joined forms long enough to match inside a compound
    acronyms: frozenset[str]
    acronym_prefixes: frozenset[str]
    innocent: dict[str, tuple[tuple[str, ...], ...]]  # first word -> innocent phrases
    innocent_capitals: dict[str, tuple[tuple[str, ...], ...]]


def _folded_tokens(text: str) -> list[str]:
    return [_fold(token) for token in _TOKEN.findall(text)]


@lru_cache(maxsize=8)
def _screen(entries: tuple[str, ...], innocent: tuple[str, ...]) -> _Screen:
    words: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    joined: set[str] = set()
    acronyms: set[str] = set()
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        if len(entry) >= 2 and entry.replace(" ", "").isalpha() and entry.isupper():
            acronyms.add(entry.replace(" ", ""))
            continue
        tokens = _folded_tokens(entry)
        if not tokens:
            continue
        for last in _inflections(tokens[-1]):
            form = (*tokens[:-1], last)
            joined.add("".join(form))
            if len(form) == 1:
                words.add(last)
            else:
                phrases.add(form)
    compounds = tuple(sorted(j for j in joined if len(j) >= _COMPOUND_ENTRY))
    innocent_phrases = [tuple(tokens) for phrase in innocent if (tokens := _folded_tokens(phrase))]
    return _Screen(
        words=frozenset(words),
        phrases=_by_first(phrases),
        joined=frozenset(joined),
        singles=frozenset(words | joined),
        prefixes=frozenset(j[:end] for j in joined for end in range(1, len(j))),
        compounds=compounds,
        acronyms=frozenset(acronyms),
        acronym_prefixes=frozenset(a[:end] for a in acronyms for end in range(1, len(a))),
        innocent=_by_first(innocent_phrases),
        innocent_capitals=_by_first(tuple(t.upper() for t in p) for p in innocent_phrases),
    )


def _by_first(phrases: Iterable[tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted(set(phrases)):
        index.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(found) for first, found in index.items()}


def _starts_phrase(
    tokens: list[str | None], start: int, index: dict[str, tuple[tuple[str, ...], ...]]
) -> tuple[str, ...] | None:
    first = tokens[start]
    for phrase in index.get(first, ()) if first is not None else ():
        if tuple(tokens[start : start + len(phrase)]) == phrase:
            return phrase
    return None


def _blank_innocent(
    tokens: list[str | None], index: dict[str, tuple[tuple[str, ...], ...]]
) -> None:
    for start, token in enumerate(tokens):
        if token in index:
            phrase = _starts_phrase(tokens, start, index)
            if phrase is not None:
                tokens[start : start + len(phrase)] = [None] * len(phrase)


def _joins_into(
    tokens: list[str | None], targets: frozenset[str], prefixes: frozenset[str]
) -> bool:
    """Whether a run of 2.._MAX_JOINED adjacent tokens, written together, is one of `targets`
    (runs stop as soon as they are no prefix of a target, so this stays linear)."""
    for start in range(len(tokens)):
        text = tokens[start]
        if text is None or text not in prefixes:
            continue
        for end in range(start + 1, min(start + _MAX_JOINED, len(tokens))):
            following = tokens[end]
            if following is None:
                break
            text += following
            if text in targets:
                return True
            if text not in prefixes:
                break
    return False


def _is_compound(token: str, compounds: tuple[str, ...]) -> bool:
    if len(token) < _COMPOUND_ENTRY + _COMPOUND_REST:
        return False
    return any(
        len(token) - len(head) >= _COMPOUND_REST
        and (token.startswith(head) or token.endswith(head))
        for head in compounds
    )


def _mentions(screen: _Screen, text: str) -> bool:
    if screen.acronyms and text != text.lower():
        capitals: list[str | None] = [t if t.isupper() else None for t in _TOKEN.findall(text)]
        _blank_innocent(capitals, screen.innocent_capitals)
        if any(t in screen.acronyms for t in capitals if t is not None):
            return True
        if _joins_into(capitals, screen.acronyms, screen.acronym_prefixes):
            return True
    tokens: list[str | None] = list(_TOKEN.findall(_fold(text)))
    if screen.innocent:
        _blank_innocent(tokens, screen.innocent)
    singles, compounds = screen.singles, screen.compounds
    shortest_compound = _COMPOUND_ENTRY + _COMPOUND_REST
    for token in tokens:
        if token is None:
            continue
        if token in singles:
            return True
        if len(token) >= shortest_compound and _is_compound(token, compounds):
            return True
    phrases = screen.phrases
    for start, token in enumerate(tokens):
        if token in phrases and _starts_phrase(tokens, start, phrases):
            return True
    return _joins_into(tokens, screen.joined, screen.prefixes)


def mentions_immigration_status(note: str) -> bool:
    """True when the note names someone's immigration or citizenship status (the rule above)."""
    if not note:
        return False
    screen = _screen(
        tuple(settings.CANVASS_SENSITIVE_WORDS), tuple(settings.CANVASS_INNOCENT_PHRASES)
    )
    return _mentions(screen, note)


# --- Free-text answers are notes too ----------------------------------------------------------


def answers_split(
    answers: dict[str, Any], questions: Mapping[str, Question] | None
) -> tuple[dict[str, Any], str]:
    """(choice, yes/no and scale answers, JSON text of the free-text ones) of a checked answer
    set: the second goes to the encrypted `free_text_answers` column, never to `answers`."""
    if not answers:
        return {}, ""
    kinds = {code: q.kind for code, q in (questions or {}).items()}
    free = {c: v for c, v in answers.items() if kinds.get(c) == QuestionKind.FREE_TEXT}
    if not free:
        return answers, ""
    kept = {c: v for c, v in answers.items() if c not in free}
    return kept, free_text_dump(free)


def rows_split_free_text(
    rows: list[dict[str, Any]], questions: Mapping[int, Mapping[str, Question]]
) -> None:
    """Move each validated push row's free-text answers out of `answers` (in place)."""
    for row in rows:
        script_id = row.get("script_id")
        row["answers"], row["free_text_answers"] = answers_split(
            row["answers"], questions.get(script_id) if script_id else None
        )
