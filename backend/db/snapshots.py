"""The snapshot watermark: which committed writes this connection can see now.

On PostgreSQL rows are stamped (by triggers) with the writing transaction's id, and the snapshot
is `pg_current_snapshot()`: xmin, xmax and the ids still in progress. A stamp is visible exactly
when it is below xmin, or below xmax and not in progress. On SQLite (one writer at a time) the
triggers stamp rows from a one-row counter table, and the snapshot is "everything up to the
counter seen": xmin = xmax = counter + 1, nothing in progress.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from backend.db.sql import is_postgresql


@dataclass(frozen=True)
class SnapshotBounds:
    xmin: int
    xmax: int
    in_progress: tuple[int, ...]


def snapshot_bounds(*, counter_table: str, max_in_progress: int) -> SnapshotBounds:
    """The current snapshot of this connection. Its own transaction, when it has written, counts
    as in progress: it may still change rows with the same stamp after this read. More than
    `max_in_progress` ids in progress and only xmin is kept (xmax = xmin: safe, it re-sends and
    never skips). `counter_table` is SQLite's stamp counter (a row with id 1 and a `value`)."""
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint, "
                "ARRAY(SELECT pg_snapshot_xip(s)::text::bigint ORDER BY 1), "
                "pg_current_xact_id_if_assigned()::text::bigint "
                "FROM pg_current_snapshot() AS s"
            )
            xmin, xmax, in_progress, own = cursor.fetchone()  # type: ignore[misc]
            if own is not None:
                in_progress = sorted({*in_progress, own})
            if len(in_progress) > max_in_progress:
                return SnapshotBounds(int(xmin), int(xmin), ())
            return SnapshotBounds(int(xmin), int(xmax), tuple(int(x) for x in in_progress))
        cursor.execute(f"SELECT value + 1 FROM {counter_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    low = int(row[0]) if row else 0
    return SnapshotBounds(low, low, ())
