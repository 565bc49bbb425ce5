from __future__ import annotations

from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """JSON parser; the text rule (no NUL, no lone surrogates) is applied per declared field by
    backend.api.strict, so unknown extra keys are ignored as DRF always ignores them."""
