"""`make load`: the caucus-night load run, bounded, on loopback only.

1. creates a fresh database (LOAD_DB, default fieldload), migrates it and generates the Iowa-scale
   data set (`manage.py seed_caucus_night --scale S`, 1.0 by default), then issues canvasser tokens
   and creates ONE public event with one shift of an exact capacity (load/caucus_setup.py);
2. starts a fake Twilio on 127.0.0.1 (bench/dispatch.py's), gunicorn on 127.0.0.1 with DEBUG=0
   and production settings, and the SMS dispatcher (`manage.py dispatch_sms --loop`) sending to
   the fake through the real twilio client;
3. runs locust headless (load/locustfile.py, the `CaucusRamp` shape): users added in steps until
   the p99 latency of pushes passes 500 ms or the time bound (at most 15 min) runs out;
   then a signup rush (volunteers only) on the one event;
4. prints, at the last step under 500 ms, the sustained logs/s, signups/s and the latency table
   beside the goals, checks that the event's confirmed signups never exceed its capacity, prints
   RESULT lines (bench/_report.py) and rewrites the "load" section of bench/RESULTS.md.

Exit status: non-zero if the event holds more confirmed signups than its capacity, if any request
failed, or if the run produced no measured step.

`server_env`, `psql`, `wait_for`, `PG`, `PY`, `VAR` are shared with load/faults.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "load"
PG = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("LOAD_DB", "fieldload")
PORT = int(os.environ.get("LOAD_PORT", "8010"))
PY = sys.executable
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"

GOAL_LOGS = 280.0
GOAL_P99_MS = 500.0
GOAL_SIGNUPS = 50.0


def server_env(db: str = DB, port: int = PORT) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        # Production settings, also when started from pytest (which exports its test settings).
        DJANGO_SETTINGS_MODULE="backend.settings",
        DATABASE_URL=f"{PG}/{db}",
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
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
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


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group (gunicorn's workers too), SIGKILL if it lingers."""
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()


def caucus_env(args: argparse.Namespace, twilio_url: str) -> dict[str, str]:
    """The server's, dispatcher's and locust's environment: production settings, SMS through the
    real twilio client to the fake Twilio, no throttles or quiet hours in the way."""
    sys.path.insert(0, str(ROOT / "bench"))
    import dispatch as bench_dispatch  # bench/dispatch.py: WORKER_ENV, the fake Twilio

    env = server_env(args.db, args.port)
    env.update(bench_dispatch.WORKER_ENV)
    env.update(
        TWILIO_API_BASE_URL=twilio_url,
        TWILIO_AUTH_TOKEN="load-twilio-auth-token",
        LOG_LEVEL="WARNING",
        DB_STATEMENT_TIMEOUT_MS="0",
    )
    return env


def prepare(args: argparse.Namespace, env: dict[str, str], fixtures: Path) -> None:
    psql(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
    psql(f"CREATE DATABASE {args.db}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    subprocess.run(
        [PY, "manage.py", "seed_caucus_night", "--scale", str(args.scale)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"seeded at scale {args.scale} in {time.monotonic() - started:.0f} s", flush=True)
    subprocess.run(
        [
            PY,
            "load/caucus_setup.py",
            "setup",
            str(fixtures),
            str(args.canvassers),
            str(args.capacity),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run_locust(args: argparse.Namespace, env: dict[str, str], fixtures: Path, steps: Path) -> None:
    steps.unlink(missing_ok=True)
    locust_env = {
        **env,
        "LOAD_FIXTURES": str(fixtures),
        "LOAD_STEPS_FILE": str(steps),
        "LOAD_START_USERS": str(args.start_users),
        "LOAD_STEP_USERS": str(args.step_users),
        "LOAD_STEP_SECONDS": str(args.step_seconds),
        "LOAD_WARMUP_SECONDS": str(args.warmup_seconds),
        "LOAD_MAX_SECONDS": str(args.max_seconds),
        "LOAD_P99_MS": str(args.stop_p99_ms),
        "LOAD_RUSH_USERS": str(args.rush_users),
        "LOAD_RUSH_SECONDS": str(args.rush_seconds),
    }
    subprocess.run(
        [
            PY,
            "-m",
            "locust",
            "-f",
            "load/locustfile.py",
            "--headless",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            str(VAR / "stats"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=locust_env,
        check=False,
        timeout=args.max_seconds + args.rush_seconds + 120,
    )


def read_steps(steps: Path) -> list[dict[str, Any]]:
    if not steps.exists():
        return []
    return [json.loads(line) for line in steps.read_text().splitlines() if line.strip()]


def knee(measured: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last step whose push p99 stayed under the goal (else the first step, if any)."""
    under = [s for s in measured if s["push_p99_ms"] < GOAL_P99_MS]
    return under[-1] if under else (measured[0] if measured else None)


def capacity_check(env: dict[str, str], fixtures: Path) -> dict[str, int]:
    completed = subprocess.run(
        [PY, "load/caucus_setup.py", "check", str(fixtures)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def latency_table(step: dict[str, Any]) -> list[str]:
    lines = [
        f"{'request':<22}{'count':>8}{'fail':>6}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    ]
    for name, row in sorted(step["requests"].items()):
        if not row["count"]:
            continue
        lines.append(
            f"{name[:21]:<22}{row['count']:>8}{row['failures']:>6}{row['per_second']:>8.1f}"
            f"{row['p50_ms']:>8.0f}{row['p95_ms']:>8.0f}{row['p99_ms']:>8.0f}"
        )
    return lines


def write_results(text: str) -> None:
    """Replace the load section of bench/RESULTS.md (bench/run_all.py keeps it)."""
    current = RESULTS.read_text() if RESULTS.exists() else ""
    section = f"{BEGIN}\n{text.rstrip()}\n{END}\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        current = head + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        current = current.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("LOAD_SCALE", "1.0")))
    parser.add_argument("--db", default=DB)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LOAD_WORKERS", "4")))
    parser.add_argument("--canvassers", type=int, default=600, help="canvassers given tokens")
    parser.add_argument("--capacity", type=int, default=1000, help="the event's exact capacity")
    parser.add_argument("--rush-users", type=int, default=40, help="volunteers in the rush")
    parser.add_argument("--rush-seconds", type=float, default=30)
    parser.add_argument("--start-users", type=int, default=4)
    parser.add_argument("--step-users", type=int, default=4)
    parser.add_argument("--step-seconds", type=float, default=40)
    parser.add_argument("--warmup-seconds", type=float, default=10)
    parser.add_argument("--max-seconds", type=float, default=840, help="locust's bound (≤ 900)")
    parser.add_argument(
        "--stop-p99-ms", type=float, default=GOAL_P99_MS, help="the push p99 that ends the ramp"
    )
    parser.add_argument("--no-results-file", action="store_true", help="leave bench/ alone")
    args = parser.parse_args(argv)
    if not 0 < args.max_seconds <= 900:
        parser.error("--max-seconds must be above 0 and at most 900 (15 minutes)")

    sys.path.insert(0, str(ROOT / "bench"))
    import dispatch as bench_dispatch  # the fake Twilio
    from _report import result

    VAR.mkdir(parents=True, exist_ok=True)
    fixtures, steps = VAR / f"caucus-{args.db}.json", VAR / f"steps-{args.db}.jsonl"
    fake = bench_dispatch.FakeTwilio()
    twilio = bench_dispatch.serve(fake)
    env = caucus_env(args, f"http://127.0.0.1:{twilio.server_address[1]}")
    prepare(args, env, fixtures)

    log = (VAR / f"gunicorn-{args.db}.log").open("wb")
    server = subprocess.Popen(
        [
            *(PY, "-m", "gunicorn", "backend.wsgi:application"),
            *("-w", str(args.workers), "-b", f"127.0.0.1:{args.port}"),
            *("--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    dispatcher = subprocess.Popen(
        [PY, "manage.py", "dispatch_sms", "--loop", "--interval", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started = time.monotonic()
    try:
        wait_for(f"http://127.0.0.1:{args.port}/healthz")
        run_locust(args, env, fixtures, steps)
    finally:
        stop(dispatcher)
        stop(server)
        twilio.shutdown()
    elapsed = time.monotonic() - started
    everything = read_steps(steps)
    measured = [s for s in everything if s["step"] != "rush"]
    rush = next((s for s in everything if s["step"] == "rush"), None)
    capacity = capacity_check(env, fixtures)
    over = capacity["confirmed"] > capacity["capacity"]

    print(f"\ncaucus-night load run, scale {args.scale}, {args.workers} gunicorn workers, DEBUG=0,")
    print(
        f"PostgreSQL + Redis + fake Twilio on loopback, {os.cpu_count()} cores shared; "
        f"{len(measured)} steps of {args.step_seconds:.0f} s in {elapsed:.0f} s"
    )
    for step in measured:
        print(
            f"  step {step['step']}: {step['users']:>4} users  {step['logs_per_second']:7.1f} logs/s"
            f"  {step['signups_per_second']:6.1f} signups/s  push p99 {step['push_p99_ms']:.0f} ms"
        )
    if rush:
        print(
            f"  signup rush: {args.rush_users} volunteers only, {rush['signups_per_second']:.1f}"
            f" signups/s on one event, signup p99 {rush['requests'].get('signup', {}).get('p99_ms', 0):.0f} ms"
        )
    point = knee(measured)
    failures = sum(r["failures"] for s in everything for r in s["requests"].values())
    print(
        f"\nevent capacity {capacity['capacity']}: {capacity['confirmed']} confirmed, "
        f"{capacity['waitlisted']} waitlisted — "
        + (
            "OVER CAPACITY"
            if over
            else "exact (full)"
            if capacity["confirmed"] == capacity["capacity"]
            else "not full"
        )
    )
    print(f"text messages accepted by the fake Twilio: {len(fake.accepted)}")
    if point is None or rush is None:
        print("no step (or no signup rush) was measured")
        return 1
    rush_rate = rush["signups_per_second"]
    label = "last step under 500 ms" if point["push_p99_ms"] < GOAL_P99_MS else "first step"
    table = latency_table(point)
    summary = [
        f"At the {label} (step {point['step']}, {point['users']} users, "
        f"{point['seconds']:.0f} s measured):",
        f"  logs/s sustained   {point['logs_per_second']:8.1f}   goal ≥ {GOAL_LOGS:.0f}"
        f" with push p99 < {GOAL_P99_MS:.0f} ms (p99 {point['push_p99_ms']:.0f} ms)",
        f"  signups/s, 1 event {point['signups_per_second']:8.1f}   (in the mix)",
        f"  signups/s, 1 event {rush_rate:8.1f}   goal ≥ {GOAL_SIGNUPS:.0f} (signup rush,"
        f" {args.rush_users} volunteers)",
    ]
    print("\n" + "\n".join([*summary, "", *table]))
    result(
        "load: logs/s sustained (last step under push p99 500 ms, else the first)",
        point["logs_per_second"],
        "logs/s",
        GOAL_LOGS,
    )
    result("load: push p99 at that step", point["push_p99_ms"], "ms", GOAL_P99_MS)
    result("load: signups/s on one event (signup rush)", rush_rate, "signups/s", GOAL_SIGNUPS)
    result(
        "load: confirmed signups over capacity",
        max(0, capacity["confirmed"] - capacity["capacity"]),
        "signups",
    )
    result("load: failed requests", failures, "requests")
    if not args.no_results_file:
        write_results(
            "\n".join(
                [
                    "## Load (caucus night)",
                    "",
                    f"`make load` (load/run.py) run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at scale "
                    f"{args.scale}, {args.workers} gunicorn workers, on {os.cpu_count()} cores "
                    "shared with other work.",
                    "",
                    "| figure | value | goal |",
                    "| --- | --- | --- |",
                    f"| logs/s sustained (step {point['step']}, {point['users']} users) | "
                    f"{point['logs_per_second']:.1f} | ≥ {GOAL_LOGS:.0f} |",
                    f"| push p99 at that step | {point['push_p99_ms']:.0f} ms | < {GOAL_P99_MS:.0f} ms |",
                    f"| signups/s on one event, in the mix | {point['signups_per_second']:.1f} | |",
                    f"| signups/s on one event, signup rush ({args.rush_users} volunteers) | "
                    f"{rush_rate:.1f} | ≥ {GOAL_SIGNUPS:.0f} |",
                    f"| confirmed / capacity | {capacity['confirmed']} / {capacity['capacity']} | "
                    "never above |",
                    f"| failed requests (all steps) | {failures} | 0 |",
                    "",
                    "```",
                    *table,
                    "```",
                ]
            )
        )
    if over:
        print("FAILED: the event holds more confirmed signups than its capacity")
        return 1
    if failures:
        print(f"FAILED: {failures} requests failed")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
