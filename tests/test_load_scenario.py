"""The caucus-night load run (load/run.py, `make load`) at a thousandth of Iowa: a few seconds of
the mixed scenario against a live gunicorn, every request type answered, the event's capacity
exact, and the dispatcher's texts reaching the fake Twilio."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        importlib.util.find_spec("locust") is None,
        reason="locust is not installed (the optional `load` extra: pip install -e '.[load]')",
    ),
    pytest.mark.skipif(
        os.environ.get("DATABASE_POOLER") == "pgbouncer",
        reason="the load run creates its own database directly on PostgreSQL, not through PgBouncer",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_few_seconds_of_caucus_night_answer_every_request_and_fill_the_event_exactly():
    url = urlsplit(os.environ["DATABASE_URL"])
    database = f"{url.path.lstrip('/') or 'field'}_loadrun"
    env = {**os.environ, "PG_URL": f"{url.scheme}://{url.netloc}"}
    completed = subprocess.run(
        [
            *(sys.executable, "load/run.py", "--scale", "0.001", "--db", database),
            *("--port", str(free_port()), "--workers", "2", "--canvassers", "2"),
            *("--capacity", "5", "--start-users", "12", "--step-users", "0"),
            *("--step-seconds", "6", "--warmup-seconds", "2", "--max-seconds", "12"),
            # Two steps whatever the latency on a busy machine (the knee is not under test).
            *("--stop-p99-ms", "60000", "--rush-users", "8", "--rush-seconds", "5"),
            "--no-results-file",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    subprocess.run(
        [
            "psql",
            f"{env['PG_URL']}/postgres",
            "-qc",
            f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
        ],
        check=False,
    )
    output = completed.stdout
    assert completed.returncode == 0, output[-3000:] + completed.stderr[-3000:]

    steps = [
        json.loads(line)
        for line in (ROOT / "var" / "load" / f"steps-{database}.jsonl").read_text().splitlines()
    ]
    assert [step["step"] for step in steps] == [0, 1, "rush"]
    assert steps[2]["signups"] > 0
    requests: dict[str, dict[str, int]] = {}
    for step in steps:
        for name, row in step["requests"].items():
            totals = requests.setdefault(name, {"count": 0, "failures": 0})
            totals["count"] += row["count"]
            totals["failures"] += row["failures"]
    for name in ("sync-push", "sync-pull", "signup", "sms-inbound", "turf-progress"):
        assert requests[name]["count"] > 0, name
        assert requests[name]["failures"] == 0, name
    assert sum(step["logs"] for step in steps) > 0

    # Twelve users signing up for seconds on a shift of five: full, never over.
    assert "event capacity 5: 5 confirmed" in output
    assert "exact (full)" in output
    accepted = re.search(r"text messages accepted by the fake Twilio: (\d+)", output)
    assert accepted and int(accepted.group(1)) > 0
    assert re.search(r"^RESULT\tload: logs/s sustained ", output, re.M)
    assert "RESULT\tload: confirmed signups over capacity\t0\t" in output
