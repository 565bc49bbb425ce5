"""A geocoder outage is survived and healed: the real geopy client against a fake Nominatim on
127.0.0.1 that answers 503, times out, or returns garbage. The circuit breaker stops asking,
the rows are stored with coordinates pending, and the doors heal later through the
`geocode_pending` command, the periodic task, the field-lead endpoint or a re-import."""

from __future__ import annotations

import copy
import json
import time
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from werkzeug import Request, Response

from backend.celery import app as celery_app
from canvass.models import GeocodeStatus, Household
from canvass.services.imports import voters_import
from canvass.tasks import geocode_pending_task
from tests.canvass.conftest import csv_bytes
from tests.canvass.test_import_geocoding import CITY_ANSWER, door_answer

pytestmark = pytest.mark.django_db

ROWS = [
    f"IA{i:04d},Ann,Lee,DEM,1980,,{100 + i} Grand Ave,,Des Moines,IA,50309,," for i in range(60)
]


class FakeNominatim:
    """Answers per `mode`: healthy, 503, slow (past the client timeout), garbage, garbage_json."""

    def __init__(self) -> None:
        self.mode = "healthy"
        self.calls: list[str] = []

    def __call__(self, request: Request) -> Response:
        self.calls.append(request.args.get("q", ""))
        if self.mode == "503":
            return Response("Service Unavailable", status=503)
        if self.mode == "slow":
            time.sleep(0.6)
        if self.mode == "garbage":
            return Response("<html>oops</html>", status=200, content_type="application/json")
        if self.mode == "garbage_json":
            return Response(
                json.dumps([{"lat": "north", "lon": []}]), content_type="application/json"
            )
        return Response(
            json.dumps(door_answer("41.5866", "-93.6326")), content_type="application/json"
        )


@pytest.fixture
def fake(httpserver, settings):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = f"127.0.0.1:{httpserver.port}"
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    settings.GEOCODER_TIMEOUT_SECONDS = 0.3
    settings.GEOCODER_BREAKER_FAILURES = 3
    settings.GEOCODER_BREAKER_COOLDOWN_SECONDS = 120
    nominatim = FakeNominatim()
    httpserver.expect_request("/search").respond_with_handler(nominatim)
    return nominatim


@pytest.mark.parametrize("mode", ["503", "garbage", "garbage_json", "slow"])
def test_an_outage_stores_every_row_quickly_with_coordinates_pending_then_heals(fake, mode):
    fake.mode = mode
    started = time.monotonic()

    report = voters_import(actor=None, stream=csv_bytes(*ROWS))

    assert time.monotonic() - started < 30  # three 0.3 s timeouts, not 60; generous for CI
    assert report.created == 60
    # The breaker opened after three failures (a timed-out request may not have reached the
    # single-threaded fake yet, hence "at most").
    assert len(fake.calls) <= 3 if mode == "slow" else len(fake.calls) == 3
    assert report.geocoding["failed"] == 3 and report.geocoding["pending"] == 57
    assert report.geocoder_paused is True
    assert "paused" in report.as_dict()["geocoder_note"]
    assert Household.objects.filter(latitude__isnull=True).count() == 60
    assert Household.objects.filter(geocode_status=GeocodeStatus.PENDING).count() == 57

    # Still open: a run asks nothing and says so.
    out = StringIO()
    call_command("geocode_pending", stdout=out)
    assert "paused True" in out.getvalue()
    if mode == "slow":
        time.sleep(0.7)  # let the fake finish the requests the client gave up on
    calls = len(fake.calls)

    fake.mode = "healthy"
    with time_machine.travel(time.time() + 121, tick=True):
        out = StringIO()
        call_command("geocode_pending", "--limit", "1000", stdout=out)

    assert "geocoded 60" in out.getvalue() and "still_pending 0" in out.getvalue()
    assert len(fake.calls) == calls + 60
    assert Household.objects.filter(geocode_status=GeocodeStatus.GEOCODED).count() == 60
    assert not Household.objects.filter(latitude__isnull=True).exists()


def test_a_re_import_with_a_healthy_geocoder_heals_failed_and_pending_doors(fake):
    fake.mode = "503"
    voters_import(actor=None, stream=csv_bytes(*ROWS[:10]))
    assert Household.objects.filter(geocode_status=GeocodeStatus.FAILED).count() == 3

    fake.mode = "healthy"
    with time_machine.travel(time.time() + 121, tick=True):
        report = voters_import(actor=None, stream=csv_bytes(*ROWS[:10]))

    assert report.unchanged == 10
    assert Household.objects.filter(geocode_status=GeocodeStatus.GEOCODED).count() == 10


def test_the_field_lead_endpoint_heals_doors_and_a_canvasser_may_not(
    fake, client_for, lead_a, canvasser_a
):
    fake.mode = "503"
    voters_import(actor=None, stream=csv_bytes(*ROWS[:5]))
    fake.mode = "healthy"

    assert client_for(canvasser_a).post("/api/households/geocode-pending").status_code == 403
    with time_machine.travel(time.time() + 121, tick=True):
        response = client_for(lead_a).post("/api/households/geocode-pending")

    assert response.status_code == 202
    assert response.json() == {"waiting": 5, "started": True}
    assert Household.objects.filter(geocode_status=GeocodeStatus.GEOCODED).count() == 5
    assert client_for(lead_a).post("/api/households/geocode-pending").json() == {
        "waiting": 0,
        "started": False,
    }


def test_the_periodic_task_is_scheduled_and_heals_with_the_same_cache(fake):
    assert celery_app.conf.beat_schedule["geocode-pending"]["task"] == "geocode.pending"
    fake.mode = "503"
    voters_import(actor=None, stream=csv_bytes(ROWS[0], ROWS[0].replace("IA0000", "IA9999") + ""))
    fake.mode = "healthy"
    calls_before = len(fake.calls)

    with time_machine.travel(time.time() + 121, tick=True):
        result = geocode_pending_task.delay().get()

    # Two voters at one door: one household, one question to the geocoder.
    assert result["geocoded"] == 1
    assert len(fake.calls) == calls_before + 1


def test_an_area_answer_never_places_a_household_whatever_its_rank(fake, httpserver):
    answer = copy.deepcopy(CITY_ANSWER[0])
    answer.update(
        {
            "lat": "41.5910",
            "lon": "-93.6037",
            "place_rank": 30,
            "class": "boundary",
            "type": "administrative",
            "addresstype": "city",
            "address": {"house_number": "100", "city": "Des Moines", "state": "Iowa"},
        }
    )
    fake.mode = "area"
    httpserver.clear_all_handlers()
    httpserver.expect_request("/search").respond_with_json([answer])

    report = voters_import(actor=None, stream=csv_bytes(ROWS[0]))

    household = Household.objects.get()
    assert (household.latitude, household.geocode_status) == (None, GeocodeStatus.NEEDS_REVIEW)
    assert report.geocoding["needs_review"] == 1
