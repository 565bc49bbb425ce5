"""Errors the messaging app raises (the rest come from `backend.errors`)."""

from __future__ import annotations

from backend.errors import ApplicationError, ErrorCode


class InvalidSignatureError(ApplicationError):
    """403: a webhook request without the provider's valid signature."""

    status_code = 403
    code = ErrorCode.INVALID_SIGNATURE
