"""Site import: bad bytes are named by line and cost no good row; an area answer from the
geocoder never places a site; vague addresses are reported as what they are."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from werkzeug import Request, Response

from events.models import Location
from events.paths import iowa_polling_places_csv
from events.services.locations import (
    REVIEW_NO_STREET,
    REVIEW_PO_BOX_ONLY,
    REVIEW_RURAL_ROUTE,
    REVIEW_VAGUE,
)

pytestmark = pytest.mark.django_db
DATA = Path(settings.SHARED_DATA_DIR)


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_sites", str(path), *args, stdout=out)
    return out.getvalue()


def test_bad_bytes_in_the_real_file_are_named_by_line_and_every_other_row_imports(tmp_path):
    lines = iowa_polling_places_csv().read_bytes().split(b"\n")
    # Line 10 (inside the first 64 KiB) gets a NUL; a line past 64 KiB gets a Latin-1 byte.
    late = next(n for n in range(1500, len(lines)) if b'"' not in lines[n] and lines[n])
    assert sum(len(line) + 1 for line in lines[:late]) > 64 * 1024
    lines[9] = lines[9].replace(b",", b",\x00", 1)
    lines[late] = lines[late].replace(b",", b",\xe9", 1)
    path = tmp_path / "sites.csv"
    path.write_bytes(b"\n".join(lines))

    out = run(path, "--no-geocode")

    errors = [line for line in out.splitlines() if ": error -: " in line]
    assert len(errors) == 2
    assert ": error -: line 10: NUL byte at column " in errors[0]
    assert f"line {late + 1}: not UTF-8 (invalid byte 0xE9" in errors[1]
    assert "rows=1681, errors=2" in out.splitlines()[-1]
    # The other 1679 rows are all there: at most the two sites of the bad rows are missing.
    assert 1240 <= Location.objects.count() <= 1242


def test_rural_route_po_box_and_street_plus_po_box_are_reported_as_what_they_are(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "county_name,precinct_id,name,address\n"
        'Polk,P1,RURAL HALL,"RR 2 BOX 14, MINGO, IA 50168"\n'
        'Polk,P2,BOX HALL,"PO BOX 271, JESUP, IA 50648"\n'
        'Polk,P3,STREET AND BOX,"302 WARREN ST PO BOX 114, AURORA, IA 50607"\n'
        "Polk,P4,VAGUE HALL,IA\n"
        'Polk,P5,CITY ONLY,"JESUP, IA 50648"\n'
    )

    run(path, "--no-geocode")

    reasons = dict(Location.objects.values_list("name", "review_reason"))
    assert reasons == {
        "RURAL HALL": REVIEW_RURAL_ROUTE,
        "BOX HALL": REVIEW_PO_BOX_ONLY,
        "STREET AND BOX": "",
        "VAGUE HALL": REVIEW_VAGUE,
        "CITY ONLY": REVIEW_NO_STREET,
    }
    street = Location.objects.get(name="STREET AND BOX")
    assert (street.address, street.city, street.needs_review) == ("302 WARREN ST", "AURORA", False)


@pytest.mark.parametrize(
    "area",
    [
        {"class": "boundary", "type": "administrative", "addresstype": "city"},
        {"class": "place", "type": "postcode", "addresstype": "postcode"},
        {"class": "boundary", "type": "administrative", "addresstype": "county"},
        {"class": "place", "type": "state", "addresstype": "state"},
    ],
)
def test_an_area_answer_never_places_a_site_whatever_its_rank(tmp_path, httpserver, settings, area):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = f"127.0.0.1:{httpserver.port}"
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    # The Des Moines centroid, with a rank and an echoed house number that look like a door.
    answer = {
        "place_id": 1,
        "lat": "41.5910",
        "lon": "-93.6037",
        "display_name": "Des Moines, Polk County, Iowa, United States",
        "place_rank": 30,
        "address": {"house_number": "1", "city": "Des Moines", "state": "Iowa"},
        **area,
    }

    def handler(request: Request) -> Response:
        return Response(json.dumps([answer]), content_type="application/json")

    httpserver.expect_request("/search").respond_with_handler(handler)
    path = tmp_path / "sites.csv"
    path.write_text(
        'county_name,precinct_id,name,address\nPolk,P1,HALL,"1 MAIN ST, DES MOINES, IA 50309"\n'
    )

    run(path)

    site = Location.objects.get()
    assert (site.latitude, site.longitude, site.needs_review) == (None, None, True)
    assert "not the building" in site.review_reason
