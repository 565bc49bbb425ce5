"""The advisory locks of backend.db: held on PostgreSQL, harmless no-ops on SQLite."""

import psycopg
import pytest
from django.db import connection, transaction

from backend.db.locks import advisory_lock, advisory_xact_lock

NAMESPACE = 0x7E57


def other_session() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params)


def another_session_can_take(key: int) -> bool:
    """Ask from a second, independent session whether the lock is free right now (in a
    transaction of its own: behind PgBouncer a session lock could outlive the question)."""
    with other_session() as other, other.transaction():
        taken = other.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [NAMESPACE, key])
        row = taken.fetchone()
        return bool(row and row[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_block_lock_is_held_for_the_block_and_released_after():
    with advisory_lock(NAMESPACE, 1):
        assert not another_session_can_take(1)
        assert another_session_can_take(2)
    assert another_session_can_take(1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_block_lock_outlives_the_blocks_commits_and_is_no_session_lock():
    """Held by a transaction of its own (safe behind PgBouncer in transaction pooling), not by
    the application's connection, and not lost when the block's transactions commit."""
    with advisory_lock(NAMESPACE, 5):
        for _ in range(2):
            with transaction.atomic():
                advisory_xact_lock(NAMESPACE, 6)
            assert not another_session_can_take(5)
        with other_session() as other:
            holder = other.execute(
                "SELECT a.state, a.backend_xid, a.backend_xmin FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s",
                [NAMESPACE, 5],
            ).fetchall()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            own_pid = cursor.fetchone()[0]
        # Idle in its transaction, holding no transaction id and no snapshot (no vacuum held back).
        assert holder == [("idle in transaction", None, None)]
        with other_session() as other:
            pids = other.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 5"
            ).fetchall()
        assert (own_pid,) not in pids
    assert another_session_can_take(5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_lock_is_held_until_commit():
    with transaction.atomic():
        advisory_xact_lock(NAMESPACE, 3)
        assert not another_session_can_take(3)
    assert another_session_can_take(3)


@pytest.mark.django_db
def test_on_any_database_the_locks_let_the_block_run():
    ran = []
    with advisory_lock(NAMESPACE, 4):
        ran.append("session")
    with transaction.atomic():
        advisory_xact_lock(NAMESPACE, 4)
        ran.append("transaction")
    assert ran == ["session", "transaction"]
