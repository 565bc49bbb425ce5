"""Loading the real Iowa precinct layer: polygons, multipolygons, repairs, county matching."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from canvass.models import Precinct
from canvass.services.precincts import precinct_for_point, precincts_import
from tests.canvass.conftest import PRECINCTS_FILE

pytestmark = pytest.mark.django_db


def test_the_whole_iowa_layer_loads_with_invalid_polygons_repaired_and_recorded():
    report = precincts_import(path=PRECINCTS_FILE)

    assert (report.features, report.created, report.skipped, report.repaired) == (1678, 1678, 0, 9)
    assert Precinct.objects.count() == 1678
    assert Precinct.objects.values("county_key").distinct().count() == 99
    repaired = Precinct.objects.filter(geometry_repaired=True)
    assert repaired.count() == 9
    webster = Precinct.objects.get(county="Hamilton", name="Webster City 1")
    assert webster.geometry_repaired
    assert webster.invalid_reason.startswith("Self-intersection")
    assert shape(webster.boundary).is_valid
    assert Precinct.objects.filter(boundary__type="MultiPolygon").count() >= 10
    assert all(shape(p.boundary).is_valid for p in repaired)


def test_reimporting_a_county_updates_in_place_and_county_matches_ignoring_punctuation():
    first = precincts_import(path=PRECINCTS_FILE, counties=["O'Brien"])
    second = precincts_import(path=PRECINCTS_FILE, counties=["o'brien"])

    assert (first.created, second.created, second.updated) == (9, 0, 9)
    assert Precinct.objects.count() == 9
    assert set(Precinct.objects.values_list("county", flat=True)) == {"O'Brien"}


def test_a_point_finds_its_precinct_by_bbox_prefilter_and_polygon():
    precincts_import(path=PRECINCTS_FILE, counties=["Story"])
    story_city = Precinct.objects.get(name="Story City")
    inside = shape(story_city.boundary).representative_point()

    assert precinct_for_point(latitude=inside.y, longitude=inside.x) == story_city
    assert precinct_for_point(latitude=41.59, longitude=-93.62) is None  # Des Moines, not loaded


def test_bad_features_are_reported_per_feature_not_dropped_silently(tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"COUNTY": "Polk", "NAME": "Good"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-93.6, 41.5], [-93.5, 41.5], [-93.5, 41.6], [-93.6, 41.5]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"COUNTY": "Polk", "NAME": "Point"},
            "geometry": {"type": "Point", "coordinates": [-93.6, 41.5]},
        },
        {
            "type": "Feature",
            "properties": {"COUNTY": "Polk", "NAME": "Far away"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-293.6, 41.5], [-93.5, 41.5], [-93.5, 41.6], [-293.6, 41.5]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"COUNTY": "", "NAME": "Nameless county"},
            "geometry": None,
        },
    ]
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    report = precincts_import(path=path)

    assert (report.created, report.skipped) == (1, 3)
    assert [p["feature"] for p in report.problems] == [1, 2, 3]
    assert "Polygon or MultiPolygon" in report.problems[0]["error"]
    assert "out of range" in report.problems[1]["error"]


def test_import_precincts_command_reports_repairs_and_rejects_non_geojson(tmp_path):
    out = StringIO()
    call_command("import_precincts", str(PRECINCTS_FILE), "--county", "Hamilton", stdout=out)
    assert "repaired" in out.getvalue() and "Webster City 1" in out.getvalue()

    bad = tmp_path / "bad.geojson"
    bad.write_text("not json")
    with pytest.raises(CommandError, match="Cannot read GeoJSON"):
        call_command("import_precincts", str(bad), stdout=StringIO())
