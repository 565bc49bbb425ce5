"""Seed a load-test database: demo data, many canvassers with assigned turf, tokens for all.

Writes load/fixtures.json (tokens, household ids, shift ids) for the locustfile. Run by
load/run.py against the scratch database it names in DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from backend.accounts.models import Membership, Role, Team, User  # noqa: E402
from backend.accounts.services import token_issue  # noqa: E402
from canvass.models import Turf, TurfAssignment, TurfHousehold  # noqa: E402
from canvass.services.turf import turf_assign  # noqa: E402
from events.models import Shift  # noqa: E402


def main(canvassers: int, output: Path) -> None:
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    team = Team.objects.get(name="Polk County Team")
    lead = User.objects.get(username="fieldlead")
    turfs = list(Turf.objects.filter(team=team).order_by("id"))
    people = []
    for index in range(canvassers):
        user, _ = User.objects.get_or_create(
            username=f"load-canvasser-{index}", defaults={"role": Role.CANVASSER}
        )
        Membership.objects.get_or_create(team=team, user=user)
        turf = turfs[index % len(turfs)]
        if not TurfAssignment.objects.filter(
            turf=turf, canvasser=user, unassigned_at=None
        ).exists():
            turf_assign(actor=lead, turf=turf, canvasser=user)
        households = list(
            TurfHousehold.objects.filter(turf=turf).values_list("household_id", flat=True)
        )
        people.append(
            {
                "token": token_issue(user=user, device="load").token,
                "turf": turf.pk,
                "households": households,
            }
        )
    shifts = list(Shift.objects.filter(event__is_public=True).values_list("id", flat=True))
    output.write_text(json.dumps({"canvassers": people, "shifts": shifts}))
    print(f"seeded {canvassers} canvassers on {len(turfs)} turfs; {len(shifts)} public shifts")


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
