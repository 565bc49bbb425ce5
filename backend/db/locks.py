"""Advisory locks: PostgreSQL's, and a no-op on SQLite, where one writer at a time is the rule."""

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
    """Hold the session-level lock (namespace, key) for the block; the database releases it if the
    process dies. On SQLite this yields at once (one writer anyway)."""
    if not _is_postgresql():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [namespace, key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])
