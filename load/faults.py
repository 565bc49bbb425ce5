"""`make faults`: bounded fault runs that check nothing is lost or duplicated.

  a) PostgreSQL restarted in the middle of sync traffic: phones retry the same batch until it is
     acknowledged; afterwards every acknowledged log is in the database exactly once.
  b) Redis stopped for a minute while reminders are dispatched: API writes keep working, every
     due message is sent once Redis is back, none twice.
  c) A dispatcher killed between Twilio's acceptance and its database update: no duplicate text.

Each run prints what it checked and the script exits non-zero on any loss or duplicate.
Run it on a development machine only: it restarts the local PostgreSQL cluster and Redis.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "load"))

from run import PG, PY, VAR, psql, server_env, wait_for  # noqa: E402

PORT = int(os.environ.get("FAULTS_PORT", "8011"))
DB = "fieldfaults"


def pg_restart() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )


def post_json(url: str, body: dict, token: str, timeout: float = 10) -> dict:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read())


def run_postgres_restart(seconds: int = 30) -> bool:
    """(a) Phones push batches; PostgreSQL restarts mid-run; check exactly-once."""
    env = {
        **server_env(),
        "DATABASE_URL": f"{PG}/{DB}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{PORT}",
    }
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    fixtures_path = VAR / "faults_fixtures.json"
    subprocess.run([PY, "load/seed.py", "8", str(fixtures_path)], cwd=ROOT, env=env, check=True)
    fixtures = json.loads(fixtures_path.read_text())
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "backend.wsgi:application",
            "-w",
            "3",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    acknowledged: set[str] = set()
    errors = {"retries": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def phone(person: dict) -> None:
        while time.monotonic() < stop:
            logs = [
                {
                    "client_uuid": str(uuid.uuid4()),
                    "household": person["households"][i % len(person["households"])],
                    "result": "not_home",
                    "contacted_at": datetime.now(UTC).isoformat(),
                }
                for i in range(20)
            ]
            body = {"device_id": "faults", "batch_id": str(uuid.uuid4()), "logs": logs}
            # Retry the same batch (same ids) until the server acknowledges it: idempotent.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    answer = post_json(
                        f"http://127.0.0.1:{PORT}/api/sync/push", body, person["token"]
                    )
                    ok = {
                        i["client_uuid"]
                        for i in answer["results"]
                        if i["status"] in ("created", "duplicate")
                    }
                    with lock:
                        acknowledged.update(ok)
                    break
                except (urllib.error.URLError, OSError, ValueError):
                    with lock:
                        errors["retries"] += 1
                    time.sleep(0.5)

    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        threads = [threading.Thread(target=phone, args=(p,)) for p in fixtures["canvassers"]]
        for thread in threads:
            thread.start()
        time.sleep(seconds / 3)
        print("  restarting PostgreSQL ...", flush=True)
        pg_restart()
        for thread in threads:
            thread.join(timeout=seconds + 90)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    import psycopg

    with psycopg.connect(f"{PG}/{DB}") as conn:
        rows = conn.execute(
            "SELECT client_uuid::text, count(*) FROM canvass_conversationlog GROUP BY client_uuid"
        ).fetchall()
    stored: dict[str, int] = dict(rows)
    lost = [u for u in acknowledged if u not in stored]
    duplicated = [u for u, n in stored.items() if n > 1]
    print(
        f"a) PostgreSQL restart: {len(acknowledged)} logs acknowledged, {len(stored)} stored, "
        f"{errors['retries']} client retries; lost {len(lost)}, duplicated {len(duplicated)}"
    )
    return not lost and not duplicated and bool(acknowledged)


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    which = sys.argv[1:] or ["postgres", "redis", "worker"]
    ok = True
    if "postgres" in which:
        ok &= run_postgres_restart()
    if "redis" in which or "worker" in which:
        from dispatch_faults import run_redis_outage, run_worker_kill

        if "redis" in which:
            ok &= run_redis_outage()
        if "worker" in which:
            ok &= run_worker_kill()
    print("faults: all checks passed" if ok else "faults: LOSS OR DUPLICATE FOUND")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
