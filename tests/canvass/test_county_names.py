"""One county, one name: households, precincts and sites store the canonical county name, every
county filter accepts any spelling, and a data migration canonicalises existing rows."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from canvass.models import Household
from canvass.services.imports import voters_import
from tests.canvass.conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = "voter_id,first_name,last_name,street,city,state,zip,county"
SPELLINGS = ["O'Brien", "OBRIEN", "o brien", "Obrien County"]


def test_four_spellings_of_obrien_are_stored_as_one_and_found_by_any(client_for, lead_a):
    lines = [
        f"IA{n},Ann,Lee,{n} Main St,Sheldon,IA,51201,{county}"
        for n, county in enumerate(SPELLINGS, start=1)
    ]
    lines.append("IA9,Bo,Bee,9 Main St,Ames,IA,50010,STORY")

    voters_import(actor=None, stream=csv_bytes(*lines, header=HEADER))

    assert sorted(set(Household.objects.values_list("county", flat=True))) == ["O'Brien", "Story"]
    for spelling in ("obrien", "O'Brien County", "O BRIEN"):
        response = client_for(lead_a).get("/api/households", {"county": spelling})
        assert response.status_code == 200
        assert [row["county"] for row in response.json()["results"]] == ["O'Brien"] * 4


def test_sites_store_the_canonical_county_and_the_filter_is_loose(tmp_path, client_for, organizer):
    path = tmp_path / "sites.csv"
    path.write_text(
        "county_name,precinct_id,name,address\n"
        'OBRIEN,S1,HALL A,"1 MAIN ST, SHELDON, IA 51201"\n'
        'O\'Brien,S2,HALL B,"2 MAIN ST, SHELDON, IA 51201"\n'
        'black hawk,W1,HALL C,"3 MAIN ST, WATERLOO, IA 50701"\n'
    )

    call_command("import_sites", str(path), "--no-geocode", stdout=StringIO())

    response = client_for(organizer).get("/api/locations", {"county": "o brien"})
    assert response.status_code == 200
    assert sorted((row["name"], row["county"]) for row in response.json()["results"]) == [
        ("HALL A", "O'Brien"),
        ("HALL B", "O'Brien"),
    ]
    black_hawk = client_for(organizer).get("/api/locations", {"county": "BLACKHAWK"}).json()
    assert [row["county"] for row in black_hawk["results"]] == ["Black Hawk"]


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_canonicalises_existing_households_and_sites():
    executor = MigrationExecutor(connection)
    before = [
        ("canvass", "0004_import_jobs_and_hand_placed_doors"),
        ("events", "0002_sms_outbox_inbound_optouts"),
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldHousehold = old.get_model("canvass", "Household")
    OldLocation = old.get_model("events", "Location")
    for n, spelling in enumerate([*SPELLINGS, "Cook"]):
        OldHousehold.objects.create(street=f"{n} MAIN ST", address_key=f"k{n}", county=spelling)
    OldLocation.objects.create(name="Hall", county="OBRIEN", source_key="s1")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(Household.objects.values_list("county", flat=True)) == ["Cook", *["O'Brien"] * 4]
    from events.models import Location

    assert Location.objects.get().county == "O'Brien"
