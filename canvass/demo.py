"""Demo turf on real Iowa geography: Polk County precincts, fake voters inside real precinct
polygons, turfs cut for "Polk County Team" and assigned to canvasser1 and canvasser2.

No real voter data exists in the repository: names are obviously fake and addresses are made up
(only the precinct polygons are real).
"""

from __future__ import annotations

import csv
import io
import random
from typing import Any

from django.core.management.base import OutputWrapper
from shapely.geometry import Point, shape

from backend.accounts.models import Role, Team, User
from backend.demo import demo_data_file, register
from canvass import demo_platform  # noqa: F401  (registers the demo scorecard)
from canvass.models import Precinct, Turf
from canvass.services.imports import voters_import
from canvass.services.precincts import precincts_import
from canvass.services.turf import turf_assign, turf_auto_cut

DEMO_TEAM = "Polk County Team"
DEMO_COUNTY = "Polk"
DEMO_PRECINCTS = ["Des Moines 71", "Des Moines 40"]
DOORS_PER_PRECINCT = 110
FIRST_NAMES = ["Demo", "Sample", "Test", "Example", "Placeholder", "Fake"]
LAST_NAMES = ["Voter", "Resident", "Neighbor", "Person", "Householder"]
STREETS = ["Demo St", "Sample Ave", "Example Rd", "Placeholder Ln", "Fictional Dr"]


def _demo_csv(precincts: list[Precinct]) -> bytes:
    # Fixed seed: the same fake file every run (idempotent import). Not for secrets.
    rng = random.Random(2020)  # noqa: S311
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "voter_id",
            "first_name",
            "last_name",
            "birth_year",
            "language",
            "street",
            "city",
            "state",
            "zip",
            "county",
            "latitude",
            "longitude",
        ]
    )
    number = 0
    for precinct in precincts:
        area = shape(precinct.boundary)
        min_lon, min_lat, max_lon, max_lat = area.bounds
        doors = 0
        while doors < DOORS_PER_PRECINCT:
            lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
            if not area.contains(Point(lon, lat)):
                continue
            doors += 1
            street = f"{100 + doors * 2} {rng.choice(STREETS)}"
            for _ in range(rng.choice([1, 1, 2, 3])):
                number += 1
                writer.writerow(
                    [
                        f"DEMO{number:06d}",
                        rng.choice(FIRST_NAMES),
                        f"{rng.choice(LAST_NAMES)} {number}",
                        rng.randint(1940, 2006),
                        rng.choice(["", "", "es", "en"]),
                        street,
                        "Des Moines",
                        "IA",
                        "50310",
                        DEMO_COUNTY,
                        round(lat, 6),
                        round(lon, 6),
                    ]
                )
    return out.getvalue().encode()


@register(order=20, name="canvass")
def load_turf(stdout: OutputWrapper) -> None:
    team = Team.objects.filter(name=DEMO_TEAM).first()
    organizer = User.objects.filter(role=Role.ORGANIZER, username="organizer").first()
    if team is None or organizer is None:
        stdout.write("  canvass: demo people missing; skipped")
        return
    if Turf.objects.filter(team=team, name__startswith="Demo ").exists():
        stdout.write("  canvass: demo turf exists; unchanged")
        return
    precinct_file = demo_data_file("iowa_precincts_2020_caucus.geojson")
    stdout.write(f"  canvass: precincts from {precinct_file}")
    precincts_import(path=precinct_file, counties=[DEMO_COUNTY])
    precincts = list(Precinct.objects.filter(county=DEMO_COUNTY, name__in=DEMO_PRECINCTS))
    report = voters_import(
        actor=organizer, stream=io.BytesIO(_demo_csv(precincts)), source_name="demo"
    )
    turfs = []
    for precinct in precincts:
        turfs += turf_auto_cut(
            actor=organizer,
            team=team,
            precinct=precinct,
            min_doors=40,
            max_doors=60,
            name_prefix=f"Demo {precinct.name}",
        )
    canvassers = list(
        User.objects.filter(username__in=["canvasser1", "canvasser2"]).order_by("username")
    )
    for turf, canvasser in zip(turfs, canvassers, strict=False):
        turf_assign(actor=organizer, turf=turf, canvasser=canvasser)
    stdout.write(
        f"  canvass: {Precinct.objects.filter(county=DEMO_COUNTY).count()} {DEMO_COUNTY} precincts, "
        f"{report.created} fake voters, {len(turfs)} turfs; "
        f"assigned to {', '.join(c.username for c in canvassers)}"
    )


DEMO_SCRIPT = "Pre-caucus: Migrant Justice Platform"


@register(order=25, name="canvass-script")
def load_script(stdout: OutputWrapper) -> None:
    """The default canvass script with its survey questions, once."""
    from canvass.models import Script
    from canvass.services.scripts import script_create

    organizer = User.objects.filter(role=Role.ORGANIZER, username="organizer").first()
    if organizer is None:
        stdout.write("  canvass-script: demo organizer missing; skipped")
        return
    if Script.objects.filter(name=DEMO_SCRIPT).exists():
        stdout.write("  canvass-script: demo script exists; unchanged")
        return
    script_create(
        actor=organizer,
        name=DEMO_SCRIPT,
        is_default=True,
        questions=[
            {
                "code": "top_issue",
                "text": "Which issue matters most to your family this caucus?",
                "kind": "single_choice",
                "choices": [
                    {"code": "wages", "label": "Fair wages and wage theft"},
                    {"code": "housing", "label": "Safe, affordable housing"},
                    {"code": "policing", "label": "Community safety without profiling"},
                    {"code": "schools", "label": "Schools and language access"},
                ],
            },
            {
                "code": "heard_platform",
                "text": "Have you heard of the Migrant Justice Platform?",
                "kind": "yes_no",
            },
            {
                "code": "priority",
                "text": "How important is the platform to your caucus choice (1-5)?",
                "kind": "scale",
                "scale_min": 1,
                "scale_max": 5,
            },
            {
                "code": "help_with",
                "text": "Would you help with any of these?",
                "kind": "multiple_choice",
                "choices": [
                    {"code": "rides", "label": "Rides to the caucus"},
                    {"code": "childcare", "label": "Childcare on caucus night"},
                    {"code": "interpreting", "label": "Interpreting"},
                ],
            },
            {
                "code": "comments",
                "text": "Anything else they want us to know?",
                "kind": "free_text",
            },
            {
                "code": "plank_detention",
                "text": "Do you support ending immigration detention?",
                "kind": "plank",
                "plank": "end-detention",
            },
            {
                "code": "plank_deportations",
                "text": "Do you support halting all deportations?",
                "kind": "plank",
                "plank": "halt-deportations",
            },
        ],
    )
    stdout.write(f"  canvass-script: default script {DEMO_SCRIPT!r} with 7 questions")


# Demo endorsements: made-up people and organizations (example.org addresses), confirmed.
DEMO_ENDORSEMENTS: list[dict[str, Any]] = [
    {
        "kind": "organization",
        "name": "Des Moines Demo Workers Center",
        "organization_kind": "labor",
        "contact_person": "Demo Contact",
        "city": "Des Moines",
        "website": "https://workers.example.org",
        "email": "workers@example.org",
        "listed_publicly": True,
    },
    {
        "kind": "organization",
        "name": "Sample Street Faith Community",
        "organization_kind": "faith",
        "contact_person": "Sample Contact",
        "city": "Des Moines",
        "email": "faith@example.org",
        "listed_publicly": True,
    },
    {
        "kind": "person",
        "name": "Demo Endorser",
        "zip_code": "50315",
        "county": "Polk",
        "city": "Des Moines",
        "email": "demo.endorser@example.org",
        "listed_publicly": True,
    },
    {
        "kind": "person",
        "name": "Sample Supporter",
        "zip_code": "50317",
        "county": "Polk",
        "city": "Des Moines",
        "email": "sample.supporter@example.org",
        "language": "es",
        "planks": ["halt-deportations", "end-detention"],
        "listed_publicly": True,
    },
    {
        "kind": "person",
        "name": "Private Example",
        "zip_code": "50309",
        "county": "Polk",
        "email": "private.example@example.org",
        "listed_publicly": False,
    },
]


@register(order=26, name="canvass-endorsements")
def load_endorsements(stdout: OutputWrapper) -> None:
    """A few confirmed endorsements (idempotent: an email that already endorsed is skipped)."""
    from django.test.utils import override_settings

    from canvass.errors import AlreadyEndorsedError
    from canvass.models import Plank
    from canvass.services.endorsements import (
        confirm_token_for,
        endorsement_confirm_by_link,
        endorsement_create,
    )

    codes = set(Plank.objects.values_list("code", flat=True))
    created = 0
    # No confirmation email for made-up addresses: the demo confirms through the link itself.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for values in DEMO_ENDORSEMENTS:
            values = dict(values)
            planks: list[str] | None = values.pop("planks", None)
            chosen = [code for code in planks if code in codes] if planks else None
            try:
                endorsement = endorsement_create(planks=chosen or None, **values).endorsement
            except AlreadyEndorsedError:
                continue
            endorsement_confirm_by_link(token=confirm_token_for(endorsement))
            created += 1
    stdout.write(f"  canvass-endorsements: {created} confirmed endorsements added")


@register(order=27, name="canvass-safety")
def load_safety(stdout: OutputWrapper) -> None:
    """The demo team's check-in interval (20 min) and one ended field session, once."""
    from datetime import timedelta

    from django.utils import timezone

    from canvass.models import FieldSession, TurfAssignment
    from canvass.services.safety import (
        field_session_end,
        field_session_start,
        team_safety_settings_update,
    )

    team = Team.objects.filter(name=DEMO_TEAM).first()
    organizer = User.objects.filter(role=Role.ORGANIZER, username="organizer").first()
    assignment = (
        TurfAssignment.objects.filter(canvasser__username="canvasser1", unassigned_at__isnull=True)
        .select_related("canvasser")
        .first()
    )
    if team is None or organizer is None or assignment is None:
        stdout.write("  canvass-safety: demo team or turf missing; skipped")
        return
    if FieldSession.objects.filter(canvasser=assignment.canvasser).exists():
        stdout.write("  canvass-safety: demo session exists; unchanged")
        return
    team_safety_settings_update(actor=organizer, team=team, checkin_interval_minutes=20)
    session = field_session_start(
        actor=assignment.canvasser,
        turf_id=assignment.turf_id,
        expected_end_at=timezone.now() + timedelta(hours=2),
    )
    field_session_end(actor=assignment.canvasser, session_id=session.pk)
    stdout.write("  canvass-safety: check-ins every 20 min for the demo team; one ended session")


@register(order=26, name="canvass-incident")
def load_lifted_incident(stdout: OutputWrapper) -> None:
    """One weather incident over the first demo turf, already lifted: the incidents list and
    the audit trail have something to show, and no demo turf stays paused."""
    from canvass.models import Incident
    from canvass.services.incidents import incident_declare, incident_lift

    lead = (
        User.objects.filter(role=Role.FIELD_LEAD, username="fieldlead").first()
        or User.objects.filter(role=Role.ORGANIZER, username="organizer").first()
    )
    turf = Turf.objects.filter(name__startswith="Demo ").order_by("id").first()
    if lead is None or turf is None:
        stdout.write("  canvass-incident: demo turf or people missing; skipped")
        return
    if Incident.objects.exists():
        stdout.write("  canvass-incident: an incident exists; unchanged")
        return
    incident = incident_declare(
        actor=lead,
        kind="weather",
        instruction="Lightning nearby: stop knocking and wait in the van.",
        turf_ids=[turf.pk],
    )
    incident_lift(actor=lead, incident_id=incident.pk)
    stdout.write(f"  canvass-incident: a lifted weather incident over {turf.name}")
