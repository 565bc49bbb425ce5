"""Benchmark: import a generated voter file; compare with a raw psycopg COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/field .venv/bin/python bench/import_voters.py
    ... bench/import_voters.py --rows 50000 --memory-rows 10000,40000
    ... bench/import_voters.py --quick

Runs in a scratch database (`<name>_bench`, dropped at the end). Prints:
- the import rate (rows/s) of `voters_import` on a fresh database, and of re-importing the
  same file (every row matched by voter id, nothing changed);
- in the same run, the rate of a raw psycopg COPY of the same CSV rows into the same tables
  (households and voters, no normalization, no encryption), and the ratio;
- peak traced Python memory (tracemalloc) of the import at two file sizes, to show it stays flat.
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

import _scratch
from _report import result

STREETS = ["Grand", "Ingersoll", "University", "Forest", "Hickman", "Euclid", "Douglas", "Park"]
SUFFIXES = ["Ave", "Avenue", "St", "Street", "Rd", "Dr"]
ZIPS = ["50309", "50310", "50311", "50312", "50313", "50314", "50315", "50316"]
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


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A fake voter file: ~1.6 voters per door, half with phones, all with coordinates."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        written = 0
        door = 0
        while written < rows:
            door += 1
            street = f"{door % 9000 + 100} {rng.choice('NSEW')} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
            unit = f"Apt {rng.randint(1, 40)}" if rng.random() < 0.1 else ""
            zip_code = ZIPS[door % len(ZIPS)]
            street = f"{street} {door // 9000}" if door >= 9000 else street
            lat = 41.55 + rng.random() * 0.1
            lon = -93.70 + rng.random() * 0.15
            for _ in range(min(rng.choice([1, 1, 2, 2, 3]), rows - written)):
                written += 1
                phone = f"515{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
                writer.writerow(
                    [
                        f"IA{written:09d}",
                        "Fake",
                        "Q",
                        f"Person{written}",
                        rng.choice(["DEM", "REP", "NP", "LIB"]),
                        rng.randint(1930, 2006),
                        phone if rng.random() < 0.5 else "",
                        rng.choice(["", "", "es", "en"]),
                        street,
                        unit,
                        "Des Moines",
                        "IA",
                        zip_code,
                        "Polk",
                        f"{lat:.6f}",
                        f"{lon:.6f}",
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
                                float(row[14]),
                                float(row[15]),
                                "provided",
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


def peak_memory(path: Path) -> int:
    truncate()
    gc.collect()
    tracemalloc.start()
    run_import(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--memory-rows", default="25000,100000", help="two file sizes for the memory check"
    )
    parser.add_argument("--quick", action="store_true", help="20,000 rows; memory at 5k and 20k")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.memory_rows = 20_000, "5000,20000"
    memory_sizes = [int(size) for size in args.memory_rows.split(",")]

    name = _scratch.setup()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "voters.csv"
            generate(path, args.rows)
            megabytes = path.stat().st_size / 1e6
            print(f"voter file: {args.rows:,} rows, {megabytes:.1f} MB")

            truncate()
            seconds, counts = run_import(path)
            import_rate = args.rows / seconds
            print(
                f"import (fresh): {seconds:.1f} s, {import_rate:,.0f} rows/s "
                f"(created {counts['created']:,}, households {counts['households_created']:,}, "
                f"skipped {counts['skipped']})"
            )
            seconds_again, counts_again = run_import(path)
            print(
                f"re-import (same file, all unchanged): {seconds_again:.1f} s, "
                f"{args.rows / seconds_again:,.0f} rows/s (unchanged {counts_again['unchanged']:,})"
            )

            truncate()
            copy_seconds = run_copy(path)
            copy_rate = args.rows / copy_seconds
            print(
                f"raw psycopg COPY of the same rows: {copy_seconds:.1f} s, {copy_rate:,.0f} rows/s"
            )
            print(f"ratio import/COPY: {import_rate / copy_rate:.2f} (goal >= 0.25)")
            result(
                f"voter import, {args.rows:,} rows (raw COPY baseline)",
                import_rate,
                "rows/s",
                copy_rate,
            )

            peaks = []
            for size in memory_sizes:
                small = Path(tmp) / f"voters_{size}.csv"
                generate(small, size, seed=2)
                peaks.append(peak_memory(small))
                print(f"peak traced memory, {size:,} rows: {peaks[-1] / 1e6:.1f} MB")
            print(
                f"memory growth for {memory_sizes[-1] / memory_sizes[0]:.0f}x the rows: "
                f"{peaks[-1] / peaks[0]:.2f}x"
            )
            result(
                f"import peak memory, {memory_sizes[-1]:,} vs {memory_sizes[0]:,} rows",
                peaks[-1] / 1e6,
                "MB",
                peaks[0] / 1e6,
            )
    finally:
        _scratch.teardown(name)


if __name__ == "__main__":
    main()
