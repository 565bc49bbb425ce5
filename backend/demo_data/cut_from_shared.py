"""Cut the Polk County demo subset out of the statewide public files.

    python backend/demo_data/cut_from_shared.py [SHARED_DATA_DIR]

Reads ../shared/data (or the given directory) and rewrites the two files beside this script:
every Polk County precinct polygon and every Polk County polling place, values unchanged.
README.md beside it names the sources and their licences.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COUNTY = "Polk"
PRECINCTS = "iowa_precincts_2020_caucus.geojson"
POLLING_PLACES = "iowa_polling_places_2020.csv"
# Statewide file name -> name of the Polk County cut shipped in the repository.
SUBSETS = {
    PRECINCTS: "polk_precincts_2020_caucus.geojson",
    POLLING_PLACES: "polk_polling_places_2020.csv",
}


def cut_precincts(source: Path) -> str:
    collection = json.loads(source.read_text(encoding="utf-8"))
    features = [f for f in collection["features"] if f["properties"]["COUNTY"] == COUNTY]
    # One feature per line: small diffs if the source ever changes.
    lines = [json.dumps(feature, separators=(",", ":")) for feature in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def cut_polling_places(source: Path) -> str:
    with source.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        fields = list(reader.fieldnames or [])
        rows = [row for row in reader if row["county_name"] == COUNTY]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(shared: Path) -> None:
    (HERE / SUBSETS[PRECINCTS]).write_text(cut_precincts(shared / PRECINCTS), encoding="utf-8")
    (HERE / SUBSETS[POLLING_PLACES]).write_text(
        cut_polling_places(shared / POLLING_PLACES), encoding="utf-8"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data")
