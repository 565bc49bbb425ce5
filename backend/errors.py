"""The errors the API answers, as plain Python: one `ErrorCode` enum and named error classes.

Services raise these (they never import DRF or django.http); `backend.api.errors` renders them
in the one error shape, ``{"error": {"code", "message", "fields", ...}}``, with the class's HTTP
status. The model is zulip's ``zerver/lib/exceptions.py``: a stable machine code from one enum
and a class per kind of failure carrying its status. docs/api-conventions.md lists every code;
a test keeps that list equal to `ErrorCode`.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every `error.code` the API can answer. Adding one means documenting it too."""

    # Generic codes, also answered by the HTTP layer itself (DRF and Django).
    INVALID = "invalid"  # bad input; `fields` names each bad field
    BAD_REQUEST = "bad_request"  # a malformed request (bad Content-Length, NUL in the URL)
    PARSE_ERROR = "parse_error"  # the body is not valid JSON
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"  # an Accept media type or version we do not serve
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"
    # DRF's code for an APIException without its own, and the middleware's for a status it has
    # no code for; not expected in practice, listed because the code path exists.
    ERROR = "error"

    # Accounts.
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_REFRESH_TOKEN = "invalid_refresh_token"  # noqa: S105  # a code, not a secret
    LOGIN_THROTTLED = "login_throttled"
    TOKEN_REQUIRED = "token_required"  # noqa: S105
    WRONG_PASSWORD = "wrong_password"  # noqa: S105

    # Privacy.
    PERSON_NOT_FOUND = "person_not_found"

    # Canvass: turf.
    ALREADY_ASSIGNED = "already_assigned"
    HOUSEHOLD_IN_ACTIVE_TURF = "household_in_active_turf"
    INVALID_GEOMETRY = "invalid_geometry"
    INVALID_STATUS_CHANGE = "invalid_status_change"
    NO_HOUSEHOLDS = "no_households"
    TURF_COMPLETED = "turf_completed"
    # Canvass: endorsements.
    ALREADY_ENDORSED = "already_endorsed"

    # Canvass: incidents (freeze and broadcast).
    EMPTY_AREA = "empty_area"
    INCIDENT_LIFTED = "incident_lifted"

    # Canvass: imports (voter files and sites).
    BAD_ENCODING = "bad_encoding"
    EMPTY_FILE = "empty_file"
    INVALID_CSV = "invalid_csv"
    INVALID_FILE = "invalid_file"
    MISSING_COLUMNS = "missing_columns"
    NOT_CSV = "not_csv"

    # Canvass: logs and sync.
    BATCH_TOO_LARGE = "batch_too_large"
    EDIT_WINDOW_CLOSED = "edit_window_closed"
    INVALID_CURSOR = "invalid_cursor"
    LOG_DELETED = "log_deleted"
    UPLOAD_INCOMPLETE = "upload_incomplete"

    # Events: schedule and signups.
    ALREADY_SIGNED_UP = "already_signed_up"
    CAPACITY_BELOW_CONFIRMED = "capacity_below_confirmed"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_CLOSED = "event_closed"
    EVENT_NOT_SCHEDULED = "event_not_scheduled"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_MARKABLE = "not_markable"
    SHIFT_CANCELLED = "shift_cancelled"
    SHIFT_FULL = "shift_full"
    SHIFT_OUTSIDE_EVENT = "shift_outside_event"
    SHIFT_OVERLAP = "shift_overlap"
    SHIFT_PAST = "shift_past"
    UNKNOWN_ZIP = "unknown_zip"

    # Events: caucuses and their sites.
    PRECINCT_ALREADY_LINKED = "precinct_already_linked"
    SATELLITE_HAS_NO_PRECINCT = "satellite_has_no_precinct"
    GEOCODER_UNAVAILABLE = "geocoder_unavailable"

    # Events: volunteers and their links.
    ALREADY_LINKED = "already_linked"
    INVALID_CODE = "invalid_code"
    INVALID_LINK = "invalid_link"
    INVALID_PHONE = "invalid_phone"
    PHONE_NOT_MOBILE = "phone_not_mobile"

    # Messaging.
    ALREADY_RESOLVED = "already_resolved"
    INVALID_SIGNATURE = "invalid_signature"

    # Canvass: field safety check-ins.
    SESSION_ALREADY_OPEN = "session_already_open"
    SESSION_ENDED = "session_ended"
    TURF_NOT_ASSIGNED = "turf_not_assigned"
    WRONG_PIN = "wrong_pin"
    # Safety: sensitive events and know-your-rights texts (docs/safety.md).
    SIGNUP_NOT_PENDING = "signup_not_pending"
    ADDRESS_NOT_RELEASABLE = "address_not_releasable"
    RECIPIENT_OPTED_OUT = "recipient_opted_out"
    SMS_NOT_SENT = "sms_not_sent"


class ApplicationError(Exception):
    """A business-rule violation, rendered as `status_code` with the stable `code`.

    `fields` maps input field names (dotted paths for nested items) to messages; `extra` adds
    documented details to the error object (`retry_after_seconds`, `limit_bytes`, ...). A code
    given as a string must be an `ErrorCode` value: an unknown one fails loudly (ValueError),
    here or, for a subclass's class attribute, when the subclass is defined.
    """

    status_code: int = 400
    code: ErrorCode = ErrorCode.INVALID

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = ErrorCode(cls.code)

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = ErrorCode(code if code is not None else type(self).code)
        self.fields = fields or {}
        self.extra = extra or {}


class AuthenticationFailedError(ApplicationError):
    """401: the credentials (password, refresh token) were given but are wrong."""

    status_code = 401
    code = ErrorCode.AUTHENTICATION_FAILED


class PermissionDeniedError(ApplicationError):
    """403: the actor is known but may not do this."""

    status_code = 403
    code = ErrorCode.PERMISSION_DENIED


class NotFoundError(ApplicationError):
    """404: no such object, or not the actor's to see (we do not say which)."""

    status_code = 404
    code = ErrorCode.NOT_FOUND


class ConflictError(ApplicationError):
    """409: the request is well formed but the current state forbids it."""

    status_code = 409
    code = ErrorCode.CONFLICT


class PayloadTooLargeError(ApplicationError):
    """413: the body (or a batch in it) is over its limit."""

    status_code = 413
    code = ErrorCode.PAYLOAD_TOO_LARGE


class UnsupportedMediaTypeError(ApplicationError):
    """415: the body is not in a media type the operation takes."""

    status_code = 415
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class RateLimitedError(ApplicationError):
    """429: too many attempts; `retry_after_seconds` (whole seconds, at least 1) says when to
    come back, in the body and in the Retry-After header."""

    status_code = 429
    code = ErrorCode.THROTTLED

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: float,
        code: ErrorCode | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.retry_after_seconds = max(1, math.ceil(retry_after_seconds))
        super().__init__(
            message,
            code=code,
            fields=fields,
            extra={**(extra or {}), "retry_after_seconds": self.retry_after_seconds},
        )
