"""Errors the events services raise that carry more than a message and a code."""

from __future__ import annotations

from backend.api.errors import ApplicationError


class LinkThrottledError(ApplicationError):
    """Too many link codes or confirmations in the window; `retry_after` is in seconds."""

    status_code = 429  # type: ignore[assignment]
    code = "throttled"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, extra={"retry_after_seconds": int(retry_after)})
        self.retry_after = retry_after
