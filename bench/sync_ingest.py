"""Sync ingest: batches of 500 conversation logs pushed through the real HTTP API (gunicorn on
127.0.0.1) against a raw psycopg binary COPY of equivalent rows into the same table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/field_sync .venv/bin/python bench/sync_ingest.py
    ... --quick            (fewer batches)
    ... --batches 40 --workers 2 --clients 2

Uses a scratch database `<name>_bench` (created, migrated and dropped). Prints the figures and a
final machine-readable line per figure:
RESULT<TAB>figure<TAB>value<TAB>unit<TAB>baseline or empty<TAB>ratio or empty
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _scratch import ROOT, libpq_url, setup, teardown

BATCH = 500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(canvassers: int, doors_each: int) -> list[dict]:
    """Teams of one canvasser each, with a turf of `doors_each` doors and a bearer token."""
    from django.utils import timezone

    from backend.accounts.models import Membership, Role, Team, User
    from backend.accounts.services import token_issue
    from canvass.models import Household, Turf, TurfAssignment, TurfHousehold

    team = Team.objects.create(name="Bench team")
    people = []
    for n in range(canvassers):
        user = User.objects.create_user(
            username=f"bench{n}", password="Bench-Pass-2026!", role=Role.CANVASSER
        )
        Membership.objects.create(team=team, user=user)
        turf = Turf.objects.create(name=f"Bench turf {n}", team=team)
        households = Household.objects.bulk_create(
            [
                Household(
                    street=f"{i} BENCH {n} ST",
                    address_key=f"{i} BENCH {n} ST||",
                    latitude=41.5 + n * 0.01 + (i % 50) * 0.0002,
                    longitude=-93.6 + (i // 50) * 0.0002,
                )
                for i in range(doors_each)
            ]
        )
        TurfHousehold.objects.bulk_create(
            TurfHousehold(turf=turf, household=h, position=i)
            for i, h in enumerate(households, start=1)
        )
        TurfAssignment.objects.create(turf=turf, canvasser=user, assigned_at=timezone.now())
        token = token_issue(user=user, device="bench").token
        people.append(
            {
                "token": token,
                "doors": [(h.pk, h.latitude, h.longitude) for h in households],
                "user_id": user.pk,
                "turf_id": turf.pk,
            }
        )
    return people


def make_batch(person: dict, start_index: int, base) -> bytes:  # type: ignore[no-untyped-def]
    logs = []
    doors = person["doors"]
    for k in range(BATCH):
        i = start_index + k
        household, lat, lon = doors[i % len(doors)]
        contacted = i % 3 == 0
        logs.append(
            {
                "client_uuid": str(uuid.uuid4()),
                "household": household,
                "result": "contacted" if contacted else "not_home",
                "support_level": (i % 5) + 1 if contacted else None,
                "pledge": "yes" if contacted and i % 2 else None,
                "notes": "Friendly; asked about the caucus site" if i % 10 == 0 else "",
                # 90 s apart: a plausible pace, spread over days.
                "contacted_at": (base + timedelta(seconds=90 * i)).isoformat(),
                "location": {"latitude": lat + 0.0001, "longitude": lon, "accuracy_m": 12},
            }
        )
    body = {
        "device_id": f"bench-{person['user_id']}",
        "batch_id": str(uuid.uuid4()),
        "app_version": "bench",
        "pending_count": 0,
        "logs": logs,
    }
    return json.dumps(body).encode()


def start_server(port: int, database_url: str, workers: int) -> subprocess.Popen:
    from cryptography.fernet import Fernet
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY if len(settings.SECRET_KEY) >= 50 else "b" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS)
        or Fernet.generate_key().decode(),
        "PII_HASH_KEY": settings.PII_HASH_KEY,
        "THROTTLE_USER": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        "GEOCODER": "off",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "backend.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


def push_all(port: int, people: list[dict], batches: int, clients: int, base) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Push `batches` batches per client thread (client i uses canvasser i); returns seconds
    and logs created."""
    bodies = [
        [make_batch(people[c], b * BATCH, base) for b in range(batches)] for c in range(clients)
    ]
    created = [0] * clients
    errors: list[str] = []

    def run(c: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {
            "Authorization": f"Bearer {people[c]['token']}",
            "Content-Type": "application/json",
        }
        for body in bodies[c]:
            conn.request("POST", "/api/sync/push", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                errors.append(f"{response.status}: {payload[:300]!r}")
                return
            created[c] += json.loads(payload)["counts"]["created"]

    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        sys.exit(f"push failed: {errors[0]}")
    return elapsed, sum(created)


def copy_baseline(people: list[dict], rows: int, base, bare: bool = False) -> float:  # type: ignore[no-untyped-def]
    """Raw binary COPY of equivalent rows (notes encrypted like the API does) into the table."""
    import psycopg
    from django.utils import timezone

    from backend.crypto import encrypt

    person = people[0]
    doors = person["doors"]
    now = timezone.now()
    prepared = []
    for i in range(rows):
        household, lat, lon = doors[i % len(doors)]
        contacted = i % 3 == 0
        prepared.append(
            (
                uuid.uuid4(),
                person["user_id"],
                household,
                person["turf_id"],
                "contacted" if contacted else "not_home",
                False,
                (i % 5) + 1 if contacted else None,
                "{}",
                "yes" if contacted and i % 2 else "",
                "",
                False,
                False,
                False,
                encrypt("Friendly; asked about the caucus site") if i % 10 == 0 else "",
                base + timedelta(seconds=90 * i),
                lat + 0.0001,
                lon,
                12.0,
                11.1,
                False,
                False,
                False,
                False,
                False,
                "bench-copy",
                uuid.uuid4(),
                now,
            )
        )
    columns = (
        "client_uuid, canvasser_id, household_id, turf_id, result, do_not_knock, support_level, "
        "answers, pledge, will_caucus, wants_to_volunteer, volunteer_consent, follow_up_needed, "
        "notes, contacted_at, latitude, longitude, accuracy_m, distance_m, flag_distance, "
        "flag_pace, flag_unverified, flag_cleared, excluded, device_id, batch_id, received_at"
    )
    types = [
        "uuid", "int8", "int8", "int8", "text", "bool", "int2", "jsonb", "text", "text", "bool",
        "bool", "bool", "text", "timestamptz", "float8", "float8", "float8", "float8", "bool",
        "bool", "bool", "bool", "bool", "text", "uuid", "timestamptz",
    ]  # fmt: skip
    table = "canvass_conversationlog"
    with psycopg.connect(libpq_url()) as conn:
        if bare:
            # Context only: a regular (WAL-logged) table with the same columns and no index,
            # foreign key or trigger.
            conn.execute(
                "CREATE TABLE bench_bare_logs (LIKE canvass_conversationlog INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
            table = "bench_bare_logs"
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(types)
            for row in prepared:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="6 batches per client")
    parser.add_argument("--batches", type=int, default=20, help="batches of 500 per client")
    parser.add_argument("--clients", type=int, default=2, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    batches = 6 if args.quick else args.batches

    name = setup()
    process = None
    try:
        from django.db import connection
        from django.utils import timezone

        people = seed(max(args.clients, 1), doors_each=600)
        connection.close()
        port = free_port()
        process = start_server(port, os.environ["DATABASE_URL"], args.workers)
        base = timezone.now() - timedelta(days=60)
        # Warm up each worker (imports, connections) with one small push per client.
        push_all(port, people, 1, args.clients, base - timedelta(days=3))
        seconds, created = push_all(port, people, batches, args.clients, base)
        api_rate = created / seconds
        rows = created
        copy_seconds = copy_baseline(people, rows, base - timedelta(days=30))
        copy_rate = rows / copy_seconds
        ratio = api_rate / copy_rate
        bare_rate = rows / copy_baseline(people, rows, base - timedelta(days=40), bare=True)
        print(
            f"API push: {created} logs in {batches * args.clients} batches of {BATCH} "
            f"({args.clients} clients, {args.workers} gunicorn workers) in {seconds:.2f} s"
        )
        print(f"  {api_rate:,.0f} logs/s; {1000 * seconds / (batches):.0f} ms per batch per client")
        print(
            f"raw binary COPY of {rows} equivalent rows: {copy_seconds:.2f} s, {copy_rate:,.0f} rows/s"
        )
        print(f"API / COPY: {ratio:.2f} (goal: at least 0.25)")
        print(
            f"(context: the same COPY into a table with the same columns but no index or foreign key: {bare_rate:,.0f} rows/s;"
            f" API / that: {api_rate / bare_rate:.2f})"
        )
        print(
            f"RESULT\tsync push logs per second\t{api_rate:.0f}\tlogs/s\t{copy_rate:.0f}\t{ratio:.3f}"
        )
        print(f"RESULT\traw COPY rows per second\t{copy_rate:.0f}\trows/s\t\t")
        print(
            f"RESULT\traw COPY into a bare table rows per second\t{bare_rate:.0f}\trows/s"
            f"\t\t{api_rate / bare_rate:.3f}"
        )
        print(f"RESULT\tsync push ms per batch of 500\t{1000 * seconds / batches:.0f}\tms\t\t")
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
        teardown(name)


if __name__ == "__main__":
    main()
