from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str = "sent"


class SmsError(Exception):
    """A send failed. `permanent` errors must never be retried; `unknown` means the provider may
    have accepted the message (the connection dropped after the request went out)."""

    def __init__(
        self, message: str, *, code: str = "", permanent: bool = False, unknown: bool = False
    ) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent
        self.unknown = unknown


class BaseSmsBackend:
    """Base class of SMS backends. Subclasses implement `send`."""

    def send(self, *, to: str, body: str, message_id: str | None = None) -> SendResult:
        raise NotImplementedError
