"""Access table for reminder calls (docs/voice.md): the volunteer's channel choice and the
provider's call webhooks (no login: every caller without a valid signature gets 403)."""

from __future__ import annotations

from typing import Any

from events.links import manage_token_for
from tests.access.framework import PUBLIC, Route, expect
from tests.access.routes_events import _signup

UNSIGNED = expect(PUBLIC, anonymous=403, organizer=403, field_lead=403, canvasser=403)
TOKEN = {"token": "not-a-signed-call"}


def _manage(cast: Any) -> dict[str, str]:
    return {"token": manage_token_for(_signup(cast, "a").volunteer)}


ROUTES = [
    Route(
        "api/public/me/<str:token>/reminder-channel",
        {"PUT": PUBLIC},
        kwargs=_manage,
        body=lambda c: {"reminder_channel": "voice"},
    ),
    Route(
        "api/me/volunteer/reminder-channel",
        {"PUT": {"anonymous": 401, "organizer": 400, "field_lead": 400, "canvasser": 400}},
        body=lambda c: {},
    ),
    Route("api/voice/calls/<str:token>/twiml", {"POST": UNSIGNED}, kwargs=lambda c: TOKEN),
    Route(
        "api/voice/calls/<str:token>/keys",
        {"POST": UNSIGNED},
        kwargs=lambda c: TOKEN,
        body=lambda c: {"Digits": "1"},
    ),
    Route(
        "api/voice/calls/<str:token>/status",
        {"POST": UNSIGNED},
        kwargs=lambda c: TOKEN,
        body=lambda c: {"CallSid": "CA1", "CallStatus": "completed"},
    ),
]
