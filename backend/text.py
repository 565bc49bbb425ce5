"""The text rule: no NUL characters or lone UTF-16 surrogates (PostgreSQL cannot store them)."""

import re
from typing import Any

BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# The same rule for the OpenAPI schema (JSON Schema regex syntax).
TEXT_PATTERN = "^[^\\u0000\\uD800-\\uDFFF]*$"
# A required text (minLength >= 1): DRF strips surrounding whitespace (Python's str.strip, which
# also strips U+001C-U+001F and U+0085, unlike JSON Schema's \s) before its blank check, so a value
# of only such characters is blank too; the schema says so.
NON_BLANK_TEXT_PATTERN = (
    "^[^\\u0000\\uD800-\\uDFFF]*"
    "[^\\s\\u001C-\\u001F\\u0085\\u0000\\uD800-\\uDFFF]"
    "[^\\u0000\\uD800-\\uDFFF]*$"
)


def contains_bad_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(BAD_TEXT.search(value))
    if isinstance(value, dict):
        return any(contains_bad_text(k) or contains_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_bad_text(item) for item in value)
    return False
