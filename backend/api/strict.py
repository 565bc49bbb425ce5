"""A strict JSON contract for every endpoint.

- JSON bodies are typed as the schema says: a number sent as "12", a name sent as 12, or a flag
  sent as "true" is a 400 naming the field, not silently coerced. (Query parameters are strings by
  nature and keep DRF's parsing.)
- Text may not contain NUL characters or lone UTF-16 surrogates anywhere (body, query, path):
  PostgreSQL cannot store them, so they are refused up front with a 400 instead of failing later.
- Anything else the database would refuse is refused up front too: a date-time without a UTC
  offset (it would silently be read in the server's zone), an offset PostgreSQL cannot store
  (beyond ±15:59, though ISO 8601 allows up to ±23:59), an integer beyond 64 bits.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers

from backend.api.text import NON_BLANK_TEXT_PATTERN, TEXT_PATTERN, contains_bad_text
from backend.api.times import BIGINT_MAX, BIGINT_MIN, datetime_text_problem

# --- Strict JSON types -----------------------------------------------------------------------


def _expected_types(field: drf_fields.Field) -> tuple[tuple[type, ...], str] | None:
    if isinstance(field, drf_fields.BooleanField):
        return (bool,), "a boolean"
    if isinstance(field, drf_fields.IntegerField):
        return (int,), "an integer"
    if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is None:
        queryset = field.get_queryset()
        pk = queryset.model._meta.pk if queryset is not None else None
        if isinstance(pk, models.AutoField | models.BigAutoField):
            return (int,), "an id (integer)"  # 1.5 would be truncated to 1 by the lookup
    if isinstance(field, drf_fields.FloatField):
        return (int, float), "a number"
    if isinstance(
        field,
        drf_fields.ChoiceField
        | drf_fields.DecimalField
        | drf_fields.DateTimeField
        | drf_fields.DateField
        | drf_fields.TimeField
        | drf_fields.DurationField
        | drf_fields.UUIDField,
    ):
        return None  # string-encoded in JSON, or checked by the field itself
    if isinstance(field, drf_fields.CharField):
        return (str,), "a string"
    if isinstance(field, drf_fields.ListField | serializers.ListSerializer):
        return (list,), "a list"
    if isinstance(field, drf_fields.DictField | serializers.Serializer):
        return (dict,), "an object"
    return None


def _type_problem(value: Any, expected: tuple[tuple[type, ...], str]) -> str | None:
    types, label = expected
    if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
        got = "boolean" if isinstance(value, bool) else type(value).__name__
        return f"Expected {label}, got {got}."
    return None


_original_to_internal_value = serializers.Serializer.to_internal_value


def _strict_to_internal_value(self: serializers.Serializer, data: Any) -> Any:
    # Only JSON bodies (plain dicts); form and query data are strings by nature.
    if isinstance(data, dict) and not hasattr(data, "getlist"):
        errors: dict[str, list[str]] = {}
        for field in self._writable_fields:
            value = data.get(field.field_name, drf_fields.empty)
            if field.source == "*" or value is drf_fields.empty or value is None:
                continue
            if contains_bad_text(value) and field.field_name not in getattr(
                self, "credential_fields", ()
            ):
                errors[field.field_name] = [  # type: ignore[index]  # bound fields have a name
                    "Text may not contain NUL characters or unpaired surrogates."
                ]
                continue
            expected = _expected_types(field)
            if expected is None:
                continue
            problem = _type_problem(value, expected)
            if (
                problem is None
                and isinstance(field, drf_fields.ListField)
                and isinstance(value, list)
            ):
                child = _expected_types(field.child)
                problems = [_type_problem(item, child) for item in value] if child else []
                problem = next((p for p in problems if p), None)
            if problem:
                errors[field.field_name] = [problem]  # type: ignore[index]
        if errors:
            raise serializers.ValidationError(errors)
    return _original_to_internal_value(self, data)


_original_datetime_to_internal_value = drf_fields.DateTimeField.to_internal_value
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def _bounded_datetime(self: drf_fields.DateTimeField, value: Any) -> Any:
    problem = datetime_text_problem(value)
    if problem:
        raise serializers.ValidationError(problem)
    # Year 202 parses, but then renders with a local-mean-time offset no client can read.
    parsed = _original_datetime_to_internal_value(self, value)
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise serializers.ValidationError(
            f"Dates must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}."
        )
    return parsed


_original_integer_to_internal_value = drf_fields.IntegerField.to_internal_value


def _bigint(self: drf_fields.IntegerField, data: Any) -> int:
    # Beyond 64 bits PostgreSQL refuses the parameter and SQLite's driver raises OverflowError.
    value = _original_integer_to_internal_value(self, data)
    if not BIGINT_MIN <= value <= BIGINT_MAX:
        raise serializers.ValidationError(f"Must be between {BIGINT_MIN} and {BIGINT_MAX}.")
    return value


def install() -> None:
    """Apply the strict rules to every DRF serializer (called once from AppConfig.ready)."""
    if serializers.Serializer.to_internal_value is not _strict_to_internal_value:
        serializers.Serializer.to_internal_value = _strict_to_internal_value  # type: ignore[method-assign,assignment]
        drf_fields.DateTimeField.to_internal_value = _bounded_datetime  # type: ignore[method-assign]
        drf_fields.IntegerField.to_internal_value = _bigint  # type: ignore[method-assign,assignment]


def add_text_patterns(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the text rule on every free-text string."""

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if (
                node.get("type") == "string"
                and not ({"format", "enum", "pattern"} & set(node))
                and not node.get("readOnly")
            ):
                node["pattern"] = (
                    NON_BLANK_TEXT_PATTERN if node.get("minLength", 0) >= 1 else TEXT_PATTERN
                )
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result.get("components", {}).get("schemas", {}))
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict):
                for parameter in operation.get("parameters", []):
                    visit(parameter)
                    schema = parameter.get("schema", {})
                    # An empty filter value is refused (StrictFilterSet), so say so.
                    if parameter.get("in") == "query" and schema.get("type") == "string":
                        schema.setdefault("minLength", 1)
    return result
