"""OpenAPI generation: every operation documents the error responses it can give, in the one
error shape, so clients (and the contract fuzzer) know what to expect."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code")
    message = serializers.CharField(help_text="Human-readable explanation")
    fields = serializers.DictField(  # type: ignore[assignment]  # the error body's key
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Bad input fields (dotted paths) and their messages",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


WRITE_METHODS = {"POST", "PUT", "PATCH"}


class AutoSchema(SpectacularAutoSchema):
    def _is_public(self) -> bool:
        permissions = self.view.get_permissions() if hasattr(self.view, "get_permissions") else []
        return bool(permissions) and all(isinstance(p, AllowAny) for p in permissions)

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        codes = ["400", "429"]
        if not self._is_public():
            codes += ["401", "403"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if method in WRITE_METHODS:
            codes += ["413", "415"]
        codes += getattr(self.view, "extra_error_codes", [])
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
        return responses
