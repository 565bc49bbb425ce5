"""Demo scorecard: a few obviously fake leaders with sourced positions on the four planks
(state-wide, Polk County and one Polk precinct), published, so the public scorecard and the
demo canvassers' pull show them. Sources are example.org pages; dates lie in the past."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import OutputWrapper
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.demo import register
from canvass.models import Jurisdiction, Leader, Precinct

# (name, office, party, jurisdiction, {plank code: stance})
DEMO_LEADERS = [
    (
        "Demo Candidate Alvarez",
        "Governor of Iowa",
        "Democratic",
        Jurisdiction.STATE,
        {
            "halt-deportations": "pledged",
            "decriminalize-immigration": "pledged",
            "end-detention": "pledged",
            "demilitarize-border": "partly",
        },
    ),
    (
        "Demo Candidate Brooks",
        "Governor of Iowa",
        "Republican",
        Jurisdiction.STATE,
        {"halt-deportations": "declined", "end-detention": "no_answer"},
    ),
    (
        "Demo Supervisor Chen",
        "Polk County Board of Supervisors",
        "Democratic",
        Jurisdiction.COUNTY,
        {"end-detention": "pledged", "halt-deportations": "partly"},
    ),
    (
        "Demo Chair Diaz",
        "Precinct committee chair",
        "Democratic",
        Jurisdiction.PRECINCT,
        dict.fromkeys(("halt-deportations", "end-detention"), "pledged"),
    ),
]


@register(order=27, name="canvass-leaders")
def load_leaders(stdout: OutputWrapper) -> None:
    """The demo leaders, published, once."""
    from canvass.services.leaders import leader_create

    organizer = User.objects.filter(role=Role.ORGANIZER, username="organizer").first()
    if organizer is None:
        stdout.write("  canvass-leaders: demo organizer missing; skipped")
        return
    if Leader.objects.filter(name__startswith="Demo ").exists():
        stdout.write("  canvass-leaders: demo leaders exist; unchanged")
        return
    precinct = Precinct.objects.filter(county="Polk", name="Des Moines 71").first()
    today = timezone.localdate()
    created = 0
    for index, (name, office, party, jurisdiction, stances) in enumerate(DEMO_LEADERS):
        if jurisdiction == Jurisdiction.PRECINCT and precinct is None:
            continue
        slug = name.lower().replace(" ", "-")
        leader_create(
            actor=organizer,
            name=name,
            office=office,
            party=party,
            jurisdiction=jurisdiction,
            county="Polk" if jurisdiction == Jurisdiction.COUNTY else "",
            precinct=precinct.pk if precinct and jurisdiction == Jurisdiction.PRECINCT else None,
            published=True,
            positions=[
                {
                    "plank": code,
                    "stance": stance,
                    "source_url": f"https://example.org/demo/{slug}/{code}",
                    "source_date": today - timedelta(days=20 + 3 * index),
                    "summary": "Demo data: not a real statement.",
                }
                for code, stance in stances.items()
            ],
        )
        created += 1
    stdout.write(f"  canvass-leaders: {created} demo leaders with sourced positions, published")
