from __future__ import annotations

import codecs
import math
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # "1e400" parses as infinity, which no column can store
        raise ValueError(f"Number out of range: {text[:40]}")
    return value


class StrictJSONParser(JSONParser):
    """JSON parser; the text rule (no NUL, no lone surrogates) is applied per declared field by
    the strict serializer bases (backend.api.serializers), so unknown extra keys are ignored as
    DRF always ignores them. Numbers
    too large for a float (`1e400`) are a parse error, as NaN and Infinity already are."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded_stream: Any = codecs.getreader(encoding)(stream)
            return json.load(
                decoded_stream, parse_constant=_refuse_constant, parse_float=_finite_float
            )
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
