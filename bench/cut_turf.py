"""Benchmark: cut 50,000 households into turfs of 50 and compare walk order with import order.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/field .venv/bin/python bench/cut_turf.py
    ... bench/cut_turf.py --households 10000 --size 50
    ... bench/cut_turf.py --quick

Runs in a scratch database (`<name>_bench`, dropped at the end). The households sit on a street
grid around Des Moines and are created in voter-file order (sorted by street name, then house
number), which is the "import order" each turf's route is compared with.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import _scratch
from _report import result


def make_households(count: int, seed: int = 1) -> None:
    from django.db import transaction
    from django.utils import timezone

    from canvass.models import GeocodeStatus, Household
    from canvass.services.bulk import households_insert

    rng = random.Random(seed)
    # East-west streets 80 m apart, houses every 15 m; a few per cent of lots are empty.
    doors = []
    street = 0
    while len(doors) < count:
        street += 1
        lat = 41.55 + street * 0.00072
        for number in range(1, 400):
            if rng.random() < 0.05:
                continue
            lon = -93.75 + number * 0.00018 + rng.uniform(-0.00003, 0.00003)
            doors.append(
                (f"STREET {street:04d}", number * 2, lat + rng.uniform(-0.0001, 0.0001), lon)
            )
            if len(doors) >= count:
                break
    now = timezone.now()
    households = [
        Household(
            street=f"{number} {name}",
            city="DES MOINES",
            state="IA",
            zip_code="50310",
            address_key=f"{number} {name}||50310|IA",
            latitude=lat,
            longitude=lon,
            geocode_status=GeocodeStatus.PROVIDED,
        )
        for name, number, lat, lon in sorted(doors)
    ]
    with transaction.atomic():
        for start in range(0, len(households), 5000):
            households_insert(households[start : start + 5000], now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--size", type=int, default=50, help="doors per turf")
    parser.add_argument("--quick", action="store_true", help="5,000 households")
    args = parser.parse_args()
    if args.quick:
        args.households = 5_000

    name = _scratch.setup()
    try:
        from backend.accounts.models import Role, Team, User
        from canvass.models import TurfHousehold
        from canvass.routing import route_length
        from canvass.services.turf import turf_auto_cut

        team = Team.objects.create(name="Bench team")
        organizer = User.objects.create(username="bench-organizer", role=Role.ORGANIZER)
        make_households(args.households)
        boundary = {
            "type": "Polygon",
            "coordinates": [
                [[-93.8, 41.5], [-93.6, 41.5], [-93.6, 42.0], [-93.8, 42.0], [-93.8, 41.5]]
            ],
        }

        started = time.perf_counter()
        turfs = turf_auto_cut(
            actor=organizer,
            team=team,
            boundary=boundary,
            min_doors=args.size,
            max_doors=args.size,
        )
        seconds = time.perf_counter() - started

        stops: dict[int, list[tuple[int, int, float, float]]] = {}
        for turf_id, position, household_id, lat, lon in TurfHousehold.objects.values_list(
            "turf_id", "position", "household_id", "household__latitude", "household__longitude"
        ).iterator(chunk_size=10_000):
            stops.setdefault(turf_id, []).append((position, household_id, lat, lon))
        import_lengths, walk_lengths = [], []
        for members in stops.values():
            by_import = [(lat, lon) for _, _, lat, lon in sorted(members, key=lambda m: m[1])]
            by_walk = [(lat, lon) for _, _, lat, lon in sorted(members)]
            import_lengths.append(route_length(by_import))
            walk_lengths.append(route_length(by_walk))
        sizes = [len(members) for members in stops.values()]
        mean_import = statistics.mean(import_lengths)
        mean_walk = statistics.mean(walk_lengths)
        print(
            f"households: {args.households:,}; turfs: {len(turfs):,} (sizes {min(sizes)}-{max(sizes)})"
        )
        print(
            f"cut + walk order + write: {seconds:.1f} s ({seconds / len(turfs) * 1000:.0f} ms per turf)"
        )
        print(f"mean route, import order: {mean_import:,.0f} m")
        print(
            f"mean route, walk order:   {mean_walk:,.0f} m ({1 - mean_walk / mean_import:.0%} shorter)"
        )
        longer = sum(w > i + 1e-6 for w, i in zip(walk_lengths, import_lengths, strict=True))
        print(f"turfs whose walk is longer than import order: {longer}")
        result(f"cut {args.households:,} households into turfs of {args.size}", seconds, "s")
        result("mean walk route vs import order", mean_walk, "m", mean_import)
        result("turfs whose walk is longer than import order", longer, "turfs")
    finally:
        _scratch.teardown(name)


if __name__ == "__main__":
    main()
