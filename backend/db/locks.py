"""Advisory locks: PostgreSQL's, and a no-op on SQLite, where one writer at a time is the rule.

Both are transaction-scoped (`pg_advisory_xact_lock`), so they hold behind PgBouncer in
transaction pooling; no session-level lock is taken anywhere (docs/scaling-databases.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def advisory_xact_lock(namespace: int, key: int = 0) -> None:
    """Wait for the transaction-scoped lock (namespace, key); released at commit or rollback.

    Must be called inside `transaction.atomic()`. On SQLite the write lock already serializes.
    """
    if not _is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])


@contextlib.contextmanager
def advisory_lock(namespace: int, key: int = 0) -> Iterator[None]:
    """Hold the lock (namespace, key) for the whole block, across the transactions the block
    commits: a transaction-scoped lock taken by a connection of its own, whose transaction stays
    open (idle, with no snapshot and no transaction id, so it holds back no vacuum) until the
    block ends. The database releases it if the process dies, as the connection goes with it.

    Never a session-level lock: behind PgBouncer in transaction pooling a session lock stays with
    whichever server connection took it, and the unlock may run on another one (the lock leaks).
    On SQLite this yields at once (one writer anyway)."""
    if not _is_postgresql():
        yield
        return
    holder = connection.get_new_connection(connection.get_connection_params())
    try:
        holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])
        yield
    finally:
        with contextlib.suppress(Exception):  # a dead connection released it already
            holder.rollback()
        holder.close()
