"""The languages the campaign speaks: one list for volunteers, voters, canvassers and texts.

`FIELD_LANGUAGES` (a setting, from the environment) names them by ISO 639-1 code, English first.
English is the fallback everywhere: a text with no translation in someone's language goes out in
English (messaging/catalog.py reports what is missing).
"""

from __future__ import annotations

import unicodedata

from django.conf import settings

# Names in the language itself (what a person picks from), for every code we know how to name.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "vi": "Tiếng Việt",
    "ar": "العربية",
    "sw": "Kiswahili",
    "fr": "Français",
    "so": "Soomaali",
    "my": "မြန်မာဘာသာ",
    "ne": "नेपाली",
    "zh": "中文",
    "ht": "Kreyòl ayisyen",
    "pt": "Português",
}
DEFAULT_LANGUAGE = "en"

# What a voter file or a person may write for a language (folded: lower case, no accents).
_ALIASES: dict[str, str] = {
    "english": "en",
    "ingles": "en",
    "eng": "en",
    "spanish": "es",
    "espanol": "es",
    "castellano": "es",
    "spa": "es",
    "vietnamese": "vi",
    "tieng viet": "vi",
    "vie": "vi",
    "arabic": "ar",
    "arabe": "ar",
    "ara": "ar",
    "swahili": "sw",
    "kiswahili": "sw",
    "swa": "sw",
    "french": "fr",
    "francais": "fr",
    "frances": "fr",
    "fra": "fr",
    "fre": "fr",
    "somali": "so",
    "burmese": "my",
    "nepali": "ne",
    "chinese": "zh",
    "mandarin": "zh",
    "haitian creole": "ht",
    "kreyol": "ht",
    "portuguese": "pt",
}


def field_languages() -> list[str]:
    """The configured language codes, English first."""
    codes = [code for code in settings.FIELD_LANGUAGES if code != DEFAULT_LANGUAGE]
    return [DEFAULT_LANGUAGE, *codes]


def language_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for a ChoiceField over the configured languages."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in field_languages()]


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def language_from_text(value: str | None) -> str | None:
    """The configured code a free-text language means ("Spanish", "español", "ES", "es-MX"), or
    None when it names no configured language. Empty input gives None."""
    if not value or not value.strip():
        return None
    folded = _fold(value)
    code = _ALIASES.get(folded)
    if code is None:
        base = folded.replace("_", "-").split("-")[0]
        code = base if base in LANGUAGE_NAMES else None
    if code is None:
        code = next((c for c, name in LANGUAGE_NAMES.items() if _fold(name) == folded), None)
    return code if code in field_languages() else None
