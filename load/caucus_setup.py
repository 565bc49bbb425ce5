"""The caucus-night run's setup and its capacity check, against the database in DATABASE_URL.

    python load/caucus_setup.py setup FIXTURES.json CANVASSERS CAPACITY
        tokens for the first CANVASSERS seeded canvassers (`seed_caucus_night`) and for the field
        lead, the doors of each one's turf, and ONE public event with one shift of exactly
        CAPACITY places (waitlist unlimited): written to FIXTURES.json for load/locustfile.py.
    python load/caucus_setup.py check FIXTURES.json
        prints the event's confirmed and waitlisted signups beside its capacity as JSON.

Run by load/run.py (and tests/test_load_scenario.py) after `manage.py seed_caucus_night`.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from backend.accounts.models import Team, User  # noqa: E402
from backend.accounts.services import token_issue  # noqa: E402
from canvass.management.commands.seed_caucus_night import TEAM_NAME  # noqa: E402
from canvass.models import TurfAssignment, TurfHousehold  # noqa: E402
from events.models import Event, EventKind, Shift, ShiftRole, Signup, SignupStatus  # noqa: E402


def setup(output: Path, canvassers: int, capacity: int) -> None:
    team = Team.objects.get(name=TEAM_NAME)
    lead = User.objects.get(username="caucus-lead")
    assignments = list(
        TurfAssignment.objects.filter(turf__team=team, unassigned_at=None)
        .select_related("canvasser")
        .order_by("id")[:canvassers]
    )
    doors: dict[int, list[int]] = {}
    for turf_id, household_id in TurfHousehold.objects.filter(
        turf_id__in=[a.turf_id for a in assignments], active=True
    ).values_list("turf_id", "household_id"):
        doors.setdefault(turf_id, []).append(household_id)
    people = [
        {
            "token": token_issue(user=a.canvasser, device="caucus-load").token,
            "turf": a.turf_id,
            "households": doors.get(a.turf_id, []),
        }
        for a in assignments
    ]
    starts = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        title="Caucus night phone bank",
        kind=EventKind.PHONE_BANK,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        team=team,
        is_public=True,
    )
    shift = Shift.objects.create(
        event=event,
        role=ShiftRole.CANVASSER,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=capacity,
    )
    fixtures = {
        "canvassers": people,
        "lead_token": token_issue(user=lead, device="caucus-load").token,
        "turfs": [a.turf_id for a in assignments],
        "event": event.pk,
        "shift": shift.pk,
        "capacity": capacity,
    }
    output.write_text(json.dumps(fixtures))
    print(
        f"caucus setup: {len(people)} canvasser tokens, one event (id {event.pk}) with one shift "
        f"of capacity {capacity}"
    )


def check(fixtures_path: Path) -> None:
    fixtures = json.loads(fixtures_path.read_text())
    counts = Signup.objects.filter(shift__event_id=fixtures["event"]).aggregate(
        confirmed=Count("id", filter=Q(status=SignupStatus.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=SignupStatus.WAITLISTED)),
    )
    capacity = sum(
        Shift.objects.filter(event_id=fixtures["event"]).values_list("capacity", flat=True)
    )
    print(json.dumps({"capacity": capacity, **counts}))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        check(Path(sys.argv[2]))
