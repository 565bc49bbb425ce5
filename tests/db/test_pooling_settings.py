"""The database settings behind PgBouncer and with a read replica, and the router without one.

The settings are imported in a fresh interpreter with exactly the variables given (as
tests/test_settings_from_env.py does). The behaviour behind a real PgBouncer is what
`make test-pgbouncer` checks: the PostgreSQL tests run through it (tests/db/pgbouncer.sh).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from backend.accounts.models import Team
from backend.db.routers import PRIMARY, lag_tolerant, replica_alias

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, backend.settings as s; "
    "print(json.dumps({a: {k: d.get(k) for k in ('HOST', 'PORT', 'OPTIONS', 'TEST', "
    "'DISABLE_SERVER_SIDE_CURSORS')} for a, d in s.DATABASES.items()}))"
)


def databases(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    clean.update({"DEBUG": "1", "DATABASE_REPLICA_URL": "", **env})
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_directly_the_statement_timeout_is_a_startup_option():
    result = databases(
        DATABASE_URL="postgres://u@127.0.0.1:5432/db", DB_STATEMENT_TIMEOUT_MS="5000"
    )

    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout)["default"]
    assert default["OPTIONS"] == {"options": "-c statement_timeout=5000"}
    assert not default["DISABLE_SERVER_SIDE_CURSORS"]


def test_behind_pgbouncer_no_startup_option_no_server_side_cursor_no_prepared_statement():
    result = databases(
        DATABASE_URL="postgres://u@127.0.0.1:6432/db",
        DATABASE_POOLER="pgbouncer",
        DATABASE_REPLICA_URL="postgres://u@127.0.0.1:6433/db",
    )

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    for alias in ("default", "replica"):
        assert found[alias]["OPTIONS"] == {"prepare_threshold": None}
        assert found[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert found["replica"]["PORT"] == 6433
    # The test suite reads the primary's test database through the replica alias.
    assert found["replica"]["TEST"] == {"MIRROR": "default"}


def test_an_unknown_pooler_or_a_bad_replica_url_refuses_to_start_naming_the_variable():
    pooler = databases(DATABASE_URL="postgres://u@h/db", DATABASE_POOLER="pgpool")
    replica = databases(DATABASE_URL="postgres://u@h/db", DATABASE_REPLICA_URL="nonsense://x")

    assert pooler.returncode != 0
    assert "DATABASE_POOLER must be one of none, pgbouncer, got 'pgpool'" in pooler.stderr
    assert replica.returncode != 0
    assert "DATABASE_REPLICA_URL is not a valid database URL" in replica.stderr


@pytest.mark.django_db
def test_without_a_replica_every_read_is_the_primarys(team_a):
    assert replica_alias() == PRIMARY
    with lag_tolerant() as alias:
        assert alias == PRIMARY
        assert Team.objects.get(pk=team_a.pk).name == "Team A"
    assert Team.objects.using(replica_alias()).filter(pk=team_a.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_connection_suits_the_pooler_it_is_configured_for():
    """Behind PgBouncer (make test-pgbouncer): no prepared statements, iterators fetch on the
    client (no cursor outlives a transaction) and the statement timeout still holds, set by
    PgBouncer's connect_query; directly, as configured."""
    Team.objects.bulk_create(Team(name=f"Team {n}") for n in range(120))
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
    # Outside any transaction, in chunks (a WITH HOLD cursor directly, client-side behind it).
    assert not connection.in_atomic_block
    assert sum(1 for _ in Team.objects.order_by("id").iterator(chunk_size=7)) == 120
    with transaction.atomic():
        assert sum(1 for _ in Team.objects.iterator(chunk_size=7)) == 120
    assert connection.connection.prepare_threshold is None
    behind = settings.DATABASE_POOLER == "pgbouncer"
    assert connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False) is behind
    assert ("options" in connection.settings_dict["OPTIONS"]) is not behind
