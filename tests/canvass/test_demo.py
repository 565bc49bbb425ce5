"""seed_demo creates real-geography demo turf for the demo canvassers, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from shapely.geometry import Point, shape

from canvass.models import Household, Turf, TurfAssignment, Voter

pytestmark = pytest.mark.django_db


def test_seed_demo_cuts_turf_inside_real_precincts_and_assigns_the_demo_canvassers():
    call_command("seed_demo", stdout=StringIO())
    counts = (Voter.objects.count(), Household.objects.count(), Turf.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert (Voter.objects.count(), Household.objects.count(), Turf.objects.count()) == counts
    assert Turf.objects.filter(team__name="Polk County Team").count() >= 2
    assigned = set(
        TurfAssignment.objects.filter(unassigned_at__isnull=True).values_list(
            "canvasser__username", flat=True
        )
    )
    assert assigned == {"canvasser1", "canvasser2"}
    for household in Household.objects.select_related("precinct")[:50]:
        assert household.precinct.county == "Polk"
        assert shape(household.precinct.boundary).contains(
            Point(household.longitude, household.latitude)
        )
    assert not Voter.objects.exclude(
        first_name__in=["Demo", "Sample", "Test", "Example", "Placeholder", "Fake"]
    ).exists()


def test_seed_demo_creates_the_default_script_once():
    from canvass.models import Script

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    script = Script.objects.get()
    assert script.is_default
    assert [q.code for q in script.questions.all()] == [
        "top_issue",
        "heard_platform",
        "priority",
        "help_with",
        "comments",
        "plank_detention",
        "plank_deportations",
    ]


def test_seed_demo_leaves_one_lifted_incident_and_no_paused_turf():
    from canvass.models import Incident

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    incident = Incident.objects.get()
    assert (incident.kind, incident.active) == ("weather", False)
    assert not Turf.objects.filter(paused_at__isnull=False).exists()


def test_seed_demo_publishes_leaders_with_sourced_positions_once(api_client):
    from canvass.models import Leader, LeaderPosition

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    assert Leader.objects.filter(published=True).count() == 4
    assert not LeaderPosition.objects.filter(source_url="").exists()
    public = api_client.get("/api/public/leaders").json()
    assert public["count"] == 4
    assert {x["jurisdiction"] for x in public["results"]} == {"state", "county", "precinct"}
