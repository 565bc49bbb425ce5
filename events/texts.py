"""What the events app asks of whoever sends texts, registered at start-up by that app.

Events records consent answers through a domain event (`domain_events.consent_answered`) and
never imports the SMS app; for the two things it must *ask* (a volunteer's current consent, shown
on their pages, and a text sent at once, such as a one-time code) the SMS app registers a
provider here in its `ready()`. Without one, nobody has consented and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# The texts events asks to be sent at once (the SMS app's kinds of the same names).
VERIFICATION = "verification"
MANAGE_LINK = "manage_link"


@dataclass(frozen=True)
class ConsentState:
    """A volunteer's newest consent answer."""

    granted: bool
    method: str
    recorded_at: datetime


@dataclass(frozen=True)
class TextOutcome:
    """What became of a text sent at once: the outbox row's id and status (for the audit)."""

    message_id: int | None
    status: str


class TextProvider(Protocol):
    def consent_current(self, *, volunteer_id: int) -> ConsentState | None: ...

    def text_now(
        self,
        *,
        kind: str,
        phone: str,
        phone_hash: str,
        volunteer_id: int | None,
        language: str,
        params: Mapping[str, str],
        stored_params: Mapping[str, str],
    ) -> TextOutcome: ...


_provider: TextProvider | None = None


def register(provider: TextProvider) -> None:
    global _provider
    _provider = provider


def consent_current(*, volunteer_id: int) -> ConsentState | None:
    """The newest consent answer of the volunteer, or None when they never answered."""
    return _provider.consent_current(volunteer_id=volunteer_id) if _provider else None


def text_now(
    *,
    kind: str,
    phone: str,
    phone_hash: str,
    volunteer_id: int | None,
    language: str,
    params: Mapping[str, str],
    stored_params: Mapping[str, str],
) -> TextOutcome:
    """Send the text `kind` now, rendered with `params`; the record keeps it rendered with
    `stored_params` (a secret blanked). Never raises for a failed send."""
    if _provider is None:
        return TextOutcome(message_id=None, status="not_sent")
    return _provider.text_now(
        kind=kind,
        phone=phone,
        phone_hash=phone_hash,
        volunteer_id=volunteer_id,
        language=language,
        params=params,
        stored_params=stored_params,
    )
