"""The strict serializer bases: every API serializer derives from one of them.

`StrictSerializer` and `StrictModelSerializer` (the same `StrictSerializerMixin` on DRF's two
bases) hold the JSON contract, visibly, at each serializer:

- JSON bodies are typed as the schema says: a number sent as "12", a name sent as 12, or a flag
  sent as "true" is a 400 naming the field, not silently coerced (a ListField's items too).
  Query parameters and form data are strings by nature and keep DRF's parsing.
- Text may not contain NUL characters or lone UTF-16 surrogates: PostgreSQL cannot store them,
  so they are refused up front. A serializer lists in `credential_fields` the fields exempt from
  this (a password is checked, never stored: a NUL in it is just a wrong password, not a 400).
- A date-time must carry a UTC offset that PostgreSQL can store (within ±15:59) and fall between
  the years 1900 and 2200; an integer must fit in 64 bits.

The first two rules run on the raw body before DRF's own validation (so a wrongly typed value
never reaches a field); the last two run inside each DateTimeField and IntegerField, which
`get_fields` gives the strict behaviour by switching the instance to a subclass with the
strict mixin, whether the field was declared (`serializers.DateTimeField()`) or built from a
model, and inside ListField and DictField children too. A nested serializer is a field like any
other: it must derive from a strict base itself (`get_fields` refuses one that does not), so
its own fields get the same rules.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers

from backend.text import contains_bad_text
from backend.times import BIGINT_MAX, BIGINT_MIN, datetime_text_problem

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
BAD_TEXT_MESSAGE = "Text may not contain NUL characters or unpaired surrogates."

# --- The rules, as functions of a field and a raw value ---------------------------------------


def expected_json_types(field: drf_fields.Field) -> tuple[tuple[type, ...], str] | None:
    """The JSON types a field takes, with their description; None: the field checks itself."""
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


def json_type_problem(value: Any, expected: tuple[tuple[type, ...], str]) -> str | None:
    types, label = expected
    if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
        got = "boolean" if isinstance(value, bool) else type(value).__name__
        return f"Expected {label}, got {got}."
    return None


def raw_body_problems(serializer: serializers.Serializer, data: Any) -> dict[str, list[str]]:
    """The text and JSON type rules over a serializer's raw input: {field: [message]}.

    Only JSON bodies (plain dicts) are checked; form and query data are strings by nature.
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict) or hasattr(data, "getlist"):
        return errors
    exempt = getattr(serializer, "credential_fields", ())
    for field in serializer._writable_fields:
        name: str = field.field_name  # type: ignore[assignment]  # bound fields have a name
        value = data.get(name, drf_fields.empty)
        if field.source == "*" or value is drf_fields.empty or value is None:
            continue
        if contains_bad_text(value) and name not in exempt:
            errors[name] = [BAD_TEXT_MESSAGE]
            continue
        expected = expected_json_types(field)
        if expected is None:
            continue
        problem = json_type_problem(value, expected)
        if problem is None and isinstance(field, drf_fields.ListField) and isinstance(value, list):
            child = expected_json_types(field.child)
            problems = [json_type_problem(item, child) for item in value] if child else []
            problem = next((p for p in problems if p), None)
        if problem:
            errors[name] = [problem]
    return errors


def datetime_year_problem(parsed: Any) -> str | None:
    # Year 202 parses, but then renders with a local-mean-time offset no client can read.
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        return f"Dates must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}."
    return None


def bigint_problem(value: int) -> str | None:
    # Beyond 64 bits PostgreSQL refuses the parameter and SQLite's driver raises OverflowError.
    if not BIGINT_MIN <= value <= BIGINT_MAX:
        return f"Must be between {BIGINT_MIN} and {BIGINT_MAX}."
    return None


# --- Strict fields ------------------------------------------------------------------------------


class StrictDateTimeMixin:
    """A DateTimeField that refuses a time without a storable UTC offset or outside 1900-2200."""

    def to_internal_value(self, value: Any) -> Any:
        problem = datetime_text_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        parsed = super().to_internal_value(value)  # type: ignore[misc]
        problem = datetime_year_problem(parsed)
        if problem:
            raise serializers.ValidationError(problem)
        return parsed


class StoredDateField(serializers.DateField):
    """A date that becomes a stored time (a caucus's day): refused outside 1900-2200, where its
    local time would carry a local-mean-time offset. Filters keep DRF's DateField (a report from
    0001-01-01 means "since ever")."""

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        problem = datetime_year_problem(parsed)
        if problem:
            raise serializers.ValidationError(problem)
        return parsed


class StrictIntegerMixin:
    """An IntegerField that refuses a value beyond 64 bits (before any validator sees it)."""

    def to_internal_value(self, data: Any) -> int:
        value: int = super().to_internal_value(data)  # type: ignore[misc]
        problem = bigint_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class StrictDateTimeField(StrictDateTimeMixin, serializers.DateTimeField):
    pass


class StrictIntegerField(StrictIntegerMixin, serializers.IntegerField):
    pass


_STRICT_FIELD_MIXINS: tuple[tuple[type[drf_fields.Field], type], ...] = (
    (serializers.DateTimeField, StrictDateTimeMixin),
    (serializers.IntegerField, StrictIntegerMixin),
)
_strict_field_classes: dict[type, type] = {}


def _strict_field_class(cls: type, mixin: type) -> type:
    # Same name and module as the original, so the OpenAPI schema and error messages do not
    # change; one class per original, made once.
    if cls not in _strict_field_classes:
        _strict_field_classes[cls] = type(
            cls.__name__,
            (mixin, cls),
            {"__module__": cls.__module__, "__qualname__": cls.__qualname__},
        )
    return _strict_field_classes[cls]


def make_strict(field: drf_fields.Field, *, owner: str) -> None:
    """Give one field (and a list or dict field's child) the strict date-time and integer rules.

    A nested serializer must already derive from a strict base: its own `get_fields` then does
    this for its fields. `owner` names the serializer, for the error.
    """
    if isinstance(field, serializers.ListSerializer):
        field = field.child  # type: ignore[assignment]
    if isinstance(field, serializers.BaseSerializer):
        if not isinstance(field, StrictSerializerMixin):
            raise TypeError(
                f"{owner} nests {type(field).__name__}, which must derive from "
                "backend.api.serializers.StrictSerializer or StrictModelSerializer."
            )
        return
    for base, mixin in _STRICT_FIELD_MIXINS:
        if isinstance(field, base) and not isinstance(field, mixin):
            field.__class__ = _strict_field_class(type(field), mixin)
    child = getattr(field, "child", None)
    if isinstance(child, drf_fields.Field):
        make_strict(child, owner=owner)


# --- The bases ------------------------------------------------------------------------------------


class StrictSerializerMixin:
    """The strict JSON contract (module docstring), for DRF's Serializer and ModelSerializer.

    `credential_fields` names the fields exempt from the text rule (credentials are compared,
    never stored, so a NUL in one is simply a wrong credential).
    """

    credential_fields: ClassVar[tuple[str, ...]] = ()

    def get_fields(self) -> dict[str, drf_fields.Field]:
        fields: dict[str, drf_fields.Field] = super().get_fields()  # type: ignore[misc]
        for field in fields.values():
            make_strict(field, owner=type(self).__name__)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        errors = raw_body_problems(self, data)  # type: ignore[arg-type]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    """Base of every plain API serializer (input, output, query parameters)."""


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """Base of every model-backed API serializer."""
