"""Geocoding during import: the real geopy Nominatim client against a fake Nominatim on
127.0.0.1 answering in Nominatim's documented JSON format."""

from __future__ import annotations

import copy
import json

import pytest
from werkzeug import Request, Response

from backend.geo.models import GeocodeCacheEntry
from canvass.models import GeocodeStatus, Voter
from canvass.services.imports import voters_import
from tests.canvass.conftest import DATA, csv_bytes

pytestmark = pytest.mark.django_db

DOC = json.loads((DATA / "nominatim_doc_examples.json").read_text())
CITY_ANSWER = DOC["search_format_json"]  # Nominatim's own example: class place, type city


def door_answer(lat: str, lon: str) -> list[dict]:
    """The documented search shape, for a house: house_number in the address, place_rank 30."""
    answer = copy.deepcopy(CITY_ANSWER[0])
    answer.update(
        {
            "lat": lat,
            "lon": lon,
            "class": "place",
            "type": "house",
            "place_rank": 30,
            "display_name": "1000, Grand Avenue, Des Moines, Polk County, Iowa, 50309, United States",
            "address": {
                "house_number": "1000",
                "road": "Grand Avenue",
                "city": "Des Moines",
                "county": "Polk County",
                "state": "Iowa",
                "postcode": "50309",
                "country": "United States",
                "country_code": "us",
            },
        }
    )
    return [answer]


@pytest.fixture
def nominatim(httpserver, settings):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = f"127.0.0.1:{httpserver.port}"
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    settings.GEOCODER_USER_AGENT = "dontlookaway-tests"
    seen: list[str] = []

    def handler(request: Request) -> Response:
        query = request.args.get("q", "")
        seen.append(query)
        if "GRAND" in query:
            body = door_answer("41.5866", "-93.6326")
        elif "NOWHERE" in query:
            body = CITY_ANSWER
        elif "BROKEN" in query:
            return Response("Internal Server Error", status=500)
        else:
            body = DOC["search_no_result"]
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/search").respond_with_handler(handler)
    return seen


LINES = [
    "IA001,Ana,A,DEM,1990,,1000 Grand Ave,,Des Moines,IA,50309,,",
    "IA002,Ben,A,DEM,1990,,1000 GRAND AVENUE,,Des Moines,IA,50309,,",
    "IA003,Cy,C,DEM,1990,,5 Nowhere Rd,,Des Moines,IA,50309,,",
    "IA004,Di,D,DEM,1990,,9 Broken Ln,,Des Moines,IA,50309,,",
    "IA005,Ed,E,DEM,1990,,8 Lost Ct,,Des Moines,IA,50309,,",
]


def test_rows_without_coordinates_are_geocoded_and_classified(nominatim):
    report = voters_import(actor=None, stream=csv_bytes(*LINES))

    assert report.created == 5 and report.skipped == 0
    assert report.geocoding == {
        "geocoded": 1,
        "cached": 0,
        "needs_review": 1,
        "not_found": 1,
        "failed": 1,
        "pending": 0,
    }
    door = Voter.objects.get(state_voter_id="IA001").household
    assert (door.latitude, door.longitude, door.geocode_status) == (
        41.5866,
        -93.6326,
        GeocodeStatus.GEOCODED,
    )
    coarse = Voter.objects.get(state_voter_id="IA003").household
    assert (coarse.latitude, coarse.geocode_status) == (None, GeocodeStatus.NEEDS_REVIEW)
    broken = Voter.objects.get(state_voter_id="IA004").household
    assert (broken.latitude, broken.geocode_status) == (None, GeocodeStatus.FAILED)
    lines = {w["line"]: w["reason"] for w in report.warnings}
    assert lines[4] == "geocoder match too coarse for a door; needs review"
    assert lines[5].startswith("geocoder unavailable: GeocoderServiceError")
    assert lines[6] == "geocoder found no match for the address"


def test_the_same_normalized_address_is_never_asked_twice(nominatim):
    voters_import(actor=None, stream=csv_bytes(*LINES[:2]))
    assert len(nominatim) == 1

    voters_import(
        actor=None,
        stream=csv_bytes("IA009,Flo,F,DEM,1990,,1000 Grand Ave.,Unit 2,Des Moines,IA,50309,,"),
    )

    # A new door at the same street address is answered from the cache.
    assert len(nominatim) == 1
    assert GeocodeCacheEntry.objects.count() == 1
    assert Voter.objects.get(state_voter_id="IA009").household.latitude == 41.5866


def test_geocoder_off_leaves_households_pending(settings):
    settings.GEOCODER = "off"

    report = voters_import(actor=None, stream=csv_bytes(LINES[0]))

    assert report.geocoding["pending"] == 1
    household = Voter.objects.get(state_voter_id="IA001").household
    assert household.geocode_status == GeocodeStatus.PENDING


def test_rows_with_coordinates_are_not_sent_to_the_geocoder(nominatim):
    voters_import(
        actor=None,
        stream=csv_bytes("IA001,Ana,A,DEM,1990,,1000 Grand Ave,,Des Moines,IA,50309,41.5,-93.6"),
    )

    assert nominatim == []
