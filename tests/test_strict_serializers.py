"""The strict serializer bases hold every rule of the JSON contract on their own, with DRF
unpatched; and every serializer of the schema derives from one of them."""

from __future__ import annotations

import inspect

import pytest
from django.http import QueryDict
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from backend.accounts.api.serializers import CredentialField
from backend.accounts.models import LoginFailureCounter, Membership
from backend.api.serializers import (
    StrictModelSerializer,
    StrictSerializer,
    StrictSerializerMixin,
)

# Modules whose serializers must derive from a strict base (the apps join at their adoption).
STRICT_BASE_REQUIRED = ("backend.", "canvass.", "events.", "messaging.")

pytestmark = pytest.mark.django_db

BAD_TEXT = ["Text may not contain NUL characters or unpaired surrogates."]
NAIVE = ["Give the UTC offset (e.g. a trailing Z or -06:00): a time without one is refused."]
OFFSET = ["The UTC offset must be between -15:59 and +15:59."]
YEARS = ["Dates must fall between the years 1900 and 2200."]
BIGINT = [f"Must be between {-(2**63)} and {2**63 - 1}."]


class Child(StrictSerializer):
    count = serializers.IntegerField()
    at = serializers.DateTimeField(required=False)


class Everything(StrictSerializer):
    name = serializers.CharField(required=False)
    count = serializers.IntegerField(required=False)
    flag = serializers.BooleanField(required=False)
    ratio = serializers.FloatField(required=False)
    at = serializers.DateTimeField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    numbers = serializers.ListField(child=serializers.IntegerField(), required=False)
    times = serializers.ListField(child=serializers.DateTimeField(), required=False)
    settings = serializers.DictField(child=serializers.IntegerField(), required=False)
    child = Child(required=False)
    children = Child(many=True, required=False)


class Login(StrictSerializer):
    credential_fields = ("password",)

    username = CredentialField()
    password = CredentialField()


class Counter(StrictModelSerializer):
    class Meta:
        model = LoginFailureCounter
        fields = ["key", "window_started_at", "failures"]


class MembershipInput(StrictModelSerializer):
    class Meta:
        model = Membership
        fields = ["team", "user"]


def errors_of(serializer_class: type[serializers.BaseSerializer], data: object) -> dict:
    serializer = serializer_class(data=data)
    assert not serializer.is_valid()
    return serializer.errors


def test_without_the_bases_drf_coerces_silently():
    # The control: the fixture really leaves DRF as it ships.
    class Plain(serializers.Serializer):
        count = serializers.IntegerField()
        at = serializers.DateTimeField()

    plain = Plain(data={"count": "12", "at": "2026-01-15T18:00:00"})

    assert plain.is_valid(), plain.errors
    assert plain.validated_data["count"] == 12


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", 12, "Expected a string, got int."),
        ("count", "12", "Expected an integer, got str."),
        ("count", True, "Expected an integer, got boolean."),
        ("flag", "true", "Expected a boolean, got str."),
        ("ratio", "0.5", "Expected a number, got str."),
        ("tags", "a,b", "Expected a list, got str."),
        ("tags", ["a", 2], "Expected a string, got int."),
        ("numbers", [1, "2"], "Expected an integer, got str."),
        ("settings", [1], "Expected an object, got list."),
        ("child", [1], "Expected an object, got list."),
        ("children", {"count": 1}, "Expected a list, got dict."),
    ],
)
def test_json_values_must_have_the_schema_type(field, value, message):
    assert errors_of(Everything, {field: value}) == {field: [message]}


def test_well_typed_values_pass():
    serializer = Everything(
        data={
            "name": "Ana",
            "count": 3,
            "flag": False,
            "ratio": 1,
            "at": "2026-01-15T18:00:00-06:00",
            "tags": ["a"],
            "numbers": [1, 2],
            "times": ["2026-01-15T18:00:00Z"],
            "settings": {"a": 1},
            "child": {"count": 1},
            "children": [{"count": 2}],
        }
    )

    assert serializer.is_valid(), serializer.errors


def test_a_model_serializer_relation_takes_an_integer_id():
    assert errors_of(MembershipInput, {"team": "1", "user": 1.5}) == {
        "team": ["Expected an id (integer), got str."],
        "user": ["Expected an id (integer), got float."],
    }


def test_query_and_form_data_keep_drfs_parsing():
    serializer = Everything(data=QueryDict("count=12&flag=true"))

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"count": 12, "flag": True}


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", ["ok", "a\x00"]])
def test_text_with_nul_or_a_lone_surrogate_is_refused(text):
    field = "tags" if isinstance(text, list) else "name"

    assert errors_of(Everything, {field: text}) == {field: BAD_TEXT}


def test_text_in_an_object_key_is_checked_too():
    assert errors_of(Everything, {"settings": {"a\x00": 1}}) == {"settings": BAD_TEXT}


def test_credential_fields_are_exempt_from_the_text_rule():
    serializer = Login(data={"username": "ana", "password": "a\x00b"})

    assert serializer.is_valid(), serializer.errors
    assert errors_of(Login, {"username": "a\x00", "password": "x"}) == {"username": BAD_TEXT}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-01-15T18:00:00", NAIVE),
        ("2026-01-15T18:00:00+16:00", OFFSET),
        ("1899-12-31T23:00:00Z", YEARS),
        ("2201-06-01T00:00:00Z", YEARS),
    ],
)
def test_a_declared_datetime_field_needs_a_storable_offset_and_year(value, message):
    assert errors_of(Everything, {"at": value}) == {"at": message}


def test_a_model_datetime_field_gets_the_datetime_rules():
    errors = errors_of(Counter, {"key": "k", "window_started_at": "2026-01-15T18:00:00"})

    assert errors == {"window_started_at": NAIVE}


def test_a_list_child_datetime_field_gets_the_datetime_rules():
    assert errors_of(Everything, {"times": ["2026-01-15T18:00:00+20:00"]}) == {"times": {0: OFFSET}}


def test_a_nested_serializer_applies_its_own_rules():
    assert errors_of(Everything, {"child": {"count": "1"}}) == {
        "child": {"count": ["Expected an integer, got str."]}
    }
    assert errors_of(
        Everything, {"children": [{"count": 1}, {"count": 1, "at": "2026-01-15"}]}
    ) == {"children": {1: {"at": NAIVE}}}


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1])
def test_an_integer_beyond_64_bits_is_refused(value):
    assert errors_of(Everything, {"count": value}) == {"count": BIGINT}


def test_a_model_integer_field_and_list_children_get_the_64_bit_bound():
    assert errors_of(
        Counter, {"key": "k", "window_started_at": "2026-01-15T18:00:00Z", "failures": 2**64}
    ) == {"failures": BIGINT}
    assert errors_of(Everything, {"numbers": [1, 2**63]}) == {"numbers": {1: BIGINT}}
    assert errors_of(Everything, {"settings": {"a": 2**63}}) == {"settings": {"a": BIGINT}}


def test_the_64_bit_bound_is_checked_before_validators_and_for_query_data():
    class Bounded(StrictSerializer):
        count = serializers.IntegerField(max_value=5)

    assert errors_of(Bounded, {"count": 2**63}) == {"count": BIGINT}
    assert errors_of(Bounded, QueryDict(f"count={2**63}")) == {"count": BIGINT}


def test_the_bases_keep_field_class_names_for_the_schema():
    fields = Everything().fields

    assert type(fields["at"]).__name__ == "DateTimeField"
    assert isinstance(fields["at"], serializers.DateTimeField)


def test_a_strict_serializer_refuses_to_nest_a_plain_one():
    class Plain(serializers.Serializer):
        count = serializers.IntegerField()

    class Parent(StrictSerializer):
        child = Plain()

    with pytest.raises(TypeError, match="Parent nests Plain"):
        Parent(data={}).is_valid()


def _schema_serializer_classes() -> set[type]:
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    classes = set()
    for component in generator.registry._components.values():
        obj = component.object
        cls = obj if inspect.isclass(obj) else type(obj)
        if isinstance(cls, type) and issubclass(cls, serializers.BaseSerializer):
            classes.add(cls)
    return classes


def _view_serializer_classes() -> set[type]:
    from django.urls import get_resolver

    classes = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "cls", None)
            serializer_class = getattr(view, "serializer_class", None)
            if isinstance(serializer_class, type):
                classes.add(serializer_class)

    walk(get_resolver().url_patterns)
    return classes


def test_every_schema_serializer_derives_from_a_strict_base():
    found = _schema_serializer_classes() | _view_serializer_classes()
    required = [cls for cls in found if cls.__module__.startswith(STRICT_BASE_REQUIRED)]

    assert required, "the walk found no serializer to check"
    assert (
        sorted(
            f"{cls.__module__}.{cls.__qualname__}"
            for cls in required
            if not issubclass(cls, StrictSerializerMixin)
        )
        == []
    )
