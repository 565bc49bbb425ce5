"""Transitional: the strict rules applied to every DRF serializer by patching DRF at start-up.

The rules themselves live in `backend.api.serializers` (`StrictSerializer`,
`StrictModelSerializer`), which every serializer is to derive from; until every app does,
`install()` (called from `ApiConfig.ready`) applies the same rule functions to all of DRF.
Once the apps use the bases, this module and its call are deleted.
"""

from __future__ import annotations

from typing import Any

from rest_framework import fields as drf_fields
from rest_framework import serializers

from backend.api.serializers import (
    bigint_problem,
    datetime_year_problem,
    raw_body_problems,
)
from backend.api.times import datetime_text_problem

# DRF's own methods, kept so tests can undo the patch and check the bases on their own.
ORIGINALS: dict[tuple[type, str], Any] = {
    (serializers.Serializer, "to_internal_value"): serializers.Serializer.to_internal_value,
    (drf_fields.DateTimeField, "to_internal_value"): drf_fields.DateTimeField.to_internal_value,
    (drf_fields.IntegerField, "to_internal_value"): drf_fields.IntegerField.to_internal_value,
}
_original_to_internal_value = serializers.Serializer.to_internal_value
_original_datetime_to_internal_value = drf_fields.DateTimeField.to_internal_value
_original_integer_to_internal_value = drf_fields.IntegerField.to_internal_value


def _strict_to_internal_value(self: serializers.Serializer, data: Any) -> Any:
    errors = raw_body_problems(self, data)
    if errors:
        raise serializers.ValidationError(errors)
    return _original_to_internal_value(self, data)


def _bounded_datetime(self: drf_fields.DateTimeField, value: Any) -> Any:
    problem = datetime_text_problem(value)
    if problem:
        raise serializers.ValidationError(problem)
    parsed = _original_datetime_to_internal_value(self, value)
    problem = datetime_year_problem(parsed)
    if problem:
        raise serializers.ValidationError(problem)
    return parsed


def _bigint(self: drf_fields.IntegerField, data: Any) -> int:
    value = _original_integer_to_internal_value(self, data)
    problem = bigint_problem(value)
    if problem:
        raise serializers.ValidationError(problem)
    return value


PATCHES: dict[tuple[type, str], Any] = {
    (serializers.Serializer, "to_internal_value"): _strict_to_internal_value,
    (drf_fields.DateTimeField, "to_internal_value"): _bounded_datetime,
    (drf_fields.IntegerField, "to_internal_value"): _bigint,
}


def install() -> None:
    """Apply the strict rules to every DRF serializer (called once from AppConfig.ready)."""
    for (cls, name), patched in PATCHES.items():
        setattr(cls, name, patched)


def uninstall() -> None:
    """Restore DRF's own methods (tests use it to check that the bases stand on their own)."""
    for (cls, name), original in ORIGINALS.items():
        setattr(cls, name, original)
