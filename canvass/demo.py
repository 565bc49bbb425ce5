"""Demo turf on real Iowa geography: Polk County precincts, fake voters inside real precinct
polygons, turfs cut for "Polk County Team" and assigned to canvasser1 and canvasser2.

No real voter data exists in the repository: names are obviously fake and addresses are made up
(only the precinct polygons are real).
"""

from __future__ import annotations

import csv
import io
import random

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
