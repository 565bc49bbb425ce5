"""One error shape for the whole API (the HTTP side; the errors themselves are backend.errors).

Every error response is ``{"error": {"code": str, "message": str, "fields": {name: [str]}}}``.
`code` is stable and machine-readable; `message` is for people; `fields` names each bad input
field (nested objects and list items use dotted paths such as ``items.3.support_level``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)


def error_body(
    code: ErrorCode | str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def flatten_field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested ValidationError detail into {"a.b.0.c": ["message"]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = (
                "non_field_errors" if key in ("non_field_errors", "__all__") and not prefix else key
            )
            path = f"{prefix}.{name}" if prefix else str(name)
            out.update(flatten_field_errors(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    out.update(
                        flatten_field_errors(item, f"{prefix}.{index}" if prefix else str(index))
                    )
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _first_message(fields: dict[str, list[str]]) -> str:
    for name, messages in fields.items():
        if messages:
            return f"{name}: {messages[0]}"
    return "Invalid input."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler rendering every error in the documented shape."""
    if isinstance(exc, ApplicationError):
        rendered = Response(
            error_body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.status_code
        )
        return _with_retry_after(rendered, exc.extra.get("retry_after_seconds"))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_field_errors(exc.detail)
        body = error_body(ErrorCode.INVALID, _first_message(fields), fields)
    else:
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else "Request failed."
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        body = error_body(str(code), message)
        if isinstance(exc, exceptions.Throttled):
            wait = getattr(exc, "wait", None)
            wait = wait if wait is not None else DEFAULT_RETRY_AFTER_SECONDS
            body["error"]["retry_after_seconds"] = max(1, math.ceil(wait))
            _with_retry_after(response, body["error"]["retry_after_seconds"])
    response.data = body
    return response


# For a 429 whose cause gave no wait (DRF's throttles can return None).
DEFAULT_RETRY_AFTER_SECONDS = 60


def _with_retry_after(response: Response, seconds: Any) -> Response:
    """Every 429 says when to come back (RFC 9110 10.2.3), in whole seconds, at least 1."""
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        if not isinstance(seconds, int | float) or seconds <= 0:
            seconds = DEFAULT_RETRY_AFTER_SECONDS
        response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


def json_error_view(status_code: int, code: ErrorCode, message: str) -> Callable[..., JsonResponse]:
    def view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
        return JsonResponse(error_body(code, message), status=status_code)

    return view


# Django-level handlers (outside DRF views): unknown URLs, CSRF failures, crashes.
handler400 = json_error_view(400, ErrorCode.BAD_REQUEST, "Bad request.")
handler403 = json_error_view(
    403, ErrorCode.PERMISSION_DENIED, "You do not have permission to do this."
)
handler404 = json_error_view(404, ErrorCode.NOT_FOUND, "Not found.")
handler500 = json_error_view(500, ErrorCode.SERVER_ERROR, "Internal server error.")


_GENERIC_CODES = {
    400: (ErrorCode.BAD_REQUEST, "Bad request."),
    403: (ErrorCode.PERMISSION_DENIED, "You do not have permission to do this."),
    404: (ErrorCode.NOT_FOUND, "Not found."),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed."),
    413: (ErrorCode.PAYLOAD_TOO_LARGE, "Request body too large."),
    500: (ErrorCode.SERVER_ERROR, "Internal server error."),
}


class ApiJsonErrorMiddleware:
    """Under /api/, an error Django answers itself (an unknown URL, an uncaught exception) is the
    documented JSON shape whatever DEBUG says: with DEBUG on, Django would answer its HTML 404 and
    debug pages, which a client cannot parse and which show internals. The exception is still
    logged by Django's request handler before this runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith("/api/"):
            return response
        media_type = (response.get("Content-Type") or "").split(";")[0].strip().lower()
        if media_type == "application/json" or media_type.endswith("+json"):
            return response
        code, message = _GENERIC_CODES.get(
            response.status_code, (ErrorCode.ERROR, "Request failed.")
        )
        replacement = JsonResponse(error_body(code, message), status=response.status_code)
        for header in ("Allow", "Retry-After"):
            if response.has_header(header):
                replacement[header] = response[header]
        return replacement
