"""The polling-place matcher: its normalizing rules, the report through the command and the API,
and the counts on the real Iowa files (skipped, naming the file, when ../shared/data is absent)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from backend.audit.models import AuditEvent
from backend.geo.counties import canonical_county
from events.caucus_matching import PrecinctCandidate, loose_key, match_rows, strict_key, tokens
from events.models import Caucus, CaucusKind, CaucusPrecinct, Location
from tests.events.test_caucuses import make_precinct

DATA = Path(settings.SHARED_DATA_DIR)
# Measured on the real files (README "Caucus sites"); a change in the matcher must update both.
REAL_COUNTS = {"rows": 1681, "matched": 1393, "ambiguous": 1, "unmatched": 287}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sheldon 1st Ward", ["SHELDON", "1", "WARD"]),
        ("Spencer WD 2", ["SPENCER", "WARD", "2"]),
        ("Centerville W1", ["CENTERVILLE", "WARD", "1"]),
        ("Mason City W-1 P-1", ["MASON", "CITY", "WARD", "1", "PRECINCT", "1"]),
        ("Collins Twp/Collins", ["COLLINS", "TOWNSHIP", "COLLINS"]),
        ("Lake/Lincoln Twps Pct", ["LAKE", "LINCOLN", "TOWNSHIP", "PRECINCT"]),
        ("Ankeny 01 (92)", ["ANKENY", "1"]),
        ("CV.01", ["CV", "1"]),
        ("Mt. Vernon", ["MOUNT", "VERNON"]),
        ("City of New Hampton Ward One", ["CITY", "NEW", "HAMPTON", "WARD", "1"]),
        ("Boys & Girls", ["BOYS", "GIRLS"]),
    ],
)
def test_tokens_normalize_spellings_punctuation_and_leading_zeros(text, expected):
    assert tokens(text) == expected


def test_ward_township_and_order_variants_share_one_loose_key():
    assert loose_key("Sheldon 1st Ward") == loose_key("Ward 1 Sheldon") == loose_key("Sheldon 1")
    assert loose_key("Grant Township") == loose_key("Grant Twp") == loose_key("GRANT")
    assert loose_key("Ames 1-3") != loose_key("Ames 3-1")  # numbers keep their order
    assert strict_key("Douglas/Peterson") == strict_key("Douglas-Peterson")


def test_county_aliases_are_one_county():
    assert {canonical_county(s) for s in ("O'Brien", "Obrien", "O BRIEN", "OBrien County")} == {
        "O'Brien"
    }


def _candidates() -> list[PrecinctCandidate]:
    return [
        PrecinctCandidate(1, "Obrien", "Sheldon 1st Ward", "OBRIEN4"),
        PrecinctCandidate(2, "Polk", "Ankeny 01", "ANK1"),
        PrecinctCandidate(3, "Linn", "Fairfax City", "FAIRFAXCITY"),
        PrecinctCandidate(4, "Linn", "Fairfax Township", "FAIRFAX"),
        PrecinctCandidate(5, "Woodbury", "Sioux City 07", "WOODBURY7"),
        PrecinctCandidate(6, "Scott", "(D12) City of Davenport", "DAVENPORT12"),
        PrecinctCandidate(7, "Johnson", "Coralville 02", "CV2"),
    ]


def test_rows_are_matched_ambiguous_or_unmatched_with_candidates():
    rows = [
        (1, "O'Brien", "P4", "Sheldon 1"),
        (2, "Polk", "ANK 01", "Ankeny 01 (92)"),
        (3, "Linn", "FAI", "Fairfax"),
        (4, "Woodbury", "07", "07 Bryant/Crescent Park School"),
        (5, "Scott", "D12", "Davenport City D12"),
        (6, "Johnson", "CV.02", "CV.02"),
        (7, "Polk", "XX", "Nowhere 9"),
        (8, "Story", "01", "Ames 1-1"),
        (9, "Polk", "ANK1", "Ankeny 1"),
    ]

    report = match_rows(rows, _candidates())

    assert [(r.row, r.status, r.precinct, r.method) for r in report.rows] == [
        (1, "matched", 1, "name_loose"),
        (2, "matched", 2, "name"),
        (3, "ambiguous", None, "name_loose"),
        (4, "matched", 5, "number"),
        (5, "matched", 6, "id_code"),
        (6, "matched", 7, "id_district"),
        (7, "unmatched", None, ""),
        (8, "unmatched", None, ""),
        (9, "ambiguous", None, "name"),
    ]
    assert [c.id for c in report.rows[2].candidates] == [3, 4]
    assert report.rows[7].note == "no precinct of this county in the precinct layer"
    assert report.rows[8].note == "the same precinct as row 2"
    assert report.summary() == {"rows": 9, "matched": 5, "ambiguous": 2, "unmatched": 2}


def test_the_real_polling_places_match_the_real_precinct_layer_with_the_readme_counts():
    features = json.loads(
        (DATA / "iowa_precincts_2020_caucus.geojson").read_text(encoding="utf-8")
    )["features"]
    candidates = [
        PrecinctCandidate(
            n, f["properties"]["COUNTY"], f["properties"]["NAME"], f["properties"]["DISTRICT"]
        )
        for n, f in enumerate(features, start=1)
    ]
    with (DATA / "iowa_polling_places_2020.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [
            (n, r["county_name"], r["precinct_id"], r["precinct_name"])
            for n, r in enumerate(csv.DictReader(f), start=1)
        ]

    report = match_rows(rows, candidates)

    assert report.summary() == REAL_COUNTS
    # O'Brien (spelled "Obrien" in the layer) matches through the county alias.
    obrien = [r for r in report.rows if r.county == "O'Brien"]
    assert len(obrien) == 9 and all(r.status == "matched" for r in obrien)
    # No precinct is claimed by two rows.
    matched = [r.precinct for r in report.rows if r.status == "matched"]
    assert len(matched) == len(set(matched))


# --- Through the command and the API ----------------------------------------------------------

CSV = (
    "county_name,precinct_id,precinct_name,name,address\n"
    'Polk,DM 01,Des Moines 01 (1),HALL A,"1 HALL A ST, DES MOINES, IA 50309"\n'
    'Polk,DM 02,Des Moines 2,HALL A,"1 HALL A ST, DES MOINES, IA 50309"\n'
    'Polk,XX,Elsewhere,HALL X,"9 X ST, DES MOINES, IA 50309"\n'
    'Linn,FAI,Fairfax,FAIRFAX HALL,"1 MAIN ST, FAIRFAX, IA 52228"\n'
)


@pytest.fixture
def precincts(db):
    return {
        "dm1": make_precinct("Des Moines 01", 41.60, -93.63),
        "dm2": make_precinct("Des Moines 02", 41.58, -93.63),
        "fx_city": make_precinct("Fairfax City", 41.90, -91.78, county="Linn"),
        "fx_twp": make_precinct("Fairfax Township", 41.92, -91.78, county="Linn"),
    }


@pytest.fixture
def precinct_caucus(organizer):
    from datetime import time

    from events.services.caucuses import caucus_create

    return caucus_create(
        actor=organizer,
        name="Caucuses",
        party="Democratic",
        kind=CaucusKind.PRECINCT,
        date=__import__("datetime").date(2027, 1, 15),
        start_time=time(19, 0),
        time_zone="America/Chicago",
    )


def test_the_command_prints_the_counts_and_writes_the_report(tmp_path, precincts):
    path = tmp_path / "polling.csv"
    path.write_text(CSV)
    out = io.StringIO()

    call_command("match_caucus_sites", str(path), "--report", str(tmp_path / "r.json"), stdout=out)

    assert "Matched polling places: rows=4, matched=2, ambiguous=1, unmatched=1" in out.getvalue()
    report = json.loads((tmp_path / "r.json").read_text())
    assert [(r["row"], r["status"]) for r in report["rows"]] == [
        (1, "matched"),
        (2, "matched"),
        (3, "unmatched"),
        (4, "ambiguous"),
    ]
    assert [c["name"] for c in report["rows"][3]["candidates"]] == [
        "Fairfax City",
        "Fairfax Township",
    ]
    assert CaucusPrecinct.objects.count() == 0 and Location.objects.count() == 0  # no caucus


def test_the_command_links_matched_precincts_for_a_caucus(tmp_path, precincts, precinct_caucus):
    path = tmp_path / "polling.csv"
    path.write_text(CSV)
    out = io.StringIO()

    call_command(
        "match_caucus_sites",
        str(path),
        "--report",
        str(tmp_path / "r.json"),
        "--caucus",
        str(precinct_caucus.pk),
        stdout=out,
    )

    assert "linked=2, kept=0" in out.getvalue()
    hall = Location.objects.get(name="HALL A")
    assert sorted(
        CaucusPrecinct.objects.values_list("precinct__name", "site__location_id", "source")
    ) == [("Des Moines 01", hall.pk, "matcher"), ("Des Moines 02", hall.pk, "matcher")]


def _upload(client, caucus: Caucus, text: str, dry_run: bool = False):
    return client.post(
        f"/api/caucuses/{caucus.pk}/site-import",
        {"file": SimpleUploadedFile("p.csv", text.encode(), "text/csv"), "dry_run": dry_run},
        format="multipart",
    )


def test_organizers_import_through_the_api_and_hand_fixes_survive_a_reimport(
    client_for, organizer, lead_a, precincts, precinct_caucus
):
    client = client_for(organizer)
    assert _upload(client_for(lead_a), precinct_caucus, CSV).status_code == 403

    dry = _upload(client, precinct_caucus, CSV, dry_run=True)
    assert dry.status_code == 200, dry.json()
    assert dry.json()["summary"] == {
        "rows": 4,
        "matched": 2,
        "ambiguous": 1,
        "unmatched": 1,
        "linked": 0,
        "kept": 0,
    }
    assert CaucusPrecinct.objects.count() == 0 and Location.objects.count() == 0

    first = _upload(client, precinct_caucus, CSV)
    assert first.json()["summary"]["linked"] == 2
    # The organizer fixes the ambiguous row by hand.
    fairfax = Location.objects.get(name="FAIRFAX HALL")
    fixed = client.post(
        f"/api/caucuses/{precinct_caucus.pk}/links",
        {"precinct": precincts["fx_city"].pk, "location": fairfax.pk},
        format="json",
    )
    assert fixed.status_code == 201
    # ...and moves Des Moines 02 to another hall.
    client.delete(f"/api/caucuses/{precinct_caucus.pk}/links/{precincts['dm2'].pk}")
    other = Location.objects.get(name="HALL X")
    client.post(
        f"/api/caucuses/{precinct_caucus.pk}/links",
        {"precinct": precincts["dm2"].pk, "location": other.pk},
        format="json",
    )

    again = _upload(client, precinct_caucus, CSV)

    assert again.json()["summary"]["linked"] == 0
    assert again.json()["summary"]["kept"] == 2
    assert again.json()["rows"][1]["note"] == (
        "the precinct already has another site for this caucus (kept)"
    )
    assert dict(CaucusPrecinct.objects.values_list("precinct__name", "site__location__name")) == {
        "Des Moines 01": "HALL A",
        "Des Moines 02": "HALL X",
        "Fairfax City": "FAIRFAX HALL",
    }
    assert AuditEvent.objects.filter(action="caucus.sites_import").count() == 3  # dry run too

    report = client.get(f"/api/caucuses/{precinct_caucus.pk}/match-report", {"status": "ambiguous"})
    assert report.status_code == 200
    assert [row["precinct_name"] for row in report.json()["rows"]] == ["Fairfax"]
    assert report.json()["summary"]["kept"] == 2


def test_a_file_without_the_columns_or_for_a_satellite_is_a_400_and_stores_nothing(
    client_for, organizer, precincts, precinct_caucus
):
    from datetime import date, time

    from events.services.caucuses import caucus_create

    satellite = caucus_create(
        actor=organizer,
        name="Satellites",
        party="Democratic",
        kind=CaucusKind.SATELLITE,
        date=date(2027, 1, 15),
        start_time=time(12, 0),
        time_zone="America/Chicago",
    )
    client = client_for(organizer)

    no_columns = _upload(client, precinct_caucus, "county,name\nPolk,HALL\n")
    for_satellite = _upload(client, satellite, CSV)
    not_text = client.post(
        f"/api/caucuses/{precinct_caucus.pk}/site-import",
        {"file": SimpleUploadedFile("p.csv", b"\xff\xfe\x00bad", "text/csv")},
        format="multipart",
    )

    assert no_columns.status_code == 400
    assert list(no_columns.json()["error"]["fields"]) == ["file"]
    assert for_satellite.status_code == 400
    assert for_satellite.json()["error"]["code"] == "satellite_has_no_precinct"
    assert not_text.status_code == 400
    assert list(not_text.json()["error"]["fields"]) == ["file"]
    assert CaucusPrecinct.objects.count() == 0 and Location.objects.count() == 0


def test_the_demo_has_a_caucus_date_linked_to_the_demo_precincts_without_shared_data(
    db, settings, tmp_path
):
    settings.SHARED_DATA_DIR = tmp_path  # a clone with nothing beside it
    out = io.StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # idempotent

    caucus = Caucus.objects.get(name="Demo: Iowa precinct caucuses")
    assert caucus.kind == "precinct"
    linked = set(
        CaucusPrecinct.objects.filter(caucus=caucus).values_list("precinct__name", flat=True)
    )
    assert {"Des Moines 71", "Des Moines 40"} <= linked
    assert Caucus.objects.filter(kind="satellite").count() == 1
    assert "Demo caucuses:" in out.getvalue()
