"""Benchmark: import a generated voter file; compare with a raw psycopg COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/field .venv/bin/python bench/import_voters.py
    ... bench/import_voters.py --million      # 200,000 and 1,000,000 rows
    ... bench/import_voters.py --quick        # 20,000 rows

Runs in a scratch database (`<name>_bench`, dropped at the end). For each size (200,000 rows
by default; `--million` adds a 1,000,000-row run) it prints:
- the import rate (rows/s) of `voters_import` on a fresh database, and its peak memory growth
  (resident memory sampled during the run), to show memory stays flat as the file grows;
- the time of re-importing the unchanged file and how many voter and household rows it wrote
  (rows whose physical location or change stamp moved: any UPDATE moves a row);
- in the same run, the rate of a raw psycopg COPY of the same CSV rows into the same tables
  (households and voters, no normalization, no encryption), and the ratio.
The file is generated: real Iowa towns, ZIPs and counties (from the SOS polling-place file),
common names with some accents, four spellings of O'Brien.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import tempfile
import threading
import time
from pathlib import Path

import _scratch
from _report import result

FIRST_NAMES = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Margaret",
    "Donald",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Kimberly",
    "Andrew",
    "Emily",
    "Joshua",
    "Donna",
    "Kenneth",
    "Michelle",
    "José",
    "María",
    "Nguyễn",
    "Søren",
    "Zoë",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Miller",
    "Anderson",
    "Nelson",
    "Peterson",
    "Larson",
    "Olson",
    "Schmidt",
    "Schultz",
    "Meyer",
    "Hansen",
    "Jensen",
    "Christensen",
    "Hoffmann",
    "Wagner",
    "Becker",
    "Klein",
    "Weber",
    "Koch",
    "Brown",
    "Jones",
    "Garcia",
    "Martinez",
    "Hernández",
    "Nguyen",
    "Tran",
    "Lopez",
    "Davis",
    "Wilson",
    "Moore",
    "Taylor",
    "Thomas",
    "Jackson",
    "White",
    "Harris",
    "Martin",
    "Thompson",
    "O'Brien",
    "McDonald",
    "Van Der Berg",
    "De Jong",
]
STREET_NAMES = [
    "Main",
    "Oak",
    "Maple",
    "Elm",
    "Walnut",
    "Cedar",
    "Pine",
    "Park",
    "Washington",
    "Lincoln",
    "Jefferson",
    "Grand",
    "University",
    "Ingersoll",
    "Locust",
    "Court",
    "Center",
    "Church",
    "High",
    "Mill",
    "1st",
    "2nd",
    "3rd",
    "4th",
    "5th",
    "6th",
    "7th",
    "8th",
    "9th",
    "10th",
    "Prairie",
    "River",
    "Lake",
    "Hickory",
    "Division",
    "Broadway",
    "College",
    "Jackson",
]
SUFFIXES = ["St", "Street", "Ave", "Avenue", "Rd", "Road", "Dr", "Drive", "Ct", "Ln", "Blvd"]
DIRECTIONS = ["", "", "", "N", "S", "E", "W", "North", "NE", "SW"]
HEADER = [
    "voter_id",
    "first_name",
    "middle_name",
    "last_name",
    "party",
    "birth_year",
    "phone",
    "language",
    "street",
    "unit",
    "city",
    "state",
    "zip",
    "county",
    "latitude",
    "longitude",
]


def iowa_places() -> list[tuple[str, str, str]]:
    """(city, ZIP, county as the file spells it) of the real Iowa polling places: real towns."""
    from django.conf import settings

    data = Path(settings.SHARED_DATA_DIR) / "iowa_polling_places_2020.csv"
    places: dict[tuple[str, str], str] = {}
    with data.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            address = row["address"].replace("_x000D_", " ").replace("\n", " ")
            parts = [part.strip() for part in address.split(",")]
            if len(parts) >= 3 and parts[-1].startswith("IA "):
                places[(parts[-2].title(), parts[-1][3:8])] = row["county_name"]
    # Voter files spell some counties several ways; so does this one.
    spellings = {"O'Brien": ["O'Brien", "OBRIEN", "O BRIEN", "Obrien"]}
    return [
        (city, zip_code, county)
        for (city, zip_code), base in sorted(places.items())
        for county in spellings.get(base, [base])
    ]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A fake Iowa voter file: real towns, ZIPs and counties, common names (some accented),
    ~1.6 voters per door, a tenth in apartments, half with phones, 90% with coordinates."""
    rng = random.Random(seed)
    places = iowa_places()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        written = 0
        door = 0
        while written < rows:
            door += 1
            city, zip_code, county = places[door % len(places)]
            direction = rng.choice(DIRECTIONS)
            street = " ".join(
                part
                for part in (
                    str(rng.randint(1, 9999)),
                    direction,
                    rng.choice(STREET_NAMES),
                    rng.choice(SUFFIXES),
                )
                if part
            )
            unit = f"Apt {rng.randint(1, 40)}" if rng.random() < 0.1 else ""
            with_coordinates = rng.random() < 0.9
            lat = 40.4 + rng.random() * 3.1
            lon = -96.6 + rng.random() * 6.5
            last_name = rng.choice(LAST_NAMES)
            for _ in range(min(rng.choice([1, 1, 2, 2, 3]), rows - written)):
                written += 1
                phone = f"515{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
                writer.writerow(
                    [
                        f"IA{written:09d}",
                        rng.choice(FIRST_NAMES),
                        rng.choice("ABCDEFGHJKLMNPRSTW"),
                        last_name,
                        rng.choice(["DEM", "REP", "NP", "LIB"]),
                        rng.randint(1930, 2006),
                        phone if rng.random() < 0.5 else "",
                        rng.choice(["", "", "es", "en"]),
                        street,
                        unit,
                        city,
                        "IA",
                        zip_code,
                        county,
                        f"{lat:.6f}" if with_coordinates else "",
                        f"{lon:.6f}" if with_coordinates else "",
                    ]
                )


def truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE canvass_turfhousehold, canvass_turfassignment, canvass_turf, "
            "canvass_voter, canvass_household, canvass_voterimport RESTART IDENTITY CASCADE"
        )


def run_import(path: Path) -> tuple[float, dict]:
    from canvass.services.imports import voters_import

    started = time.perf_counter()
    with path.open("rb") as stream:
        report = voters_import(actor=None, stream=stream, source_name=path.name)
    return time.perf_counter() - started, report.counts()


def run_copy(path: Path) -> float:
    """Raw COPY of the same rows into the same two tables: one household per distinct
    (street, unit, zip), ids assigned client-side, no normalization or encryption."""
    import psycopg

    started = time.perf_counter()
    households: dict[str, int] = {}
    with psycopg.connect(_scratch.libpq_url()) as conn, conn.cursor() as cursor:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            voters: list[tuple] = []
            with cursor.copy(
                "COPY canvass_household (id, street, unit, city, state, zip_code, address_key, "
                "county, latitude, longitude, geocode_status, created_at, updated_at) FROM STDIN"
            ) as copy:
                for row in reader:
                    key = f"{row[8]}|{row[9]}|{row[12]}|{row[11]}"
                    household_id = households.get(key)
                    if household_id is None:
                        household_id = households[key] = len(households) + 1
                        copy.write_row(
                            (
                                household_id,
                                row[8],
                                row[9],
                                row[10],
                                row[11],
                                row[12],
                                key,
                                row[13],
                                float(row[14]) if row[14] else None,
                                float(row[15]) if row[15] else None,
                                "provided" if row[14] else "pending",
                                "now",
                                "now",
                            )
                        )
                    voters.append((row, household_id))
            with cursor.copy(
                "COPY canvass_voter (state_voter_id, first_name, middle_name, last_name, party, "
                "birth_year, phone, phone_hash, language, household_id, created_at, updated_at) "
                "FROM STDIN"
            ) as copy:
                for row, household_id in voters:
                    copy.write_row(
                        (
                            row[0],
                            row[1],
                            row[2],
                            row[3],
                            row[4],
                            int(row[5]),
                            row[6],
                            "",
                            row[7],
                            household_id,
                            "now",
                            "now",
                        )
                    )
        conn.commit()
    return time.perf_counter() - started


class PeakRSS:
    """Samples the process's resident memory every 50 ms; `peak` is the growth over the start.
    RSS rather than tracemalloc: tracing every allocation would halve the measured speed."""

    def __init__(self) -> None:
        self.start = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss())

    def __enter__(self) -> PeakRSS:
        gc.collect()
        self.start = self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 1e6


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def remember_tuples() -> None:
    """Note where every voter and household row physically is: an UPDATE moves a row."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("canvass_voter", "canvass_household"):
            cursor.execute(f"DROP TABLE IF EXISTS before_{table}")
            cursor.execute(
                f"CREATE UNLOGGED TABLE before_{table} AS SELECT id, ctid::text AS at, change_stamp FROM {table}"
            )


def rows_written() -> int:
    """Rows of voters and households inserted, updated or deleted since remember_tuples()."""
    from django.db import connection

    total = 0
    with connection.cursor() as cursor:
        for table in ("canvass_voter", "canvass_household"):
            cursor.execute(
                f"SELECT count(*) FROM {table} t FULL JOIN before_{table} b ON b.id = t.id "
                "WHERE b.id IS NULL OR t.id IS NULL OR b.at <> t.ctid::text "
                "OR b.change_stamp <> t.change_stamp"
            )
            total += cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE before_{table}")
    return total


def bench_size(tmp: Path, rows: int) -> None:
    path = tmp / f"voters_{rows}.csv"
    generate(path, rows)
    megabytes = path.stat().st_size / 1e6
    print(f"\n== voter file: {rows:,} rows, {megabytes:.1f} MB ==", flush=True)

    # Warm up (imports, first queries) so the memory figure is the import's own growth.
    warm = tmp / "warm.csv"
    generate(warm, 200, seed=3)
    truncate()
    run_import(warm)
    truncate()
    with PeakRSS() as memory:
        seconds, counts = run_import(path)
    import_rate = rows / seconds
    print(
        f"import (fresh): {seconds:.1f} s, {import_rate:,.0f} rows/s (created "
        f"{counts['created']:,}, households {counts['households_created']:,}, skipped "
        f"{counts['skipped']}); peak memory growth {memory.growth_mb:.1f} MB",
        flush=True,
    )
    remember_tuples()
    with PeakRSS() as memory_again:
        seconds_again, counts_again = run_import(path)
    written = rows_written()
    print(
        f"re-import (same file, all unchanged): {seconds_again:.1f} s, "
        f"{rows / seconds_again:,.0f} rows/s (unchanged {counts_again['unchanged']:,}); "
        f"{seconds / seconds_again:.1f}x faster than the first (goal >= 2); rows written: "
        f"{written} (goal 0); peak memory growth {memory_again.growth_mb:.1f} MB",
        flush=True,
    )

    truncate()
    copy_seconds = run_copy(path)
    copy_rate = rows / copy_seconds
    print(f"raw psycopg COPY of the same rows: {copy_seconds:.1f} s, {copy_rate:,.0f} rows/s")
    print(f"ratio import/COPY: {import_rate / copy_rate:.2f} (goal >= 0.5)", flush=True)
    result(f"voter import, {rows:,} rows (raw COPY baseline)", import_rate, "rows/s", copy_rate)
    result(
        f"voter re-import unchanged, {rows:,} rows (first import baseline)",
        seconds_again,
        "s",
        seconds,
    )
    result(f"voter re-import unchanged, {rows:,} rows: rows written", written, "rows")
    result(f"import peak memory growth, {rows:,} rows", memory.growth_mb, "MB")
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--million", action="store_true", help="also run 1,000,000 rows (takes a while)"
    )
    parser.add_argument("--quick", action="store_true", help="20,000 rows only")
    args = parser.parse_args()
    sizes = [20_000] if args.quick else [args.rows]
    if args.million:
        sizes.append(1_000_000)

    name = _scratch.setup()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for size in sizes:
                bench_size(Path(tmp), size)
    finally:
        _scratch.teardown(name)


if __name__ == "__main__":
    main()
