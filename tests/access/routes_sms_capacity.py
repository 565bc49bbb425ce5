"""Access table for the send forecast (docs/sms-capacity.md): staff of the event's team only."""

from __future__ import annotations

from tests.access.framework import STAFF_ONLY, Route
from tests.access.routes_sms import _event

ROUTES = [
    Route(
        "api/events/<int:pk>/sms-forecast",
        {"GET": STAFF_ONLY},
        kwargs=lambda c: {"pk": _event(c.team_a)},
        other_kwargs=lambda c: {"pk": _event(c.team_b)},
        missing_kwargs={"pk": 999999},
    ),
]
