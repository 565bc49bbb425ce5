"""The cast of the access tests: every role's client, and both teams' people."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def cast(request, organizer, lead_a, canvasser_a, lead_b, canvasser_b, team_a, team_b, client_for):
    namespace = SimpleNamespace(
        organizer=organizer,
        lead_a=lead_a,
        canvasser_a=canvasser_a,
        lead_b=lead_b,
        canvasser_b=canvasser_b,
        team_a=team_a,
        team_b=team_b,
        request=request,
    )
    namespace.clients = {
        "anonymous": client_for(None),
        "organizer": client_for(organizer),
        "field_lead": client_for(lead_a),
        "canvasser": client_for(canvasser_a),
    }
    return namespace
