"""The text rule: no NUL characters or lone UTF-16 surrogates (PostgreSQL cannot store them)."""

import re
from typing import Any

BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# The same rule for the OpenAPI schema (JSON Schema regex syntax).
TEXT_PATTERN = "^[^\\u0000\\uD800-\\uDFFF]*$"


def contains_bad_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(BAD_TEXT.search(value))
    if isinstance(value, dict):
        return any(contains_bad_text(k) or contains_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_bad_text(item) for item in value)
    return False
