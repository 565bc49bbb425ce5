"""The database is the final word when two people cut or assign at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from backend.errors import ApplicationError
from canvass.models import Turf, TurfAssignment, TurfHousehold
from canvass.services.turf import turf_assign, turf_auto_cut
from tests.canvass.conftest import make_household, make_turf

BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[-93.7, 41.5], [-93.5, 41.5], [-93.5, 41.7], [-93.7, 41.7], [-93.7, 41.5]]],
}


def race(*calls: Callable[[], object]) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(len(calls))
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
            result = "ok"
        except ApplicationError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_cuts_never_put_a_household_in_two_active_turfs(team_a, lead_a, organizer):
    households = [make_household(41.6 + i * 0.0005, -93.6) for i in range(120)]

    def cut(actor):
        return lambda: turf_auto_cut(
            actor=actor, team=team_a, boundary=BOUNDARY, min_doors=40, max_doors=60
        )

    outcomes = race(cut(lead_a), cut(organizer))

    # One cut wins; the other either lost the race at the unique index (409) or ran after it
    # and found nothing left to cut.
    assert "ok" in outcomes
    outcomes.remove("ok")
    assert outcomes[0] in ("household_in_active_turf", "no_households")
    active = list(TurfHousehold.objects.filter(active=True).values_list("household_id", flat=True))
    assert sorted(active) == sorted(h.pk for h in households)
    assert Turf.objects.filter(stops__isnull=True).count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_assignments_of_the_same_canvasser_make_one(
    team_a, lead_a, organizer, canvasser_a
):
    turf = make_turf(team_a, [make_household(41.6, -93.6)])

    outcomes = race(
        lambda: turf_assign(actor=lead_a, turf=turf, canvasser=canvasser_a),
        lambda: turf_assign(actor=organizer, turf=turf, canvasser=canvasser_a),
    )

    assert outcomes == ["already_assigned", "ok"]
    assert TurfAssignment.objects.filter(unassigned_at__isnull=True).count() == 1
