"""Partitions: the retention purge of old SMS months by dropping partitions beside deleting the
same rows from a plain copy of the table, and the hot month's index beside the whole table's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fieldbench .venv/bin/python bench/partitions.py

Uses a scratch database `<name>_bench` (created, migrated and dropped). `--rows` texts spread
evenly over the last `--months` months go into the partitioned outbox (through its triggers,
so the key table is filled as in production); the baseline is a plain table with the same rows
and the same indexes, in the same run. The purge removes every month before the last four
(RETENTION_DAYS=120), once by `backend.db.partitions.rows_purge` on the partitioned table, once
by DELETE on the plain one, each followed by the VACUUM the deleted rows need (a dropped
partition needs none, but the rows of its keys in `<table>_unique` do). Goal: the drop at least 10 times faster than the delete.

Prints the figures beside the goal, and RESULT lines (bench/_report.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _scratch
from _report import result

GOAL_RATIO = 10.0
TABLE = "events_smsmessage"
NOT_NULL = {
    "phone": "''",
    "phone_hash": "md5(g::text)",
    "body": "'Reminder: your shift starts at 6pm.'",
    "kind": "'reminder'",
    "language": "'en'",
    "offset_minutes": "0",
    "status": "'delivered'",
    "skip_reason": "''",
    "provider_sid": "'SM' || g",
    "provider_status": "'delivered'",
    "error_code": "''",
    "error_message": "''",
    "attempts": "1",
    "claim_token": "''",
}


def fill(rows: int, months: int) -> None:
    from django.db import connection

    span = months * 30 * 24 * 3600
    stamp = f"now() - (g::bigint * {span} / {rows}) * interval '1 second'"
    columns = {**NOT_NULL, "send_after": stamp, "next_attempt_at": stamp}
    columns |= {"sending_started_at": stamp, "created_at": stamp, "updated_at": stamp}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} ({', '.join(columns)}) "
            f"SELECT {', '.join(columns.values())} FROM generate_series(1, %s) g",
            [rows],
        )
        cursor.execute(f"CREATE TABLE sms_plain AS SELECT * FROM {TABLE}")
        cursor.execute("ALTER TABLE sms_plain ADD PRIMARY KEY (id)")
        cursor.execute("CREATE INDEX sms_plain_due ON sms_plain (status, next_attempt_at)")
        cursor.execute("CREATE INDEX sms_plain_created ON sms_plain (created_at)")
        cursor.execute("CREATE INDEX sms_plain_phone ON sms_plain (phone_hash, sending_started_at)")
        cursor.execute(f"ANALYZE {TABLE}; ANALYZE sms_plain")


def vacuum(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    name = _scratch.setup()
    try:
        from django.conf import settings
        from django.db import connection, transaction
        from django.utils import timezone

        from backend.db import partitions

        now = timezone.now()
        with connection.cursor() as cursor:
            # Months back to the oldest row, as the migration would have made them.
            for back in range(args.months + 1):
                month = partitions.add_months(partitions.month_start(now.date()), -back)
                if month not in {p.start for p in partitions.partitions_of(TABLE)}:
                    partitions.partitions_ensure(
                        TABLE,
                        months_ahead=0,
                        now=now.replace(year=month.year, month=month.month, day=1),
                    )
            cursor.execute("SELECT 1")
        started = time.perf_counter()
        fill(args.rows, args.months)
        print(
            f"{args.rows} texts over {args.months} months in {time.perf_counter() - started:.1f} s"
        )

        hot = partitions.partition_name(TABLE, partitions.month_start(now.date()))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = %s::regclass AND pg_get_indexdef(i.indexrelid) LIKE %s",
                [hot, "%(status, next_attempt_at)%"],
            )
            hot_index = cursor.fetchone()[0]
        hot_bytes = partitions.index_size(hot_index)
        whole_bytes = partitions.index_size("sms_plain_due")

        cutoff = now - timedelta(days=settings.RETENTION_DAYS)
        started = time.perf_counter()
        with transaction.atomic():
            counts = partitions.rows_purge(TABLE, key="created_at", cutoff=cutoff)
        drop_seconds = time.perf_counter() - started
        started = time.perf_counter()
        # Dead rows are only in the key table and the month the cutoff falls in.
        vacuum(f"{TABLE}_unique")
        vacuum(partitions.partition_name(TABLE, partitions.month_start(cutoff.date())))
        drop_seconds += time.perf_counter() - started

        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM sms_plain WHERE created_at < %s", [cutoff])
            deleted = cursor.rowcount
        delete_seconds = time.perf_counter() - started
        started = time.perf_counter()
        vacuum("sms_plain")
        delete_seconds += time.perf_counter() - started

        removed = counts["rows_dropped"] + counts["rows_deleted"]
        ratio = delete_seconds / drop_seconds if drop_seconds else float("inf")
        print(
            f"purge past {settings.RETENTION_DAYS} days: {removed} rows "
            f"({counts['partitions_dropped']} months dropped, {counts['rows_deleted']} rows deleted) "
            f"in {drop_seconds * 1000:.0f} ms; DELETE of {deleted} rows from the plain table "
            f"{delete_seconds * 1000:.0f} ms: {ratio:.1f}x (goal >= {GOAL_RATIO:.0f}x)"
        )
        print(
            f"sms_due index: this month's partition {hot_bytes / 1024:.0f} KB, "
            f"the plain table's {whole_bytes / 1024:.0f} KB "
            f"({hot_bytes / whole_bytes:.1%} of it)"
        )
        result("partitions_purge_drop_ms", drop_seconds * 1000, "ms", delete_seconds * 1000)
        result("partitions_hot_index_kb", hot_bytes / 1024, "KB", whole_bytes / 1024)
    finally:
        _scratch.teardown(name)


if __name__ == "__main__":
    main()
