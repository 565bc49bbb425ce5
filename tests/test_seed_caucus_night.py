"""The caucus-night generator: the Iowa-scale data set, at a small scale for tests."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from backend.accounts.models import Membership, Role, Team, User
from canvass.models import Household, Precinct, Turf, TurfAssignment, TurfHousehold, Voter

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_seed_caucus_night_at_a_hundredth_scale_has_the_iowa_shape():
    out = StringIO()
    call_command("seed_caucus_night", "--scale", "0.01", stdout=out)

    assert Precinct.objects.count() == 17  # 1,678 / 100
    assert Voter.objects.count() == 22_000  # 2.2 million / 100
    assert Household.objects.count() == 11_000
    team = Team.objects.get(name="Iowa Caucus Team")
    canvassers = User.objects.filter(role=Role.CANVASSER, memberships__team=team)
    assert canvassers.count() == 20  # 2,000 / 100
    assert Membership.objects.filter(team=team).count() == 21  # and the field lead
    assert Turf.objects.filter(team=team).count() == 20
    assert TurfAssignment.objects.filter(unassigned_at=None).count() == 20
    doors = TurfHousehold.objects.values("turf").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(doors) == {300}
    assert not Household.objects.filter(latitude=None).exists()
    assert "seeded 17 precincts, 11000 households, 22000 voters, 20 canvassers" in out.getvalue()
    # The planner has statistics on what was just loaded (ANALYZE), not autovacuum's later ones.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('canvass_voter', 'canvass_household', 'canvass_turfhousehold')"
        )
        assert dict(cursor.fetchall()) == {
            "canvass_voter": 22_000,
            "canvass_household": 11_000,
            "canvass_turfhousehold": 6_000,
        }


def test_seed_caucus_night_refuses_a_scale_out_of_range():
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_caucus_night", "--scale", "0", stdout=StringIO())
    assert not Voter.objects.exists()
