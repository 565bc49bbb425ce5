"""A correction answers what the schema says: a pledge or caucus intent not asked is null, never
"" (a generated client's enum refuses ""), though the database keeps "" as before (issue 14)."""

from __future__ import annotations

import pytest

from canvass.models import ConversationLog
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db


def test_a_correction_shows_unasked_pledge_and_caucus_intent_as_null(
    client_for, canvasser_a, canvasser_b, turf_a
):
    client = client_for(canvasser_a)
    pushed = client.post("/api/sync/push", batch(log_item(doors(turf_a)[0])), format="json")
    log_id = pushed.json()["results"][0]["log"]["id"]

    response = client.patch(f"/api/logs/{log_id}", {"support_level": 4}, format="json")

    assert response.status_code == 200
    log = response.json()["log"]
    assert (log["support_level"], log["pledge"], log["will_caucus"]) == (4, None, None)
    stored = ConversationLog.objects.get(pk=log_id)
    assert (stored.support_level, stored.pledge, stored.will_caucus) == (4, "", "")

    other = client_for(canvasser_b).patch(
        f"/api/logs/{log_id}", {"support_level": 1}, format="json"
    )
    assert other.status_code in (403, 404)
    assert ConversationLog.objects.get(pk=log_id).support_level == 4


def test_a_correction_shows_a_given_pledge_as_its_choice(client_for, canvasser_a, turf_a):
    client = client_for(canvasser_a)
    item = log_item(doors(turf_a)[0], pledge="yes", will_caucus="maybe")
    log_id = client.post("/api/sync/push", batch(item), format="json").json()["results"][0]["log"][
        "id"
    ]

    response = client.patch(f"/api/logs/{log_id}", {"pledge": None}, format="json")

    assert response.status_code == 200
    assert (response.json()["log"]["pledge"], response.json()["log"]["will_caucus"]) == (
        None,
        "maybe",
    )
    assert ConversationLog.objects.get(pk=log_id).pledge == ""
