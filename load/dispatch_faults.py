"""SMS fault runs for `make faults`: (b) Redis outage during dispatch, (c) killed dispatchers.

Both use the fake Twilio and the seeding/checking helpers of bench/dispatch.py, against the
faults database that load/faults.py prepared (DATABASE_URL is set before Django starts).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "load"))

from run import PG, PY, VAR, psql, server_env, wait_for  # noqa: E402

DB = "fieldfaults_sms"
PORT = int(os.environ.get("FAULTS_SMS_PORT", "8012"))
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def _django(base_url: str) -> dict[str, str]:
    """Point this process at the faults database and the fake Twilio, then start Django."""
    import dispatch as bench_dispatch  # bench/dispatch.py

    env = {
        **server_env(),
        **bench_dispatch.WORKER_ENV,
        "DATABASE_URL": f"{PG}/{DB}",
        "TWILIO_API_BASE_URL": base_url,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/5",
        "REDIS_URL": "redis://127.0.0.1:6379/6",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{PORT}",
        "DEBUG": "0",
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def _fresh_database(env: dict[str, str]) -> None:
    from django.db import connections

    connections.close_all()
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def run_worker_kill(count: int = 400) -> bool:
    """(c) Two dispatchers SIGKILLed while Twilio holds the answer to a message it accepted."""
    import dispatch as bench_dispatch

    fake = bench_dispatch.FakeTwilio()
    server = bench_dispatch.serve(fake)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    env = _django(base_url)
    _fresh_database(env)
    try:
        result = bench_dispatch.run_kill(fake, base_url, count)
    finally:
        server.shutdown()
    ok = result["duplicates"] == 0 and result["lost"] == 0
    print(
        f"c) dispatcher killed after Twilio accepted: {result['accepted']} accepted of {count}, "
        f"duplicates {result['duplicates']}, lost {result['lost']}, left unknown then settled by "
        f"callbacks: {result['unknown']} -> {result['unknown_after_callbacks']}"
    )
    return ok


def run_redis_outage(count: int = 300, outage_seconds: int = 60) -> bool:
    """(b) Redis (broker and cache) stopped for a minute while Celery dispatches reminders."""
    import dispatch as bench_dispatch

    fake = bench_dispatch.FakeTwilio()
    server = bench_dispatch.serve(fake)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    env = _django(base_url)
    _fresh_database(env)
    bench_dispatch.seed(count)
    from datetime import timedelta

    from django.utils import timezone

    from backend.accounts.models import Team
    from events.models import Event, EventKind, Shift, ShiftRole
    from messaging.models import SmsMessage, SmsStatus

    # A separate public shift for the API signups made during the outage (the seeded one's
    # signups were bulk-inserted without its position counter).
    starts = timezone.now() + timedelta(days=5)
    event = Event.objects.create(
        title="Outage event",
        kind=EventKind.RALLY,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        team=Team.objects.order_by("id").first(),  # type: ignore[misc]  # seeded above
        is_public=True,
    )
    shift = Shift.objects.create(
        event=event,
        role=ShiftRole.CANVASSER,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=1000,
    )
    processes = [
        subprocess.Popen(
            [PY, "-m", "celery", "-A", "backend", "worker", "-c", "2", "--loglevel", "WARNING"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "backend",
                "beat",
                "--loglevel",
                "WARNING",
                "-s",
                str(VAR / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "backend.wsgi:application",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "error",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
    ]
    writes: list[int] = []
    stop_writing = threading.Event()

    def due_unsent():  # type: ignore[no-untyped-def]
        """Messages that are due (reminders for next week are not) and not in a final state."""
        return SmsMessage.objects.filter(send_after__lte=timezone.now()).exclude(
            status__in=[SmsStatus.SENT, SmsStatus.SKIPPED, SmsStatus.FAILED]
        )

    def sign_people_up() -> None:
        number = 0
        while not stop_writing.is_set():
            number += 1
            body = json.dumps(
                {"name": "Outage Volunteer", "phone": f"+1515555{number:04d}", "sms_consent": True}
            ).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/api/public/shifts/{shift.pk}/signups",
                data=body,
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    writes.append(response.status)
            except urllib.error.HTTPError as error:
                writes.append(error.code)
            except OSError:
                writes.append(0)
            time.sleep(0.5)

    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        writer = threading.Thread(target=sign_people_up)
        writer.start()
        time.sleep(3)
        print(f"  stopping Redis for {outage_seconds} s ...", flush=True)
        subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
        time.sleep(outage_seconds)
        subprocess.run(REDIS_START, check=True)
        print("  Redis is back", flush=True)
        time.sleep(3)
        stop_writing.set()
        writer.join()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not due_unsent().exists():
                break
            time.sleep(2)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        server.shutdown()
        if (
            subprocess.run(
                ["redis-cli", "-p", "6379", "ping"], capture_output=True, check=False
            ).returncode
            != 0
        ):
            subprocess.run(REDIS_START, check=False)

    # Every request Twilio accepted carries our message id in its status callback URL: a
    # duplicate is the same id accepted twice (many texts share a body, so bodies cannot tell).
    accepted = len(fake.accepted)
    duplicates = accepted - len(fake.sids)
    pending = due_unsent().count()
    due = SmsMessage.objects.filter(send_after__lte=timezone.now()).count()
    server_errors = sum(1 for code in writes if code == 0 or code >= 500)
    print(
        f"b) Redis down {outage_seconds} s during dispatch: {len(writes)} API signups during the "
        f"run, {server_errors} failed; {due} messages due, {accepted} accepted by Twilio, "
        f"{pending} due but not sent, duplicates {duplicates}"
    )
    return server_errors == 0 and not pending and duplicates == 0
