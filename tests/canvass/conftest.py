"""Factories and real-data helpers for the canvass tests."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from canvass.models import GeocodeStatus, Household, Precinct, Turf, TurfHousehold, Voter

DATA = Path(settings.SHARED_DATA_DIR)
PRECINCTS_FILE = DATA / "iowa_precincts_2020_caucus.geojson"

HEADER = "voter_id,first_name,last_name,party,birth_year,phone,street,unit,city,state,zip,latitude,longitude"


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False) -> io.BytesIO:
    text = "\n".join([header, *lines]) + "\n"
    data = text.encode("utf-8")
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + data)


@lru_cache(maxsize=1)
def rrad_addresses() -> list[dict[str, Any]]:
    return json.loads((DATA / "us_addresses_rrad_3220.json").read_text())["addresses"]


@lru_cache(maxsize=1)
def precinct_features() -> dict[str, Any]:
    return json.loads(PRECINCTS_FILE.read_text())


def load_precincts(*names: tuple[str, str]) -> list[Precinct]:
    """Load chosen real precincts (county, name) straight into the table, fast."""
    from canvass.geometry import match_key, parse_area

    wanted = {(match_key(c), match_key(n)) for c, n in names}
    created = []
    for feature in precinct_features()["features"]:
        props = feature["properties"]
        key = (match_key(props["COUNTY"]), match_key(props["NAME"]))
        if key not in wanted:
            continue
        area = parse_area(feature["geometry"], repair=True)
        min_lat, max_lat, min_lon, max_lon = area.bbox
        created.append(
            Precinct.objects.create(
                county=props["COUNTY"],
                county_key=key[0],
                name=props["NAME"],
                name_key=key[1],
                boundary=area.geojson,
                min_lat=min_lat,
                max_lat=max_lat,
                min_lon=min_lon,
                max_lon=max_lon,
                geometry_repaired=area.repaired,
            )
        )
    return created


_counter = {"n": 0}


def make_household(lat: float | None, lon: float | None, **extra: Any) -> Household:
    _counter["n"] += 1
    n = _counter["n"]
    values = {
        "street": f"{n} TEST ST",
        "city": "DES MOINES",
        "state": "IA",
        "zip_code": "50309",
        "address_key": f"{n} TEST ST||50309|IA",
        "latitude": lat,
        "longitude": lon,
        "geocode_status": GeocodeStatus.PROVIDED if lat is not None else GeocodeStatus.PENDING,
    }
    values.update(extra)
    return Household.objects.create(**values)


def make_voter(household: Household, **extra: Any) -> Voter:
    _counter["n"] += 1
    values = {
        "state_voter_id": f"T{_counter['n']:07d}",
        "first_name": "Fake",
        "last_name": f"Person{_counter['n']}",
        "party": "DEM",
        "birth_year": 1990,
        "phone": "+15155550100",
        "household": household,
    }
    values.update(extra)
    return Voter.objects.create(**values)


def make_turf(team: Any, households: list[Household], **extra: Any) -> Turf:
    turf = Turf.objects.create(name=extra.pop("name", "Test turf"), team=team, **extra)
    TurfHousehold.objects.bulk_create(
        TurfHousehold(turf=turf, household=h, position=i) for i, h in enumerate(households, 1)
    )
    return turf


@pytest.fixture
def grid_households(db: None) -> Callable[..., list[Household]]:
    """A rows x cols grid of households around downtown Des Moines, ~100 m apart."""

    def make(rows: int, cols: int, lat0: float = 41.586, lon0: float = -93.625) -> list[Household]:
        return [
            make_household(lat0 + r * 0.0009, lon0 + c * 0.0012)
            for r in range(rows)
            for c in range(cols)
        ]

    return make


# --- Sync helpers -----------------------------------------------------------------------------

DOOR_LAT, DOOR_LON = 41.586, -93.625


def assign(turf: Turf, canvasser: Any) -> Any:
    from django.utils import timezone

    from canvass.models import TurfAssignment

    return TurfAssignment.objects.create(turf=turf, canvasser=canvasser, assigned_at=timezone.now())


def log_item(household: Household, **extra: Any) -> dict[str, Any]:
    """A valid pushed log for `household`, 10 m from the door, contacted a minute ago."""
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    item: dict[str, Any] = {
        "client_uuid": str(uuid.uuid4()),
        "household": household.pk,
        "result": "contacted",
        "support_level": 2,
        "contacted_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "location": {
            "latitude": (household.latitude or DOOR_LAT) + 0.00009,
            "longitude": household.longitude or DOOR_LON,
            "accuracy_m": 8,
        },
    }
    item.update(extra)
    return item


def batch(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    import uuid

    body: dict[str, Any] = {
        "device_id": "phone-1",
        "batch_id": str(uuid.uuid4()),
        "app_version": "1.4.0",
        "pending_count": 0,
        "logs": list(items),
    }
    body.update(extra)
    return body


@pytest.fixture
def turf_a(team_a: Any, canvasser_a: Any, grid_households: Callable[..., list[Household]]) -> Turf:
    """Team A's turf of 6 doors, assigned to canvasser_a."""
    turf = make_turf(team_a, grid_households(2, 3), name="Turf A")
    assign(turf, canvasser_a)
    return turf


@pytest.fixture
def turf_b(team_b: Any, canvasser_b: Any) -> Turf:
    """Team B's turf of 3 doors, assigned to canvasser_b."""
    turf = make_turf(
        team_b, [make_household(41.60 + i * 0.001, -93.60) for i in range(3)], name="Turf B"
    )
    assign(turf, canvasser_b)
    return turf


def doors(turf: Turf) -> list[Household]:
    return [s.household for s in turf.stops.select_related("household").order_by("position")]


@pytest.fixture(autouse=True)
def _platform_planks(request: pytest.FixtureRequest) -> None:
    """The four planks migration 0009 writes, back after a transactional test flushed them (a
    flush empties every table, data-migration rows included)."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not (request.node.get_closest_marker("django_db") or uses_db):
        return
    request.getfixturevalue("_django_db_helper")
    from canvass.models import Plank

    if Plank.objects.exists():
        return
    import importlib

    migration = importlib.import_module("canvass.migrations.0009_platform_planks")
    for position, (code, title_en, title_es, summary_en, summary_es) in enumerate(
        migration.PLANKS, 1
    ):
        Plank.objects.create(
            code=code,
            position=position,
            title_en=title_en,
            title_es=title_es,
            summary_en=summary_en,
            summary_es=summary_es,
        )
