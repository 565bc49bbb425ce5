"""The SMS backend interface: what business code may know about a provider.

A backend sends (`send`), checks that a webhook request came from the provider
(`webhook_signature` and `webhook_signature_valid`) and turns the provider's webhook fields into
neutral records (`inbound_parse`, `status_parse`). Its errors carry a neutral `reason` and a
`permanent` flag, so no vendor code is read outside the vendor's adapter (the shape of
healthchecks' `hc/api/transports.py`, `TransportError(permanent=...)`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

logger = logging.getLogger(__name__)

_wire = threading.local()


@contextmanager
def on_wire(callback: Callable[[float], None]) -> Iterator[None]:
    """Call `callback(epoch seconds)` when a request of this thread's next send has been written
    to the provider's connection (the rate limiter corrects a departure stamp with it)."""
    _wire.callback = callback
    try:
        yield
    finally:
        _wire.callback = None


def wire_reached(at: float) -> None:
    """Backends call it once a request has left: right after the socket write. The request is
    out whatever the callback does, so its failure is logged, never raised into the send."""
    callback = getattr(_wire, "callback", None)
    if callback is not None:
        _wire.callback = None  # once per send, even if a backend writes twice
        try:
            callback(at)
        except Exception:
            logger.exception("sms: the on-wire callback failed (the request was sent)")


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str = "sent"


class FailureReason(StrEnum):
    """Why a provider refused a text, in our words (the adapter maps its vendor's codes)."""

    INVALID_NUMBER = "invalid_number"  # not a valid phone number
    UNKNOWN_NUMBER = "unknown_number"  # valid, but the carrier knows no such number
    UNSUBSCRIBED = "unsubscribed"  # the recipient replied STOP to the provider
    LANDLINE = "landline"  # cannot take texts (a landline, or unreachable)
    RATE_LIMITED = "rate_limited"  # too many requests: retry later
    OTHER = "other"


# The reasons that say a number cannot take our texts: the number is put on the opt-out list.
NUMBER_REASONS = frozenset(
    {
        FailureReason.INVALID_NUMBER,
        FailureReason.UNKNOWN_NUMBER,
        FailureReason.UNSUBSCRIBED,
        FailureReason.LANDLINE,
    }
)


class SmsError(Exception):
    """A send failed. `permanent` errors must never be retried; `unknown` means the provider may
    have accepted the message (the connection dropped after the request went out). `code` is the
    provider's own code, kept for the record only; `reason` is what callers act on."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        reason: FailureReason = FailureReason.OTHER,
        permanent: bool = False,
        unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.permanent = permanent
        self.unknown = unknown


class DeliveryStatus(StrEnum):
    """Where a sent text is, in our words."""

    SENT = "sent"  # the provider has it (queued, sending or sent on)
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


@dataclass(frozen=True)
class InboundText:
    """A text someone sent us, as the provider's webhook described it."""

    provider_id: str
    sender: str
    body: str


@dataclass(frozen=True)
class DeliveryReport:
    """One delivery status callback. `status` is None for a provider status we do not know
    (`raw_status` keeps it); `reason` is set when the provider says why a text failed."""

    provider_id: str
    status: DeliveryStatus | None
    raw_status: str
    error_code: str = ""
    reason: FailureReason | None = None


class BaseSmsBackend:
    """Base class of SMS backends. Subclasses implement `send` and the webhook methods."""

    def send(self, *, to: str, body: str, message_id: str | None = None) -> SendResult:
        raise NotImplementedError

    def warm(self) -> None:
        """Load what the first send would load (a dispatcher calls it before sending, so the
        first text does not leave late and bunch with the next ones at the provider)."""

    def call(self, *, to: str, url: str, status_callback: str) -> SendResult:
        """Place a phone call whose instructions (TwiML) are fetched from `url`."""
        raise NotImplementedError

    def webhook_signature(self, headers: Mapping[str, str]) -> str:
        """The signature the provider put on a webhook request ('' when none)."""
        raise NotImplementedError

    def webhook_signature_valid(self, *, url: str, params: object, signature: str) -> bool:
        """True when `signature` proves the provider sent `params` to `url`. `params` is the
        form fields of a form-encoded request, or the raw body as text for any other body."""
        raise NotImplementedError

    def inbound_parse(self, fields: Mapping[str, str]) -> InboundText:
        """The inbound text described by the (validated) webhook fields."""
        raise NotImplementedError

    def status_parse(self, fields: Mapping[str, str]) -> DeliveryReport:
        """The delivery report described by the (validated) callback fields."""
        raise NotImplementedError

    def delivery_report(
        self, *, provider_id: str, raw_status: str, error_code: str = ""
    ) -> DeliveryReport:
        """The delivery report for the provider's own status word and error code."""
        raise NotImplementedError
