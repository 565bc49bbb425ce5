from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from backend.accounts.models import Role, Team, User
from backend.demo import BUNDLED_DATA_DIR
from canvass.models import Precinct, Turf, TurfAssignment
from events.models import Event, Location

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_cast_and_prints_passwords_once():
    first = seed()

    assert User.objects.filter(role=Role.ORGANIZER).count() == 1
    assert User.objects.filter(role=Role.FIELD_LEAD).count() == 1
    assert User.objects.filter(role=Role.CANVASSER).count() == 2
    assert first.count("password: ") == 4
    team = Team.objects.get()
    assert team.members.count() == 3


def test_seed_demo_twice_changes_nothing_and_prints_no_password():
    seed()
    counts = (User.objects.count(), Team.objects.count())

    second = seed()

    assert (User.objects.count(), Team.objects.count()) == counts
    assert "password: " not in second
    assert "exists" in second


def test_printed_password_logs_in(api_client):
    out = seed()
    line = next(line for line in out.splitlines() if "canvasser1" in line)
    password = line.split("password: ")[1].strip()

    response = api_client.post("/api/auth/login", {"username": "canvasser1", "password": password})

    assert response.status_code == 200


def test_seed_demo_on_a_bare_clone_builds_turf_and_caucus_sites_from_the_shipped_data(
    settings, tmp_path, api_client
):
    settings.SHARED_DATA_DIR = tmp_path  # a clone with nothing beside it: an empty directory

    out = seed()

    assert str(BUNDLED_DATA_DIR) in out
    team = Team.objects.get(name="Polk County Team")
    # Only Polk County ships: its 177 precincts, turf cut in two of them and assigned.
    assert Precinct.objects.count() == 177
    assert set(Precinct.objects.values_list("county", flat=True)) == {"Polk"}
    turfs = Turf.objects.filter(team=team, name__startswith="Demo ")
    assert turfs.count() >= 2
    assigned = TurfAssignment.objects.filter(turf__in=turfs, unassigned_at=None)
    assert set(assigned.values_list("canvasser__username", flat=True)) == {
        "canvasser1",
        "canvasser2",
    }
    # The real Polk polling places are caucus sites (unplaced: no geocoder in a demo).
    real_sites = Location.objects.exclude(source_key__startswith="DEMO|")
    assert real_sites.count() > 100
    assert set(real_sites.values_list("county", flat=True)) == {"Polk"}
    assert Event.objects.filter(team=team).count() == 5  # one of them sensitive
    # And canvasser1 sees a walk list through the API.
    password = (
        next(line for line in out.splitlines() if "canvasser1" in line)
        .split("password: ")[1]
        .strip()
    )
    login = api_client.post("/api/auth/login", {"username": "canvasser1", "password": password})
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['token']}")
    mine = api_client.get("/api/me/turfs")
    assert mine.status_code == 200
    assert len(mine.json()) >= 1


def test_seed_demo_prefers_the_statewide_files_when_present(settings, tmp_path):
    (tmp_path / "iowa_polling_places_2020.csv").write_text(
        (BUNDLED_DATA_DIR / "polk_polling_places_2020.csv").read_text().splitlines()[0]
        + "\n2020-11-03,IA,Adair,Adair,county,1NW,1NW ADAIR,,election_day,ADAIR CITY HALL,"
        '"320 AUDUBON ST, ADAIR, IA 50002",,ORR,2020-10-09,\n'
    )
    settings.SHARED_DATA_DIR = tmp_path

    out = seed()

    assert str(tmp_path / "iowa_polling_places_2020.csv") in out
    real_sites = Location.objects.exclude(source_key__startswith="DEMO|")
    assert list(real_sites.values_list("county", flat=True)) == ["Adair"]
    # The precinct file is not there: the shipped Polk cut is used for it.
    assert Precinct.objects.filter(county="Polk").count() == 177
