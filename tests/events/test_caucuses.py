"""Caucuses from the outside: set-up and hand links (audited), bad input, where-do-i-caucus by
point and by address, the caucus-night board per team, and what turf, the pull and events say."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone
from werkzeug import Request, Response

from backend.audit.models import AuditEvent
from canvass.models import Precinct
from events.models import (
    Caucus,
    CaucusKind,
    CaucusPrecinct,
    CaucusSite,
    Event,
    EventKind,
    Location,
    Shift,
    ShiftRole,
    Signup,
)
from events.services.signups import signup_create
from tests.canvass.conftest import assign, batch, log_item, make_household, make_turf

NOW = "2027-01-10T18:00:00Z"  # a winter evening in Iowa: CST, -06:00


def square(lat: float, lon: float, size: float = 0.01) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def make_precinct(name: str, lat: float, lon: float, county: str = "Polk") -> Precinct:
    from canvass.geometry import match_key

    return Precinct.objects.create(
        county=county,
        county_key=match_key(county),
        name=name,
        name_key=match_key(name),
        boundary=square(lat, lon),
        min_lat=lat,
        max_lat=lat + 0.01,
        min_lon=lon,
        max_lon=lon + 0.01,
    )


def make_site(name: str, lat: float = 41.59, lon: float = -93.62) -> Location:
    return Location.objects.create(
        name=name,
        address=f"1 {name.upper()} ST",
        city="DES MOINES",
        county="Polk",
        zip_code="50309",
        latitude=lat,
        longitude=lon,
    )


@pytest.fixture(autouse=True)
def _winter():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def caucus(organizer) -> Caucus:
    from datetime import time

    from events.services.caucuses import caucus_create

    return caucus_create(
        actor=organizer,
        name="Precinct caucuses",
        party="Democratic",
        kind=CaucusKind.PRECINCT,
        date=date(2027, 1, 15),
        start_time=time(19, 0),
        time_zone="America/Chicago",
    )


@pytest.fixture
def satellite(organizer) -> Caucus:
    from datetime import time

    from events.services.caucuses import caucus_create

    return caucus_create(
        actor=organizer,
        name="Satellite caucuses",
        party="Democratic",
        kind=CaucusKind.SATELLITE,
        date=date(2027, 1, 15),
        start_time=time(12, 0),
        time_zone="America/Chicago",
    )


@pytest.fixture
def places(db) -> dict[str, Any]:
    """Two precincts (A north, B south) with one site each, not linked yet."""
    return {
        "precinct_a": make_precinct("Des Moines 01", 41.60, -93.63),
        "precinct_b": make_precinct("Des Moines 02", 41.58, -93.63),
        "site_a": make_site("Hall A", 41.605, -93.625),
        "site_b": make_site("Hall B", 41.585, -93.625),
    }


def link(client, caucus: Caucus, precinct: Precinct, location: Location):
    return client.post(
        f"/api/caucuses/{caucus.pk}/links",
        {"precinct": precinct.pk, "location": location.pk},
        format="json",
    )


# --- Set-up: caucus, sites, links -------------------------------------------------------------


def test_organizer_creates_a_caucus_at_local_time_stored_in_utc(client_for, organizer, lead_a):
    body = {
        "name": "Iowa Democratic caucuses",
        "party": "Democratic",
        "kind": "precinct",
        "date": "2027-01-15",
        "start_time": "19:00",
        "time_zone": "America/Chicago",
    }

    assert client_for(lead_a).post("/api/caucuses", body, format="json").status_code == 403
    response = client_for(organizer).post("/api/caucuses", body, format="json")

    assert response.status_code == 201, response.json()
    caucus = Caucus.objects.get()
    assert response.json() == {
        "id": caucus.pk,
        "name": "Iowa Democratic caucuses",
        "party": "Democratic",
        "kind": "precinct",
        "date": "2027-01-15",
        "starts_at": "2027-01-16T01:00:00Z",
        "starts_at_local": "2027-01-15T19:00:00-06:00",
        "time_zone": "America/Chicago",
        "site_count": 0,
        "precinct_count": 0,
    }
    assert AuditEvent.objects.filter(action="caucus.create", actor=organizer).count() == 1


def test_a_summer_caucus_keeps_its_local_time_across_dst(client_for, organizer):
    body = {
        "name": "Summer convention caucus",
        "party": "Democratic",
        "kind": "precinct",
        "date": "2027-07-15",
        "start_time": "19:00",
    }

    response = client_for(organizer).post("/api/caucuses", body, format="json")

    assert response.status_code == 201
    assert response.json()["starts_at"] == "2027-07-16T00:00:00Z"
    assert response.json()["starts_at_local"] == "2027-07-15T19:00:00-05:00"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "caucus"),
        ("date", "15/01/2027"),
        ("date", "1203-09-30"),  # its local time would carry a local-mean-time offset
        ("start_time", "7pm"),
        ("time_zone", "Iowa"),
    ],
)
def test_a_bad_caucus_field_is_a_400_naming_it_and_stores_nothing(
    client_for, organizer, field, value
):
    body = {
        "name": "x",
        "party": "Democratic",
        "kind": "precinct",
        "date": "2027-01-15",
        "start_time": "19:00",
        field: value,
    }

    response = client_for(organizer).post("/api/caucuses", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert Caucus.objects.count() == 0


def test_organizer_links_a_precinct_to_its_site_and_the_caucus_lists_it(
    client_for, organizer, lead_a, caucus, places
):
    response = link(client_for(organizer), caucus, places["precinct_a"], places["site_a"])

    assert response.status_code == 201, response.json()
    site = CaucusSite.objects.get()
    assert response.json() == {
        "caucus": caucus.pk,
        "precinct": places["precinct_a"].pk,
        "site": site.pk,
        "location": places["site_a"].pk,
        "origin": "hand",
    }
    assert list(CaucusPrecinct.objects.values_list("precinct_id", "site__location_id")) == [
        (places["precinct_a"].pk, places["site_a"].pk)
    ]
    audit = AuditEvent.objects.get(action="caucus.precinct_link")
    assert audit.actor == organizer
    assert audit.details["precinct"] == places["precinct_a"].pk

    detail = client_for(lead_a).get(f"/api/caucuses/{caucus.pk}")
    assert detail.status_code == 200
    assert detail.json()["precinct_count"] == 1
    assert detail.json()["sites"] == [
        {
            "id": site.pk,
            "location": {
                "id": places["site_a"].pk,
                "name": "Hall A",
                "address": "1 HALL A ST",
                "city": "DES MOINES",
                "zip_code": "50309",
                "latitude": 41.605,
                "longitude": -93.625,
                "accessibility_notes": "",
            },
            "satellite_kind": "",
            "eligibility_notes": "",
            "precincts": [
                {
                    "id": places["precinct_a"].pk,
                    "county": "Polk",
                    "name": "Des Moines 01",
                    "origin": "hand",
                }
            ],
        }
    ]
    # Field leads read, never write.
    assert (
        link(client_for(lead_a), caucus, places["precinct_b"], places["site_b"]).status_code == 403
    )


def test_a_precinct_linked_to_a_second_site_is_a_409_naming_it_and_nothing_changes(
    client_for, organizer, caucus, places
):
    client = client_for(organizer)
    assert link(client, caucus, places["precinct_a"], places["site_a"]).status_code == 201

    again = link(client, caucus, places["precinct_a"], places["site_a"])
    other = link(client, caucus, places["precinct_a"], places["site_b"])

    assert again.status_code == 201  # the same link again changes nothing
    assert other.status_code == 409
    error = other.json()["error"]
    assert error["code"] == "precinct_already_linked"
    assert list(error["fields"]) == ["precinct"]
    site_a = CaucusSite.objects.get(location=places["site_a"]).pk
    assert error["fields"]["precinct"] == [f"Already linked to site {site_a} of this caucus."]
    assert list(CaucusPrecinct.objects.values_list("site__location_id", flat=True)) == [
        places["site_a"].pk
    ]
    assert not CaucusSite.objects.filter(location=places["site_b"]).exists()
    assert AuditEvent.objects.filter(action="caucus.precinct_link").count() == 1


def test_the_database_refuses_two_sites_for_one_precinct(caucus, places):
    first = CaucusSite.objects.create(caucus=caucus, location=places["site_a"])
    second = CaucusSite.objects.create(caucus=caucus, location=places["site_b"])
    CaucusPrecinct.objects.create(caucus=caucus, precinct=places["precinct_a"], site=first)

    with pytest.raises(IntegrityError), transaction.atomic():
        CaucusPrecinct.objects.create(caucus=caucus, precinct=places["precinct_a"], site=second)


def test_a_satellite_caucus_takes_no_precinct(client_for, organizer, satellite, places):
    response = link(client_for(organizer), satellite, places["precinct_a"], places["site_a"])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "satellite_has_no_precinct"
    assert list(response.json()["error"]["fields"]) == ["precinct"]
    assert CaucusSite.objects.count() == 0 and CaucusPrecinct.objects.count() == 0


def test_a_satellite_site_has_its_kind_and_eligibility_notes(
    client_for, organizer, satellite, caucus, places
):
    client = client_for(organizer)
    url = f"/api/caucuses/{satellite.pk}/sites"

    missing_kind = client.post(url, {"location": places["site_a"].pk}, format="json")
    response = client.post(
        url,
        {
            "location": places["site_a"].pk,
            "satellite_kind": "workplace",
            "eligibility_notes": "Night-shift workers at the plant.",
        },
        format="json",
    )
    twice = client.post(
        url, {"location": places["site_a"].pk, "satellite_kind": "workplace"}, format="json"
    )
    in_precinct_caucus = client.post(
        f"/api/caucuses/{caucus.pk}/sites",
        {"location": places["site_b"].pk, "satellite_kind": "campus"},
        format="json",
    )

    assert missing_kind.status_code == 400
    assert list(missing_kind.json()["error"]["fields"]) == ["satellite_kind"]
    assert response.status_code == 201
    assert response.json()["satellite_kind"] == "workplace"
    assert response.json()["eligibility_notes"] == "Night-shift workers at the plant."
    assert response.json()["precincts"] == []
    assert twice.status_code == 409
    assert list(twice.json()["error"]["fields"]) == ["location"]
    assert in_precinct_caucus.status_code == 400
    assert list(in_precinct_caucus.json()["error"]["fields"]) == ["satellite_kind"]
    assert list(CaucusSite.objects.values_list("caucus_id", "satellite_kind")) == [
        (satellite.pk, "workplace")
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"precinct": 999999, "location": "site_a"}, "precinct"),
        ({"precinct": "precinct_a", "location": 999999}, "location"),
        ({"precinct": "x", "location": "site_a"}, "precinct"),
        ({"location": "site_a"}, "precinct"),
    ],
)
def test_a_link_to_an_unknown_precinct_or_location_is_a_400_naming_it(
    client_for, organizer, caucus, places, body, field
):
    resolved = {
        key: places[v].pk if isinstance(v, str) and v in places else v for key, v in body.items()
    }

    response = client_for(organizer).post(
        f"/api/caucuses/{caucus.pk}/links", resolved, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert CaucusPrecinct.objects.count() == 0 and CaucusSite.objects.count() == 0


def test_an_unknown_caucus_is_a_404(client_for, organizer, places):
    client = client_for(organizer)
    assert client.get("/api/caucuses/999999").status_code == 404
    assert client.get("/api/caucuses/999999/board").status_code == 404
    missing = client.post(
        "/api/caucuses/999999/links",
        {"precinct": places["precinct_a"].pk, "location": places["site_a"].pk},
        format="json",
    )
    assert missing.status_code == 404
    assert CaucusPrecinct.objects.count() == 0


def test_organizer_unlinks_a_precinct_audited(client_for, organizer, lead_a, caucus, places):
    client = client_for(organizer)
    link(client, caucus, places["precinct_a"], places["site_a"])
    url = f"/api/caucuses/{caucus.pk}/links/{places['precinct_a'].pk}"

    assert client_for(lead_a).delete(url).status_code == 403
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404

    assert CaucusPrecinct.objects.count() == 0
    assert AuditEvent.objects.filter(action="caucus.precinct_unlink", actor=organizer).count() == 1
    # Now it can caucus elsewhere.
    assert link(client, caucus, places["precinct_a"], places["site_b"]).status_code == 201


# --- Where do I caucus ------------------------------------------------------------------------


def _linked(caucus: Caucus, places: dict[str, Any]) -> None:
    from events.services.caucuses import caucus_precinct_link

    for key in ("a", "b"):
        caucus_precinct_link(
            actor=None,
            caucus=caucus,
            precinct_id=places[f"precinct_{key}"].pk,
            location=places[f"site_{key}"],
        )


def test_where_do_i_caucus_by_point_answers_precinct_site_and_local_time(
    api_client, caucus, places
):
    _linked(caucus, places)

    response = api_client.get("/api/public/where-do-i-caucus", {"lat": 41.605, "lng": -93.625})

    assert response.status_code == 200, response.json()
    site = CaucusSite.objects.get(location=places["site_a"])
    assert response.json() == {
        "latitude": 41.605,
        "longitude": -93.625,
        "caucus": {
            "id": caucus.pk,
            "name": "Precinct caucuses",
            "party": "Democratic",
            "kind": "precinct",
            "date": "2027-01-15",
            "starts_at": "2027-01-16T01:00:00Z",
            "starts_at_local": "2027-01-15T19:00:00-06:00",
            "time_zone": "America/Chicago",
        },
        "precinct": {"id": places["precinct_a"].pk, "county": "Polk", "name": "Des Moines 01"},
        "site": {
            "id": site.pk,
            "location": places["site_a"].pk,
            "name": "Hall A",
            "address": "1 HALL A ST",
            "city": "DES MOINES",
            "zip_code": "50309",
            "latitude": 41.605,
            "longitude": -93.625,
            "accessibility_notes": "",
        },
    }
    south = api_client.get("/api/public/where-do-i-caucus", {"lat": 41.585, "lng": -93.625})
    assert south.json()["precinct"]["name"] == "Des Moines 02"
    assert south.json()["site"]["name"] == "Hall B"


def test_where_do_i_caucus_outside_every_precinct_says_so(api_client, caucus, places):
    _linked(caucus, places)

    response = api_client.get("/api/public/where-do-i-caucus", {"lat": 42.5, "lng": -91.0})

    assert response.status_code == 200
    assert (response.json()["precinct"], response.json()["site"]) == (None, None)
    assert response.json()["caucus"]["id"] == caucus.pk


def test_a_past_caucus_is_not_the_next_one(api_client, caucus, places):
    _linked(caucus, places)

    with time_machine.travel("2027-01-16T12:00:00Z", tick=False):
        response = api_client.get("/api/public/where-do-i-caucus", {"lat": 41.605, "lng": -93.625})

    assert response.status_code == 200
    assert response.json()["caucus"] is None and response.json()["site"] is None
    assert response.json()["precinct"]["name"] == "Des Moines 01"


def test_a_selected_caucus_is_answered_even_when_past(api_client, caucus, places):
    _linked(caucus, places)

    with time_machine.travel("2027-02-01T12:00:00Z", tick=False):
        response = api_client.get(
            "/api/public/where-do-i-caucus", {"lat": 41.605, "lng": -93.625, "caucus": caucus.pk}
        )

    assert response.json()["site"]["name"] == "Hall A"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": 91, "lng": -93.6}, "lat"),
        ({"lat": 41.6, "lng": -181}, "lng"),
        ({"lat": "north", "lng": -93.6}, "lat"),
        ({"lat": 41.6}, "lng"),
        ({"lng": -93.6}, "lat"),
        ({}, "lat"),
        ({"lat": 41.6, "lng": -93.6, "caucus": 999999}, "caucus"),
        ({"lat": 41.6, "lng": -93.6, "caucus": "first"}, "caucus"),
        ({"address": "1 Main St", "lat": 41.6, "lng": -93.6}, "address"),
        ({"lat": "nan", "lng": -93.6}, "lat"),
    ],
)
def test_where_do_i_caucus_bad_input_is_a_400_naming_the_field(api_client, caucus, query, field):
    response = api_client.get("/api/public/where-do-i-caucus", query)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def nominatim_place(lat: str, lon: str) -> dict[str, Any]:
    from django.conf import settings

    example = json.loads(
        (settings.SHARED_DATA_DIR / "nominatim_doc_examples.json").read_text(encoding="utf-8")
    )
    place = dict(example["search_format_json"][0])
    place.update(
        {
            "lat": lat,
            "lon": lon,
            "class": "building",
            "type": "yes",
            "place_rank": 30,
            "address": {"house_number": "1", "road": "Main Street", "city": "Des Moines"},
        }
    )
    return place


@pytest.fixture
def fake_nominatim(httpserver, settings):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = f"127.0.0.1:{httpserver.port}"
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    settings.GEOCODER_ERROR_WAIT_SECONDS = 0
    return httpserver


def test_where_do_i_caucus_by_address_goes_through_the_geocoder(
    api_client, caucus, places, fake_nominatim
):
    _linked(caucus, places)
    place = nominatim_place("41.585", "-93.625")

    def answer(request: Request) -> Response:
        assert request.args.get("q") == "1 Main St, Des Moines, IA"
        return Response(json.dumps([place]), content_type="application/json")

    fake_nominatim.expect_request("/search").respond_with_handler(answer)

    response = api_client.get(
        "/api/public/where-do-i-caucus", {"address": "1 Main St, Des Moines, IA"}
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["latitude"], response.json()["longitude"]) == (41.585, -93.625)
    assert response.json()["precinct"]["name"] == "Des Moines 02"
    assert response.json()["site"]["name"] == "Hall B"
    assert response.json()["caucus"]["starts_at_local"] == "2027-01-15T19:00:00-06:00"
    assert len(fake_nominatim.log) == 1


def test_an_address_the_geocoder_cannot_find_is_a_400_and_an_outage_a_503(
    api_client, caucus, fake_nominatim
):
    fake_nominatim.expect_oneshot_request("/search").respond_with_json([])
    fake_nominatim.expect_oneshot_request("/search").respond_with_data("down", status=502)

    not_found = api_client.get("/api/public/where-do-i-caucus", {"address": "99 Nowhere Rd"})
    down = api_client.get("/api/public/where-do-i-caucus", {"address": "1 Other Rd"})

    assert not_found.status_code == 400
    assert list(not_found.json()["error"]["fields"]) == ["address"]
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "geocoder_unavailable"
    assert list(down.json()["error"]["fields"]) == ["address"]


# --- The caucus-night board --------------------------------------------------------------------


@pytest.fixture
def night(caucus, places, team_a, team_b, canvasser_a, canvasser_b, client_for) -> dict[str, Any]:
    """Site A serves precinct A (team A's turf), site B precinct B (team B's turf); each site has
    its team's caucus-night event with one shift: two confirmed at A (one checked in), one at B.
    Canvasser A logs a supporter who pledged and one who did not at doors of precinct A."""
    _linked(caucus, places)
    doors_a = [
        make_household(41.601, -93.629, precinct=places["precinct_a"]),
        make_household(41.602, -93.629, precinct=places["precinct_a"]),
    ]
    door_b = make_household(41.581, -93.629, precinct=places["precinct_b"])
    turf_a = make_turf(team_a, doors_a, name="Turf A")
    turf_b = make_turf(team_b, [door_b], name="Turf B")
    assign(turf_a, canvasser_a)
    assign(turf_b, canvasser_b)
    shifts = {}
    for key, team in (("a", team_a), ("b", team_b)):
        starts = caucus.starts_at - timedelta(hours=1)
        event = Event.objects.create(
            title=f"Caucus night {key.upper()}",
            kind=EventKind.CAUCUS_NIGHT,
            location=places[f"site_{key}"],
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            team=team,
        )
        shifts[key] = Shift.objects.create(
            event=event,
            role=ShiftRole.GREETER,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=5,
        )
    signup_create(shift_id=shifts["a"].pk, name="Ana", phone="+15155550111", sms_consent=False)
    signup_create(shift_id=shifts["a"].pk, name="Beto", phone="+15155550112", sms_consent=False)
    signup_create(shift_id=shifts["b"].pk, name="Cruz", phone="+15155550113", sms_consent=False)
    Signup.objects.filter(volunteer__name="Ana").update(
        status="attended", checked_in_at=timezone.now()
    )
    pushed = client_for(canvasser_a).post(
        "/api/sync/push",
        batch(
            log_item(doors_a[0], support_level=1, pledge="yes"),
            log_item(doors_a[1], support_level=4, pledge="no"),
        ),
        format="json",
    )
    assert pushed.status_code == 200, pushed.json()
    return {"shifts": shifts, **places}


def _board(client, caucus: Caucus) -> dict[str, Any]:
    response = client.get(f"/api/caucuses/{caucus.pk}/board")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_board_shows_each_site_its_precincts_shifts_and_support(
    client_for, organizer, caucus, night
):
    board = _board(client_for(organizer), caucus)

    assert board["caucus"]["starts_at_local"] == "2027-01-15T19:00:00-06:00"
    assert [row["site"]["name"] for row in board["sites"]] == ["Hall A", "Hall B"]
    hall_a = board["sites"][0]
    assert hall_a["precincts"] == [
        {
            "id": night["precinct_a"].pk,
            "county": "Polk",
            "name": "Des Moines 01",
            "doors_knocked": 2,
            "contacts": 2,
            "supporters": 1,
            "pledged": 1,
        }
    ]
    shift_a = night["shifts"]["a"]
    assert hall_a["shifts"] == [
        {
            "id": shift_a.pk,
            "event": shift_a.event_id,
            "event_title": "Caucus night A",
            "role": "greeter",
            "starts_at": "2027-01-16T00:00:00Z",
            "starts_at_local": "2027-01-15T18:00:00-06:00",
            "capacity": 5,
            "confirmed": 2,
            "checked_in": 1,
            "volunteers": [
                {
                    "signup": Signup.objects.get(volunteer__name="Ana").pk,
                    "name": "Ana",
                    "checked_in": True,
                },
                {
                    "signup": Signup.objects.get(volunteer__name="Beto").pk,
                    "name": "Beto",
                    "checked_in": False,
                },
            ],
        }
    ]
    assert hall_a["totals"] == {"confirmed": 2, "checked_in": 1, "supporters": 1, "pledged": 1}
    assert board["sites"][1]["totals"] == {
        "confirmed": 1,
        "checked_in": 0,
        "supporters": 0,
        "pledged": 0,
    }


def test_a_field_lead_sees_only_the_sites_their_teams_turf_covers(
    client_for, lead_a, lead_b, caucus, night
):
    board_a = _board(client_for(lead_a), caucus)
    board_b = _board(client_for(lead_b), caucus)

    assert [row["site"]["name"] for row in board_a["sites"]] == ["Hall A"]
    assert board_a["sites"][0]["shifts"][0]["volunteers"][0]["name"] == "Ana"
    assert [row["site"]["name"] for row in board_b["sites"]] == ["Hall B"]
    assert [v["name"] for v in board_b["sites"][0]["shifts"][0]["volunteers"]] == ["Cruz"]
    assert board_b["sites"][0]["totals"]["supporters"] == 0


def test_a_field_lead_sees_counts_but_not_names_of_another_teams_shift_at_their_site(
    client_for, lead_a, caucus, night, team_b
):
    # Team B also staffs Hall A (site of team A's precinct).
    night["shifts"]["b"].event.location = night["site_a"]
    night["shifts"]["b"].event.save()

    board = _board(client_for(lead_a), caucus)

    shifts = board["sites"][0]["shifts"]
    assert [(s["event_title"], s["confirmed"]) for s in shifts] == [
        ("Caucus night A", 2),
        ("Caucus night B", 1),
    ]
    assert shifts[1]["volunteers"] is None


def test_canvassers_and_anonymous_do_not_get_the_board(client_for, canvasser_a, caucus, night):
    assert client_for(canvasser_a).get(f"/api/caucuses/{caucus.pk}/board").status_code == 403
    assert client_for(None).get(f"/api/caucuses/{caucus.pk}/board").status_code == 401


# --- Turf, the pull and events know the caucus site ---------------------------------------------


def test_turf_detail_and_list_carry_their_precincts_caucus_site(
    client_for, lead_a, caucus, night, team_a
):
    turf = make_turf(team_a, [], name="Precinct turf", precinct=night["precinct_a"])
    client = client_for(lead_a)

    detail = client.get(f"/api/turfs/{turf.pk}")
    listing = client.get("/api/turfs")

    assert detail.status_code == 200
    site = detail.json()["caucus_site"]
    assert site["caucus"]["id"] == caucus.pk
    assert (site["site"]["name"], site["site"]["address"]) == ("Hall A", "1 HALL A ST")
    assert site["caucus"]["starts_at_local"] == "2027-01-15T19:00:00-06:00"
    by_name = {t["name"]: t["caucus_site"] for t in listing.json()["results"]}
    assert by_name["Precinct turf"]["site"]["name"] == "Hall A"
    assert by_name["Turf A"] is None  # no precinct on that turf


def _pull_all(client, cursor: str | None = None) -> tuple[list[Any], str]:
    pages = []
    while True:
        response = client.get("/api/sync/pull", {"cursor": cursor} if cursor else {})
        assert response.status_code == 200, response.json()
        pages.append(response.json())
        cursor = response.json()["cursor"]
        if not response.json()["has_more"]:
            return pages, cursor


def test_the_pull_gives_each_doors_caucus_site_and_a_changed_site_on_the_next_pull(
    client_for, canvasser_a, organizer, caucus, night
):
    from events.services.caucuses import caucus_precinct_link, caucus_precinct_unlink

    client = client_for(canvasser_a)
    pages, cursor = _pull_all(client)

    sites = pages[-1]["caucus_sites"]
    door_ids = sorted(h["id"] for page in pages for h in page["households"])
    assert len(sites) == 1
    assert sites[0]["precinct"] == night["precinct_a"].pk
    assert sites[0]["households"] == door_ids
    assert sites[0]["site"]["name"] == "Hall A"
    assert sites[0]["caucus"]["starts_at_local"] == "2027-01-15T19:00:00-06:00"

    unchanged, cursor = _pull_all(client, cursor)
    assert unchanged[-1]["caucus_sites"] is None

    caucus_precinct_unlink(actor=organizer, caucus=caucus, precinct_id=night["precinct_a"].pk)
    caucus_precinct_link(
        actor=organizer, caucus=caucus, precinct_id=night["precinct_a"].pk, location=night["site_b"]
    )
    moved, cursor = _pull_all(client, cursor)
    assert moved[-1]["caucus_sites"][0]["site"]["name"] == "Hall B"

    Location.objects.filter(pk=night["site_b"].pk).update(address="2 NEW ADDRESS ST")
    edited, _ = _pull_all(client, cursor)
    assert edited[-1]["caucus_sites"][0]["site"]["address"] == "2 NEW ADDRESS ST"


def test_events_at_a_caucus_site_list_the_precincts_it_serves(client_for, organizer, caucus, night):
    event = night["shifts"]["a"].event
    client = client_for(organizer)

    detail = client.get(f"/api/events/{event.pk}")
    listing = client.get("/api/events")

    served = [
        {
            "id": night["precinct_a"].pk,
            "county": "Polk",
            "name": "Des Moines 01",
            "caucus": caucus.pk,
        }
    ]
    assert detail.json()["caucus_precincts"] == served
    by_title = {e["title"]: e["caucus_precincts"] for e in listing.json()["results"]}
    assert by_title["Caucus night A"] == served
    assert by_title["Caucus night B"][0]["name"] == "Des Moines 02"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_links_of_one_precinct_to_two_sites_leave_exactly_one(organizer):
    from datetime import time

    from backend.errors import ConflictError
    from events.services.caucuses import caucus_create, caucus_precinct_link
    from tests.events.test_concurrency import run_at_once

    caucus = caucus_create(
        actor=organizer,
        name="Race",
        party="Democratic",
        kind=CaucusKind.PRECINCT,
        date=date(2027, 1, 15),
        start_time=time(19, 0),
        time_zone="America/Chicago",
    )
    precinct = make_precinct("Des Moines 09", 41.6, -93.6)
    sites = [make_site(f"Race {i}") for i in range(4)]

    results = run_at_once(
        8,
        lambda i: (
            caucus_precinct_link(
                actor=organizer, caucus=caucus, precinct_id=precinct.pk, location=sites[i % 4]
            ).site.location_id
        ),
    )

    winners = {r for r in results if isinstance(r, int)}
    assert len(winners) == 1, results
    assert all(isinstance(r, int | ConflictError) for r in results), results
    assert list(CaucusPrecinct.objects.values_list("site__location_id", flat=True)) == [
        winners.pop()
    ]
