"""A safety flag captured offline is never lost: a log for a door the canvasser held when they
logged it (or when they last pulled) is kept after the lead unassigned the turf."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from canvass.models import ConversationLog, Household
from canvass.services.turf import turf_unassign
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db
PUSH = "/api/sync/push"


def test_a_do_not_knock_logged_before_the_turf_was_unassigned_is_kept_and_counted(
    client_for, canvasser_a, lead_a, turf_a
):
    door = doors(turf_a)[0]
    knocked = timezone.now() + timedelta(minutes=10)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        turf_unassign(actor=lead_a, turf=turf_a, canvasser_id=canvasser_a.pk)
        # Knocked 10 minutes before the lead took the turf away; the phone syncs only now.
        response = client_for(canvasser_a).post(
            PUSH,
            batch(
                log_item(
                    door,
                    result="refused",
                    support_level=None,
                    do_not_knock=True,
                    contacted_at=knocked.isoformat(),
                )
            ),
            format="json",
        )

    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "created", response.json()
    assert Household.objects.get(pk=door.pk).do_not_knock is True
    assert ConversationLog.objects.get().turf_id == turf_a.pk
    progress = client_for(lead_a).get(f"/api/turfs/{turf_a.pk}/progress").json()
    assert progress["logs"] == 1


def test_a_log_after_the_unassignment_is_kept_when_the_phone_pulled_while_holding_the_turf(
    client_for, canvasser_a, lead_a, turf_a
):
    door = doors(turf_a)[1]
    client = client_for(canvasser_a)
    assert client.get("/api/sync/pull", {"device_id": "phone-1"}).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        turf_unassign(actor=lead_a, turf=turf_a, canvasser_id=canvasser_a.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=40)):
        # Knocked offline after the lead took the turf away, with the walk list last pulled.
        response = client.post(
            PUSH, batch(log_item(door, result="moved", support_level=None)), format="json"
        )

    assert response.json()["results"][0]["status"] == "created", response.json()
    assert Household.objects.get(pk=door.pk).moved is True


def test_a_door_the_canvasser_never_held_is_still_refused(
    client_for, canvasser_a, canvasser_b, lead_a, turf_a, turf_b
):
    never_held = doors(turf_b)[0]
    turf_unassign(actor=lead_a, turf=turf_a, canvasser_id=canvasser_a.pk)

    response = client_for(canvasser_a).post(
        PUSH,
        batch(
            log_item(never_held, do_not_knock=True),
            # Held once, but logged long before the assignment began: not a door they held then.
            log_item(
                doors(turf_a)[2],
                contacted_at=(timezone.now() - timedelta(days=30)).isoformat(),
            ),
        ),
        format="json",
    )

    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert results[0]["errors"] == {"household": ["This door is not in turf assigned to you."]}
    assert results[1]["errors"] == {"household": ["This door is not in turf assigned to you."]}
    assert not ConversationLog.objects.exists()
    assert Household.objects.get(pk=never_held.pk).do_not_knock is False
