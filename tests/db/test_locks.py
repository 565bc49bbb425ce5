"""The advisory locks of backend.db: held on PostgreSQL, harmless no-ops on SQLite."""

import psycopg
import pytest
from django.db import connection, transaction

from backend.db.locks import advisory_lock, advisory_xact_lock

NAMESPACE = 0x7E57


def another_session_can_take(key: int) -> bool:
    """Ask from a second, independent session whether the lock is free right now."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        taken = other.execute("SELECT pg_try_advisory_lock(%s, %s)", [NAMESPACE, key]).fetchone()
        if taken and taken[0]:
            other.execute("SELECT pg_advisory_unlock(%s, %s)", [NAMESPACE, key])
            return True
        return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_session_lock_is_held_for_the_block_and_released_after():
    with advisory_lock(NAMESPACE, 1):
        assert not another_session_can_take(1)
        assert another_session_can_take(2)
    assert another_session_can_take(1)


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
