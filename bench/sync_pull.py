"""Sync pull: a first download and pulls with nothing new, for a 300-door turf with 600 voters and
900 logs, with and without an idle transaction held open in another database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fieldbench .venv/bin/python bench/sync_pull.py

Uses a scratch database `<name>_bench` (created, migrated and dropped). The pulls go through the
real URL and views (DRF's APIClient in process); bytes are the JSON body as sent, and gzipped
(level 6, what a reverse proxy would send). While the idle transaction is open (it holds a
transaction id, so the server-wide xmin stays behind it), 40 logs are pushed and pulled once,
then three pulls follow with nothing new. Goal: a no-change pull under 1 KB carrying zero rows,
whether or not that transaction is open; the first download within 64 KB as the API itself
gzips it (Accept-Encoding: gzip); the same download repeated with each page's ETag in
If-None-Match answered 304 with no body.

Prints the figures beside the goal, and RESULT lines (bench/_report.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _scratch
from _report import result

GOAL_BYTES = 1024
GOAL_FIRST_GZIP_BYTES = 64 * 1024


def seed(doors: int, voters: int, logs: int) -> tuple[Any, Any]:
    """A canvasser holding one turf of `doors` doors, `voters` voters and `logs` pushed logs."""
    from django.utils import timezone
    from rest_framework.test import APIClient

    from backend.accounts.models import Membership, Role, Team, User
    from backend.accounts.services import token_issue
    from canvass.models import Household, Script, Turf, TurfAssignment, TurfHousehold, Voter

    team = Team.objects.create(name="Bench team")
    user = User.objects.create_user(
        username="bench-canvasser", password="Bench-Pass-2026!", role=Role.CANVASSER
    )
    Membership.objects.create(team=team, user=user)
    Script.objects.create(name="Bench script", is_default=True)
    turf = Turf.objects.create(name="Bench turf", team=team)
    households = Household.objects.bulk_create(
        [
            Household(
                street=f"{i} BENCH ST",
                city="DES MOINES",
                state="IA",
                zip_code="50310",
                address_key=f"{i} BENCH ST||50310|IA",
                latitude=41.6 + (i % 20) * 0.0003,
                longitude=-93.6 + (i // 20) * 0.0003,
            )
            for i in range(doors)
        ]
    )
    TurfHousehold.objects.bulk_create(
        TurfHousehold(turf=turf, household=h, position=i) for i, h in enumerate(households, 1)
    )
    Voter.objects.bulk_create(
        Voter(
            state_voter_id=f"B{i:07d}",
            first_name=f"First{i}",
            last_name=f"Last{i}",
            birth_year=1950 + i % 50,
            household=households[i % doors],
        )
        for i in range(voters)
    )
    TurfAssignment.objects.create(
        turf=turf, canvasser=user, assigned_at=timezone.now() - timedelta(days=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user, device='b').token}")
    push(client, households, logs)
    return client, households


def push(client: Any, households: list[Any], count: int) -> None:
    from django.utils import timezone

    start = timezone.now() - timedelta(hours=30)
    for first in range(0, count, 500):
        items = [
            {
                "client_uuid": str(uuid.uuid4()),
                "household": households[n % len(households)].pk,
                "result": "not_home",
                "contacted_at": (start + timedelta(seconds=90 * n)).isoformat(),
            }
            for n in range(first, min(first + 500, count))
        ]
        body = {"device_id": "bench", "batch_id": str(uuid.uuid4()), "logs": items}
        response = client.post("/api/sync/push", body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["counts"]["created"] == len(items), response.json()["counts"]


def pull(client: Any, cursor: str | None) -> dict[str, Any]:
    """One whole pull (every page): rows, bytes raw and gzipped, queries, pages, last cursor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from canvass.selectors.sync import SECTIONS

    figures: dict[str, Any] = {"rows": 0, "bytes": 0, "gzip_bytes": 0, "queries": 0, "pages": 0}
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/sync/pull", {"cursor": cursor} if cursor else {})
        assert response.status_code == 200, response.content
        body = response.content
        page = response.json()
        figures["rows"] += sum(len(page.get(name, [])) for name in SECTIONS)
        figures["bytes"] += len(body)
        figures["gzip_bytes"] += len(gzip.compress(body, compresslevel=6))
        figures["queries"] += len(queries)
        figures["pages"] += 1
        cursor = page["cursor"]
        if not page["has_more"]:
            figures["cursor"] = cursor
            return figures


def pull_sent_gzipped(client: Any) -> dict[str, Any]:
    """The first download as the API sends it to a client accepting gzip, page by page, with
    each page's ETag; then the same download again presenting those ETags."""
    figures: dict[str, Any] = {"bytes": 0, "pages": 0, "tags": [], "repeat_bytes": 0}
    cursor = None
    pages = []
    while True:
        params = {"cursor": cursor} if cursor else {}
        response = client.get("/api/sync/pull", params, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, response.content
        assert response["Content-Encoding"] == "gzip", dict(response.headers)
        figures["bytes"] += len(response.content)
        figures["pages"] += 1
        page = json.loads(gzip.decompress(response.content))
        pages.append((params, response["ETag"]))
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    statuses = []
    for params, tag in pages:
        again = client.get(
            "/api/sync/pull", params, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=tag
        )
        statuses.append(again.status_code)
        figures["repeat_bytes"] += len(again.content)
    figures["repeat_statuses"] = statuses
    return figures


def idle_transaction_elsewhere() -> Any:
    """A transaction in the `postgres` database that took an id and then sits idle."""
    import psycopg

    admin, _ = _scratch.scratch_database()
    held = psycopg.connect(admin.replace("postgres://", "postgresql://", 1))
    held.execute("SELECT pg_current_xact_id()")
    return held


def show(label: str, figures: dict[str, Any], goal: str = "") -> None:
    print(
        f"{label:<46} rows {figures['rows']:>5}  bytes {figures['bytes']:>8,}  "
        f"gzip {figures['gzip_bytes']:>7,}  queries {figures['queries']:>3}  "
        f"pages {figures['pages']:>2}  {goal}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--doors", type=int, default=300)
    parser.add_argument("--voters", type=int, default=600)
    parser.add_argument("--logs", type=int, default=900)
    parser.add_argument("--quick", action="store_true", help="the same sizes (already small)")
    args = parser.parse_args()

    name = _scratch.setup()
    try:
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client
        client, households = seed(args.doors, args.voters, args.logs)
        first = pull(client, None)
        show(f"first download ({args.doors} doors)", first)
        sent = pull_sent_gzipped(client)
        verdict = "ok" if sent["bytes"] <= GOAL_FIRST_GZIP_BYTES else "MISSED"
        print(
            f"{'first download as sent, Accept-Encoding: gzip':<46} bytes {sent['bytes']:>8,}  "
            f"pages {sent['pages']:>2}  goal: <= {GOAL_FIRST_GZIP_BYTES:,} B: {verdict}"
        )
        all_304 = set(sent["repeat_statuses"]) == {304}
        verdict = "ok" if all_304 and sent["repeat_bytes"] == 0 else "MISSED"
        print(
            f"{'same download again with If-None-Match':<46} statuses {sent['repeat_statuses']}  "
            f"body bytes {sent['repeat_bytes']}  goal: 304, no body: {verdict}"
        )
        quiet = pull(client, first["cursor"])
        verdict = "ok" if quiet["rows"] == 0 and quiet["bytes"] < GOAL_BYTES else "MISSED"
        show("no-change pull", quiet, f"goal: 0 rows, < {GOAL_BYTES} B: {verdict}")

        held = idle_transaction_elsewhere()
        try:
            push(client, households, 40)
            after = pull(client, quiet["cursor"])
            show("pull after 40 new logs (transaction open)", after, "expect 40 rows")
            cursor = after["cursor"]
            idle = []
            for _ in range(3):
                figures = pull(client, cursor)
                cursor = figures["cursor"]
                idle.append(figures)
        finally:
            held.rollback()
            held.close()
        for n, figures in enumerate(idle, 1):
            ok = figures["rows"] == quiet["rows"] == 0 and figures["bytes"] < GOAL_BYTES
            verdict = "ok" if ok else "MISSED"
            show(f"no-change pull {n}, idle transaction open", figures, f"goal: 0 rows: {verdict}")

        result("sync pull: first download bytes", first["bytes"], "B")
        result("sync pull: first download gzip bytes", first["gzip_bytes"], "B")
        result("sync pull: first download queries", first["queries"], "queries")
        result(
            "sync pull: first download as sent gzipped (64 KB goal)",
            sent["bytes"],
            "B",
            GOAL_FIRST_GZIP_BYTES,
        )
        result(
            "sync pull: unchanged download with If-None-Match, pages answered 304",
            sent["repeat_statuses"].count(304),
            "pages",
            len(sent["repeat_statuses"]),
        )
        result(
            "sync pull: unchanged download with If-None-Match, body bytes",
            sent["repeat_bytes"],
            "B",
        )
        result("sync pull: no-change bytes", quiet["bytes"], "B", GOAL_BYTES)
        result("sync pull: no-change gzip bytes", quiet["gzip_bytes"], "B", GOAL_BYTES)
        result("sync pull: no-change queries", quiet["queries"], "queries")
        result("sync pull: no-change rows", quiet["rows"], "rows")
        worst = max(idle, key=lambda f: (f["rows"], f["bytes"]))
        result("sync pull: no-change rows, idle transaction open", worst["rows"], "rows")
        result("sync pull: no-change bytes, idle transaction open", worst["bytes"], "B", GOAL_BYTES)
    finally:
        _scratch.teardown(name)


if __name__ == "__main__":
    main()
