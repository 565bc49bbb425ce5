"""OpenAPI generation: every operation documents the error responses it can give, in the one
error shape, so clients (and the contract fuzzer) know what to expect."""

from __future__ import annotations

import re
from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from backend.text import NON_BLANK_TEXT_PATTERN, TEXT_PATTERN


class ErrorShiftSerializer(StrictSerializer):
    id = serializers.IntegerField()
    event_id = serializers.IntegerField()
    event_title = serializers.CharField()
    role = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ErrorSignupSerializer(StrictSerializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class ErrorDetailSerializer(StrictSerializer):
    code = serializers.CharField(help_text="Stable machine-readable code")
    message = serializers.CharField(help_text="Human-readable explanation")
    fields = serializers.DictField(  # type: ignore[assignment]  # the error body's key
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Bad input fields (dotted paths) and their messages",
    )
    # Optional details a few codes add (docs/api-conventions.md lists which).
    retry_after_seconds = serializers.IntegerField(
        required=False, help_text="429: seconds to wait before trying again"
    )
    limit_bytes = serializers.IntegerField(
        required=False, help_text="413 payload_too_large: the largest body accepted"
    )
    shift_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Shifts that would fall outside the event's new times",
    )
    signup_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Signups that are not part of this event or shift",
    )
    confirmed = serializers.IntegerField(
        required=False, help_text="capacity_below_confirmed: people already confirmed"
    )
    signup = ErrorSignupSerializer(
        required=False, help_text="already_signed_up: the existing signup"
    )
    shift = ErrorShiftSerializer(required=False, help_text="The shift the conflict is about")
    other_shift = ErrorShiftSerializer(
        required=False, help_text="shift_overlap: the overlapping shift already signed up for"
    )


class ErrorSerializer(StrictSerializer):
    error = ErrorDetailSerializer()


WRITE_METHODS = {"POST", "PUT", "PATCH"}


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses every operation can give (docs/api-conventions.md, "Status codes"):

    - 400 (bad input, bad query string) and 406 (an `Accept` naming an unsupported media type or
      version) on every operation, 429 on every throttled one (all but the SMS webhooks);
    - 401 (no or bad credentials) and 403 (role or team; CSRF for browser sessions) wherever the
      view authenticates; the public views, login and refresh authenticate nobody (login and
      refresh add their own 401, the SMS webhooks their 403);
    - 404 where the path has a parameter or the list is paginated (a page beyond the last);
    - 413 and 415 on operations that take a body;
    - what the view adds in `extra_error_codes`: a list for all its operations, or a dict from
      lower-case method to list (`{"post": ["409"]}`) when only some give it.
    """

    def get_operation_id(self) -> str:
        # `turfs_.geojson_retrieve` would become a method name with a dot in Swift or Kotlin.
        return re.sub(r"_*\.+_*", "_", super().get_operation_id())

    def _throttles(self) -> bool:
        get_throttles = getattr(self.view, "get_throttles", None)
        return bool(get_throttles()) if get_throttles is not None else True

    def _authenticates(self) -> bool:
        get_authenticators = getattr(self.view, "get_authenticators", None)
        return bool(get_authenticators()) if get_authenticators is not None else True

    def _extra_codes(self) -> list[str]:
        extra = getattr(self.view, "extra_error_codes", [])
        if isinstance(extra, dict):
            extra = extra.get(self.method.lower(), [])
        return [str(code) for code in extra]

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        codes = ["400", "406"]
        if self._throttles():
            codes.append("429")
        if self._authenticates():
            codes += ["401", "403"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if method in WRITE_METHODS:
            codes += ["413", "415"]
        codes += self._extra_codes()
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
        return responses


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


def lib_doc_excludes() -> list[type]:
    """drf-spectacular's GET_LIB_DOC_EXCLUDES: besides DRF's classes, our base serializers and
    views document themselves for readers of the code, not for the schema: a serializer or view
    without a docstring must not get the base's as its OpenAPI description."""
    from drf_spectacular.plumbing import get_lib_doc_excludes

    from backend.api import serializers as strict
    from backend.api import views

    return [
        *get_lib_doc_excludes(),
        strict.StrictSerializerMixin,
        strict.StrictSerializer,
        strict.StrictModelSerializer,
        views.ApiViewMixin,
        views.ApiView,
        views.GenericApiView,
        views.ListApiView,
        views.RetrieveApiView,
        views.ListCreateApiView,
    ]
