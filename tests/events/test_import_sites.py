"""`manage.py import_sites`: the real Iowa polling-place file, idempotency, geocoding."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from werkzeug import Request, Response

from backend.audit.models import AuditEvent
from events.models import Location
from events.paths import iowa_polling_places_csv

pytestmark = pytest.mark.django_db
DATA = Path(settings.SHARED_DATA_DIR)


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_sites", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_real_iowa_file_imports_one_location_per_site_and_again_changes_nothing():
    first = run(iowa_polling_places_csv(), "--no-geocode")

    lines = first.splitlines()
    assert sum(1 for line in lines if line.startswith("row ")) == 1681
    assert lines[0].startswith("row 1: created location ")
    assert "rows=1681, errors=0, locations_created=1242" in lines[-1]
    assert Location.objects.count() == 1242
    # One address serves 8 precincts: one location listing all of them.
    chickasaw = Location.objects.get(address="301 N WATER AVE", city="NEW HAMPTON")
    assert sorted(chickasaw.precinct_codes) == sorted(
        ["DF-W2", "JA-UT", "NH1", "NH2", "NH3", "NH4", "NHR", "WA1"]
    )
    # Quoted fields with newlines (Excel's _x000D_): the street is kept, the PO box dropped.
    jesup = Location.objects.get(county="Buchanan", name="METHODIST CHURCH")
    assert (jesup.address, jesup.city, jesup.zip_code) == ("455 6TH ST", "JESUP", "50648")
    assert jesup.precinct_codes == ["BD", "PW"]
    fairgrounds = Location.objects.get(address="1000 N LINCOLN ST", city="KNOXVILLE")
    assert fairgrounds.name == "DYER HUDSON HALL (MARION COUNTY FAIRGROUNDS)"
    # The 17 rows whose address is just "IA" are kept, flagged, and never placed.
    vague = Location.objects.filter(needs_review=True)
    assert vague.count() == 13
    assert set(vague.values_list("county", flat=True)) == {
        "Fremont",
        "Humboldt",
        "Linn",
        "Pocahontas",
        "Story",
        "Wapello",
    }
    assert not vague.filter(latitude__isnull=False).exists()
    assert sum(len(loc.precinct_codes) for loc in vague) == 17

    second = run(iowa_polling_places_csv(), "--summary-only")

    assert Location.objects.count() == 1242
    assert "locations_created=0, locations_updated=0, locations_unchanged=1242" in second
    assert AuditEvent.objects.filter(action="location.import").count() == 2


def test_a_csv_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("name,address\nHall,1 Main St\n")

    with pytest.raises(CommandError, match="county_name, precinct_id"):
        run(path)


def test_bad_rows_are_reported_and_the_good_ones_imported(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "county_name,precinct_id,name,address,latitude,longitude\n"
        'Polk,DM-1,HALL A,"1 MAIN ST, DES MOINES, IA 50309",41.6,-93.6\n'
        'Polk,DM-2,HALL B,"2 MAIN ST, DES MOINES, IA 50309",95,-93.6\n'
        ',DM-3,,"3 MAIN ST, DES MOINES, IA 50309",,\n'
    )

    out = run(path)

    assert "row 1: created" in out
    assert "row 2: error -: bad coordinates: 95 is out of range" in out
    assert "row 3: error -: name and county_name are required" in out
    assert list(Location.objects.values_list("name", "latitude", "longitude")) == [
        ("HALL A", 41.6, -93.6)
    ]


def nominatim_place(lat: str, lon: str, **overrides) -> dict:
    """A /search?format=json result in Nominatim's documented shape (docs/api/Output.md)."""
    example = json.loads((DATA / "nominatim_doc_examples.json").read_text())
    place = dict(example["search_format_json"][0])
    place.update({"lat": lat, "lon": lon, **overrides})
    return place


@pytest.fixture
def fake_nominatim(httpserver, settings):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = f"127.0.0.1:{httpserver.port}"
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    settings.GEOCODER_ERROR_WAIT_SECONDS = 0
    return httpserver


def test_sites_are_geocoded_at_the_door_and_coarse_matches_are_left_for_review(
    tmp_path, fake_nominatim
):
    door = nominatim_place(
        "41.5868",
        "-93.6250",
        **{
            "class": "building",
            "type": "yes",
            "place_rank": 30,
            "address": {"house_number": "1", "road": "Main Street", "city": "Des Moines"},
        },
    )
    city = nominatim_place("41.5910", "-93.6037")  # the docs' city-level match, moved to Iowa

    def answer(request: Request) -> Response:
        query = request.args.get("q", "")
        body = [door] if query.startswith("1 MAIN ST") else [city]
        return Response(json.dumps(body), content_type="application/json")

    fake_nominatim.expect_request("/search").respond_with_handler(answer)
    path = tmp_path / "sites.csv"
    path.write_text(
        "county_name,precinct_id,name,address\n"
        'Polk,DM-1,HALL A,"1 MAIN ST, DES MOINES, IA 50309"\n'
        'Polk,DM-2,NOWHERE HALL,"99 NOWHERE RD, DES MOINES, IA 50309"\n'
        "Polk,DM-3,VAGUE HALL,IA\n"
    )

    out = run(path)

    placed = Location.objects.get(name="HALL A")
    coarse = Location.objects.get(name="NOWHERE HALL")
    vague = Location.objects.get(name="VAGUE HALL")
    assert (placed.latitude, placed.longitude, placed.needs_review) == (41.5868, -93.625, False)
    assert (coarse.latitude, coarse.needs_review) == (None, True)
    assert "street, city or county" in coarse.review_reason
    assert (vague.latitude, vague.needs_review) == (None, True)
    assert "row 1: created location" in out and ": geocoded" in out
    assert "geocoded=1" in out
    assert len(fake_nominatim.log) == 2  # the vague address is never sent

    run(path)

    assert len(fake_nominatim.log) == 2  # answers are cached by normalized address


def test_a_geocoder_outage_leaves_sites_unplaced_and_not_flagged(tmp_path, fake_nominatim):
    fake_nominatim.expect_request("/search").respond_with_data("", status=503)
    path = tmp_path / "sites.csv"
    path.write_text(
        "county_name,precinct_id,name,address\n"
        'Polk,DM-1,HALL A,"1 MAIN ST, DES MOINES, IA 50309"\n'
        'Polk,DM-2,HALL B,"2 MAIN ST, DES MOINES, IA 50309"\n'
    )

    out = run(path)

    assert "geocoder_unavailable=True" in out
    assert list(Location.objects.values_list("latitude", "needs_review")) == [
        (None, False),
        (None, False),
    ]
