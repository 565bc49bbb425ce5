"""Errors the messaging app raises (the rest come from `backend.errors`)."""

from __future__ import annotations

from backend.errors import ApplicationError, ConflictError, ErrorCode


class InvalidSignatureError(ApplicationError):
    """403: a webhook request without the provider's valid signature."""

    status_code = 403
    code = ErrorCode.INVALID_SIGNATURE


class RecipientOptedOutError(ConflictError):
    """409: the number opted out of our texts; nothing is sent."""

    code = ErrorCode.RECIPIENT_OPTED_OUT


class SmsNotSentError(ApplicationError):
    """502: the provider refused or did not answer a text sent at once."""

    status_code = 502
    code = ErrorCode.SMS_NOT_SENT
