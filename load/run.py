"""`make load`: a bounded load run against gunicorn on 127.0.0.1 with PostgreSQL and Redis.

1. creates a scratch database (LOAD_DB, default fieldload), migrates and seeds it;
2. starts gunicorn (4 workers) on 127.0.0.1:8010 with production-like settings, Redis cache;
3. runs locust headless (canvassers pulling walk lists and syncing, volunteers signing up,
   Twilio status callbacks) for LOAD_SECONDS (default 60) or LOAD_MAX_REQUESTS requests;
4. prints throughput, p50/p95/p99 latency and error counts per request type; stops everything.

Exit status is non-zero if any request failed with a 5xx or a connection error.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "load"
PG = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("LOAD_DB", "fieldload")
PORT = int(os.environ.get("LOAD_PORT", "8010"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
USERS = int(os.environ.get("LOAD_USERS", "40"))
CANVASSERS = int(os.environ.get("LOAD_CANVASSERS", "30"))
PY = sys.executable


def server_env() -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{DB}",
        DEBUG="0",
        SECRET_KEY="load-" + "x" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        FIELD_ENCRYPTION_KEYS=env.get("FIELD_ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
        PII_HASH_KEY="load-pii-hash-key-" + "k" * 30,
        REDIS_URL=env.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        THROTTLE_ANON="1000000/minute",
        THROTTLE_USER="1000000/minute",
        THROTTLE_SIGNUP="1000000/hour",
        THROTTLE_SIGNUP_PHONE="1000000/hour",
        TWILIO_AUTH_TOKEN="load-twilio-auth-token",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{PORT}",
        SMS_BACKEND="locmem",
        LOG_LEVEL="WARNING",
    )
    return env


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url} in {seconds} s")


def report(stats_csv: Path) -> int:
    rows = list(csv.DictReader(stats_csv.open()))
    print(
        f"\n{'request':<22}{'count':>8}{'fail':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    )
    for row in rows:
        print(
            f"{row['Name'][:21]:<22}{row['Request Count']:>8}{row['Failure Count']:>7}"
            f"{float(row['Requests/s']):>9.1f}{row['50%']:>9}{row['95%']:>9}{row['99%']:>9}"
        )
    return int(next(r for r in rows if r["Name"] == "Aggregated")["Failure Count"])


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    env = server_env()
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    fixtures = VAR / "fixtures.json"
    subprocess.run(
        [PY, "load/seed.py", str(CANVASSERS), str(fixtures)], cwd=ROOT, env=env, check=True
    )

    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "backend.wsgi:application",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        started = time.monotonic()
        subprocess.run(
            [
                PY,
                "-m",
                "locust",
                "-f",
                "load/locustfile.py",
                "--headless",
                "-u",
                str(USERS),
                "-r",
                "10",
                "-t",
                f"{SECONDS}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(VAR / "stats"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "LOAD_FIXTURES": str(fixtures)},
            check=False,
            timeout=SECONDS + 120,
        )
        elapsed = time.monotonic() - started
        failures = report(VAR / "stats_stats.csv")
        print(
            f"\nload run: {USERS} users for {elapsed:.0f} s against gunicorn (4 workers), PostgreSQL, Redis"
        )
        print(f"failed requests: {failures}")
        return 1 if failures else 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
