"""Reads that may lag go to a read replica, the rest to the primary: against a real streaming
replica (tests/db/replica.sh: `pg_basebackup -R` of the local cluster, started on loopback).

With the replica's replay paused it lags behind on purpose: the public list, the nearby search,
reports and the export (lag-tolerant) are served from it and miss what was just written, while
the event's page, a signup and its capacity check, reads inside a write transaction and a user
who just wrote all read the primary. Run by `make test-pgbouncer` (REPLICA_TESTS=1, also in CI); elsewhere they skip, saying
why.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from backend.accounts.models import Team
from backend.db.routers import PRIMARY, REPLICA, lag_tolerant, replica_alias
from canvass.models import ConversationLog
from events.models import Event, EventKind, Location, Shift, ShiftRole, Signup
from tests.canvass.conftest import assign, batch, log_item, make_household, make_turf
from tests.events.helpers import signup_body

pytestmark = [pytest.mark.postgres, pytest.mark.replica]

SCRIPT = Path(__file__).resolve().parent / "replica.sh"
PORT = int(os.environ.get("REPLICA_PORT", "5442"))


def _unavailable() -> str | None:
    if os.environ.get("REPLICA_TESTS") != "1":
        return "streaming-replica tests run in `make test-pgbouncer` (set REPLICA_TESTS=1)"
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    if not bins and not shutil.which("pg_basebackup"):
        return "pg_basebackup is not installed (PostgreSQL's server binaries)"
    return None


def _replica_sql(sql: str, params: list[Any] | None = None) -> Any:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _primary_sql(sql: str) -> Any:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def caught_up(timeout: float = 20.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = _primary_sql("SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while _replica_sql("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) < 0", [target]):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def replica(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """A streaming replica of the test database's cluster as the "replica" alias (a test
    mirror, so the test flush leaves the read-only copy alone)."""
    reason = _unavailable()
    if reason:
        if os.environ.get("CI") and os.environ.get("REPLICA_TESTS") == "1":
            pytest.fail(f"CI must run the replica tests: {reason}")
        pytest.skip(reason)
    with django_db_blocker.unblock():
        # Through PgBouncer this is the server behind it.
        host = _primary_sql("SELECT host(inet_server_addr())")
        port = _primary_sql("SELECT inet_server_port()")
        connections[PRIMARY].close()
    env = {**os.environ, "PGHOST": host, "PGPORT": str(port), "REPLICA_PORT": str(PORT)}
    started = subprocess.run(
        ["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=600
    )
    assert started.returncode == 0, started.stdout + started.stderr
    primary = connections[PRIMARY].settings_dict
    settings = copy.deepcopy(primary)
    settings.update(HOST="127.0.0.1", PORT=str(PORT))
    settings["TEST"] = {**settings["TEST"], "MIRROR": PRIMARY}
    settings["OPTIONS"].pop("prepare_threshold", None)  # direct, not through PgBouncer
    connections.settings[REPLICA] = settings
    try:
        yield REPLICA
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, check=False, timeout=120)


@pytest.fixture
def paused(replica: str) -> Iterator[None]:
    """The replica stops replaying (it lags from here on); resumed afterwards."""
    caught_up()
    _replica_sql("SELECT pg_wal_replay_pause()::text")
    deadline = time.monotonic() + 10
    while _replica_sql("SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    try:
        yield
    finally:
        _replica_sql("SELECT pg_wal_replay_resume()::text")


def public_event(team: Team, title: str) -> Shift:
    starts = timezone.now() + timedelta(days=3)
    site = Location.objects.create(
        name=f"{title} site",
        address="1 MAIN ST",
        city="DES MOINES",
        county="Polk",
        zip_code="50309",
        latitude=41.5868,
        longitude=-93.6250,
    )
    event = Event.objects.create(
        title=title,
        kind=EventKind.CAUCUS_NIGHT,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        team=team,
        is_public=True,
        location=site,
    )
    return Shift.objects.create(
        event=event,
        role=ShiftRole.CANVASSER,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=1,
    )


def titles(response: Any) -> list[str]:
    items = response.json()["results"]  # the list's page, or the search's results
    return [item["title"] if "title" in item else item["event"]["title"] for item in items]


NEARBY = "/api/public/events/nearby?latitude=41.59&longitude=-93.62&radius_km=10"
DB = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])


@DB
def test_a_lagging_replica_serves_the_lists_while_the_primary_serves_signups(
    replica, team_a, api_client
):
    public_event(team_a, "Old event")
    caught_up()
    assert titles(api_client.get("/api/public/events")) == ["Old event"]
    _replica_sql("SELECT pg_wal_replay_pause()::text")
    try:
        new_shift = public_event(team_a, "New event")

        # Lag-tolerant: the public list and the nearby search come from the replica, which has
        # not replayed the new event yet.
        listed = api_client.get("/api/public/events")
        nearby = api_client.get(NEARBY)
        assert listed.status_code == nearby.status_code == 200
        assert titles(listed) == ["Old event"]
        assert titles(nearby) == ["Old event"]

        # Lag-intolerant: the event's page and the signup (with its capacity check) read the
        # primary, so the new event is there and its one spot is counted exactly.
        page = api_client.get(f"/api/public/events/{new_shift.event_id}")
        assert page.status_code == 200
        assert page.json()["title"] == "New event"
        first = api_client.post(
            f"/api/public/shifts/{new_shift.pk}/signups", signup_body(1), format="json"
        )
        second = api_client.post(
            f"/api/public/shifts/{new_shift.pk}/signups", signup_body(2), format="json"
        )
        assert first.status_code == 201, first.json()
        assert first.json()["signup"]["status"] == "confirmed"
        assert second.json()["signup"]["status"] == "waitlisted"
        assert list(
            Signup.objects.filter(shift=new_shift).order_by("id").values_list("status", flat=True)
        ) == ["confirmed", "waitlisted"]
        assert not Signup.objects.using(REPLICA).filter(shift=new_shift).exists()
    finally:
        _replica_sql("SELECT pg_wal_replay_resume()::text")

    caught_up()
    assert titles(api_client.get("/api/public/events")) == ["Old event", "New event"]
    assert titles(api_client.get(NEARBY)) == ["Old event", "New event"]


@DB
def test_reads_inside_a_write_transaction_and_outside_lag_tolerant_code_use_the_primary(
    replica, paused, team_a
):
    shift = public_event(team_a, "Fresh event")
    assert replica_alias() == REPLICA
    with lag_tolerant() as alias:
        assert alias == REPLICA
        assert not Event.objects.filter(pk=shift.event_id).exists()  # the replica lags
        with transaction.atomic():
            # A write transaction reads its own database, even in lag-tolerant code.
            assert replica_alias() == PRIMARY
            assert Event.objects.filter(pk=shift.event_id).exists()
            Event.objects.filter(pk=shift.event_id).update(title="Renamed")
    # Outside lag-tolerant code every read is the primary's; writes always are.
    assert Event.objects.get(pk=shift.event_id).title == "Renamed"
    stale = Event.objects.using(REPLICA).filter(pk=shift.event_id).first()
    assert stale is None


def export_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))[1:]


@DB
def test_reports_and_exports_lag_except_for_a_user_who_just_wrote(
    replica, team_a, canvasser_a, lead_a, organizer, client_for
):
    turf = make_turf(team_a, [make_household(41.586, -93.625), make_household(41.587, -93.625)])
    assign(turf, canvasser_a)
    caught_up()
    _replica_sql("SELECT pg_wal_replay_pause()::text")
    try:
        pushed = client_for(canvasser_a).post(
            "/api/sync/push", batch(log_item(turf.households.first())), format="json"
        )
        assert pushed.status_code == 200
        assert pushed.json()["counts"]["created"] == 1
        assert ConversationLog.objects.filter(turf=turf).count() == 1

        # The field lead's progress and canvasser report come from the lagging replica.
        lead = client_for(lead_a)
        assert lead.get(f"/api/turfs/{turf.pk}/progress").json()["logs"] == 0
        assert lead.get("/api/reports/canvassers").json() == []
        # So does the organizer's export, until the organizer writes something themself:
        # from then on (DATABASE_REPLICA_STICKY_SECONDS) they read the primary.
        boss = client_for(organizer)
        assert export_rows(boss.get("/api/logs/export.csv")) == []
        assert replica_alias(user=organizer) == REPLICA
        hall = {"name": "Union hall", "address": "2 MAIN ST", "city": "DES MOINES"}
        created = boss.post("/api/locations", {**hall, "county": "Polk", "zip_code": "50309"})
        assert created.status_code == 201, created.json()
        assert replica_alias(user=organizer) == PRIMARY
        assert [row[0] for row in export_rows(boss.get("/api/logs/export.csv"))] == [
            str(ConversationLog.objects.get(turf=turf).pk)
        ]
        # A refused write marks no one: the lead still reads the replica.
        refused = lead.post("/api/locations", hall, format="json")
        assert refused.status_code == 403
        assert replica_alias(user=lead_a) == REPLICA
        assert lead.get(f"/api/turfs/{turf.pk}/progress").json()["logs"] == 0
    finally:
        _replica_sql("SELECT pg_wal_replay_resume()::text")

    caught_up()
    assert client_for(lead_a).get(f"/api/turfs/{turf.pk}/progress").json()["logs"] == 1
