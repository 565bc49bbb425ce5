"""Benchmark: the public nearby search, through the API vs raw SQL plus a Python distance sort.

Creates N caucus sites with one upcoming public event each (default 5,000) at random points in
Iowa, then runs Q nearby queries (default 1,000) from random points in Iowa:

  api  GET /api/public/events/nearby through the full Django stack (WSGI handler via Django's
       test Client in this process: middleware, URL routing, DRF, serializers), no network.
  raw  the same bounding-box SELECT by hand (one cursor.execute) and the same great-circle
       filter and sort in Python, returning only ids and distances.

Run against PostgreSQL (DATABASE_URL). The bench rows are tagged and deleted at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/field_events .venv/bin/python bench/nearby.py
    ... bench/nearby.py --quick          # 1,000 sites, 200 queries
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")
# The benchmark is one client asking many times: lift the anonymous throttle for it.
os.environ["THROTTLE_ANON"] = "100000000/minute"

import django

django.setup()

from _report import result  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from backend.accounts.models import Team  # noqa: E402
from backend.geo.services import bounding_box, distance_m  # noqa: E402
from events.models import Event, EventKind, Location  # noqa: E402

IOWA = (40.40, 43.50, -96.60, -90.15)  # min_lat, max_lat, min_lon, max_lon
TAG = "BENCH|"
RADIUS_KM = 25.0
LIMIT = 50


def seed(sites: int, rng: random.Random) -> None:
    team, _ = Team.objects.get_or_create(name="Bench Team")
    start = timezone.now() + timedelta(days=7)
    with transaction.atomic():
        locations = Location.objects.bulk_create(
            [
                Location(
                    name=f"Bench site {i}",
                    source_key=f"{TAG}{i}",
                    zip_code="00000",
                    latitude=rng.uniform(IOWA[0], IOWA[1]),
                    longitude=rng.uniform(IOWA[2], IOWA[3]),
                )
                for i in range(sites)
            ],
            batch_size=1000,
        )
        Event.objects.bulk_create(
            [
                Event(
                    title=f"Bench event {i}",
                    kind=EventKind.CANVASS_LAUNCH,
                    location=location,
                    starts_at=start + timedelta(minutes=i),
                    ends_at=start + timedelta(minutes=i, hours=2),
                    team=team,
                )
                for i, location in enumerate(locations)
            ],
            batch_size=1000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_location")
        cursor.execute("ANALYZE events_event")


def cleanup() -> None:
    Event.objects.filter(location__source_key__startswith=TAG).delete()
    Location.objects.filter(source_key__startswith=TAG).delete()
    Team.objects.filter(name="Bench Team", events__isnull=True).delete()


RAW_SQL = """
SELECT e.id, l.latitude, l.longitude
FROM events_event e JOIN events_location l ON l.id = e.location_id
WHERE e.is_public AND e.status = 'scheduled' AND e.ends_at > %s
  AND l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s
"""


def raw_nearby(lat: float, lon: float) -> list[tuple[int, float]]:
    radius_m = RADIUS_KM * 1000
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_m)
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, [timezone.now(), min_lat, max_lat, min_lon, max_lon])
        rows = cursor.fetchall()
    found = [(pk, distance_m(lat, lon, plat, plon)) for pk, plat, plon in rows]
    found = [item for item in found if item[1] <= radius_m]
    found.sort(key=lambda item: item[1])
    return found[:LIMIT]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="1,000 sites and 200 queries")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.quick:
        args.sites, args.queries = 1000, 200
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; set DATABASE_URL for meaningful figures", file=sys.stderr)
    settings.DEBUG = False  # do not keep every SQL statement in memory
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    cleanup()
    t0 = time.perf_counter()
    seed(args.sites, rng)
    print(
        f"seeded {args.sites} sites/events in {time.perf_counter() - t0:.1f}s on {connection.vendor}"
    )
    points = [
        (rng.uniform(IOWA[0], IOWA[1]), rng.uniform(IOWA[2], IOWA[3])) for _ in range(args.queries)
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    try:
        # Warm up both paths (connections, caches, imports).
        for lat, lon in points[:20]:
            client.get("/api/public/events/nearby", {"latitude": lat, "longitude": lon})
            raw_nearby(lat, lon)

        results = 0
        t0 = time.perf_counter()
        for lat, lon in points:
            response = client.get(
                "/api/public/events/nearby",
                {"latitude": lat, "longitude": lon, "radius_km": RADIUS_KM, "limit": LIMIT},
            )
            assert response.status_code == 200, response.content[:200]
            results += response.json()["count"]
        api_seconds = time.perf_counter() - t0

        raw_results = 0
        t0 = time.perf_counter()
        for lat, lon in points:
            raw_results += len(raw_nearby(lat, lon))
        raw_seconds = time.perf_counter() - t0
    finally:
        cleanup()

    assert results == raw_results, (results, raw_results)
    api_qps = args.queries / api_seconds
    raw_qps = args.queries / raw_seconds
    print(f"sites={args.sites} queries={args.queries} radius_km={RADIUS_KM} limit={LIMIT}")
    print(f"mean results per query: {results / args.queries:.1f}")
    print(
        f"api (Django test Client -> WSGI stack, in process): {api_qps:,.0f} queries/s "
        f"({1000 * api_seconds / args.queries:.2f} ms/query)"
    )
    print(
        f"raw SQL + Python distance sort:                  {raw_qps:,.0f} queries/s "
        f"({1000 * raw_seconds / args.queries:.2f} ms/query)"
    )
    print(f"ratio api/raw: {api_qps / raw_qps:.3f} (raw is {raw_qps / api_qps:.1f}x faster)")
    result(
        f"nearby search via API, {args.sites:,} sites (raw SQL + sort baseline)",
        api_qps,
        "queries/s",
        raw_qps,
    )


if __name__ == "__main__":
    main()
