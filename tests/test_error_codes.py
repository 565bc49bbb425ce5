"""Error codes come from one enum, the docs list exactly that enum, and each named error class
answers its HTTP status in the one error shape."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from backend import errors
from backend.api.errors import _GENERIC_CODES, exception_handler
from backend.errors import (
    ApplicationError,
    AuthenticationFailedError,
    ConflictError,
    ErrorCode,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    UnsupportedMediaTypeError,
)

ROOT = Path(__file__).resolve().parent.parent


def documented_codes() -> list[str]:
    """The codes in the first cell of each row of docs/api-conventions.md's "Error codes"."""
    text = (ROOT / "docs" / "api-conventions.md").read_text()
    section = text.split("\n## Error codes\n", 1)[1].split("\n## ", 1)[0]
    return [
        match.group(1)
        for line in section.splitlines()
        if (match := re.match(r"\| `([a-z_]+)` \|", line))
    ]


def test_every_error_code_is_documented():
    assert sorted(set(ErrorCode) - set(documented_codes())) == []


def test_the_docs_list_only_codes_of_the_enum():
    assert sorted(set(documented_codes()) - {code.value for code in ErrorCode}) == []


def test_each_code_is_documented_once():
    names = documented_codes()

    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_an_unknown_code_fails_loudly_where_it_is_raised():
    with pytest.raises(ValueError, match="not_a_code"):
        ApplicationError("Nope.", code="not_a_code")


def test_an_unknown_class_code_fails_when_the_class_is_defined():
    with pytest.raises(ValueError, match="not_a_code"):

        class BadError(ApplicationError):
            code = "not_a_code"  # type: ignore[assignment]


def test_a_code_given_as_a_string_becomes_the_enum_member():
    error = ConflictError("Full.", code="shift_full")

    assert error.code is ErrorCode.SHIFT_FULL
    assert type(ConflictError.code) is ErrorCode


@pytest.mark.parametrize(
    ("error_class", "status", "code"),
    [
        (ApplicationError, 400, "invalid"),
        (AuthenticationFailedError, 401, "authentication_failed"),
        (PermissionDeniedError, 403, "permission_denied"),
        (NotFoundError, 404, "not_found"),
        (ConflictError, 409, "conflict"),
        (PayloadTooLargeError, 413, "payload_too_large"),
        (UnsupportedMediaTypeError, 415, "unsupported_media_type"),
    ],
)
def test_each_named_error_renders_its_status_and_code(error_class, status, code):
    response = exception_handler(error_class("Something.", fields={"x": ["Bad."]}), {})

    assert response is not None
    assert response.status_code == status
    assert response.data == {
        "error": {"code": code, "message": "Something.", "fields": {"x": ["Bad."]}}
    }


def test_a_status_comes_only_from_the_error_class():
    with pytest.raises(TypeError):
        ApplicationError("Not yours.", status_code=403)  # type: ignore[call-arg]


def test_a_code_outside_the_enum_is_refused_at_the_raise_site():
    with pytest.raises(ValueError):
        ApplicationError("Odd.", code="not_a_documented_code")  # type: ignore[arg-type]


def test_a_rate_limited_error_says_when_to_come_back_in_body_and_header():
    response = exception_handler(RateLimitedError("Slow down.", retry_after_seconds=12.2), {})

    assert response is not None
    assert response.status_code == 429
    assert response.data["error"]["code"] == "throttled"
    assert response.data["error"]["retry_after_seconds"] == 13
    assert response["Retry-After"] == "13"


def test_a_rate_limited_error_keeps_its_subclass_code_and_extra_details():
    class TooManyLinksError(RateLimitedError):
        code = ErrorCode.LOGIN_THROTTLED

    error = TooManyLinksError("Slow down.", retry_after_seconds=0.2, extra={"limit": 3})

    assert error.code is ErrorCode.LOGIN_THROTTLED
    assert error.extra == {"limit": 3, "retry_after_seconds": 1}


def _drf_exception_classes() -> list[type[exceptions.APIException]]:
    return [
        value
        for value in vars(exceptions).values()
        if isinstance(value, type) and issubclass(value, exceptions.APIException)
    ]


@pytest.mark.parametrize("drf_class", _drf_exception_classes(), ids=lambda cls: cls.__name__)
def test_every_drf_exception_answers_a_listed_code(drf_class):
    # The handler renders DRF's own exceptions with their default code (ValidationError: invalid).
    assert ErrorCode(drf_class.default_code)


def test_the_codes_django_level_errors_answer_are_listed():
    assert all(isinstance(code, ErrorCode) for code, _message in _GENERIC_CODES.values())


def test_a_drf_exception_renders_with_its_code():
    factory = APIRequestFactory()
    view = APIView()
    view.request = factory.get("/")
    response = exception_handler(exceptions.NotAcceptable(), {"view": view})

    assert response is not None
    assert response.data["error"]["code"] == ErrorCode.NOT_ACCEPTABLE


def test_the_errors_module_is_plain_python():
    tree = ast.parse(Path(errors.__file__).read_text())
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }

    assert sorted(name for name in imported if name.startswith(("rest_framework", "django"))) == []
