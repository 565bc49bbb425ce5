"""Errors the canvass services raise, each with its code and HTTP status."""

from __future__ import annotations

from backend.errors import ApplicationError, ConflictError, ErrorCode, PayloadTooLargeError


class UploadIncompleteError(ApplicationError):
    """400: the phone dropped the connection before the end of the body (send it again)."""

    code = ErrorCode.UPLOAD_INCOMPLETE


class InvalidCursorError(ApplicationError):
    """400: the sync cursor is not one this server issued for this canvasser."""

    code = ErrorCode.INVALID_CURSOR


class BatchTooLargeError(PayloadTooLargeError):
    """413: a pushed batch holds more than SYNC_MAX_BATCH logs."""

    code = ErrorCode.BATCH_TOO_LARGE


class LogDeletedError(ConflictError):
    """409: the log was deleted; it can no longer be corrected."""

    code = ErrorCode.LOG_DELETED


class EditWindowClosedError(ConflictError):
    """409: the log was received more than CANVASS_EDIT_WINDOW_HOURS ago."""

    code = ErrorCode.EDIT_WINDOW_CLOSED
