"""What messaging gives the events app (registered in `messaging.apps`): the current consent of
a volunteer and texts sent at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.texts import ConsentState, TextOutcome
from messaging.selectors.consent import consent_latest
from messaging.services.dispatch import sms_send_now
from messaging.templates import render


class TextsForEvents:
    """The `events.texts.TextProvider` of this app."""

    def consent_current(self, *, volunteer_id: int) -> ConsentState | None:
        latest = consent_latest(volunteer_id=volunteer_id)
        if latest is None:
            return None
        return ConsentState(
            granted=latest.granted, method=latest.method, recorded_at=latest.recorded_at
        )

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
    ) -> TextOutcome:
        # `params` fill the template's own fields (a code, a link), never `shift`.
        fill: dict[str, Any] = dict(params)
        stored: dict[str, Any] = dict(stored_params)
        message = sms_send_now(
            kind=kind,
            phone=phone,
            phone_hash=phone_hash,
            body=render(kind, language, **fill),
            stored_body=render(kind, language, **stored),
            volunteer_id=volunteer_id,
            language=language,
        )
        return TextOutcome(message_id=message.pk, status=message.status)
