"""Monthly range partitions on PostgreSQL (declarative partitioning), and the plain tables they
replace everywhere else.

A partitioned table's primary key and unique indexes must include the partition key, so a
table converted here keeps its global uniqueness in a companion `<table>_unique` key table:
the row's `id` plus every column of the original unique constraints, with those constraints
recreated on it (partial ones included). Triggers on the partitioned table keep it equal:

- BEFORE INSERT claims the row's keys in `<table>_unique`. A duplicate raises the unique
  violation of the original constraint name, as before, unless the transaction set
  `partitions.skip_duplicates` (`skip_duplicates_sql()`, transaction-local like SET LOCAL,
  so it is safe behind PgBouncer): then the duplicate row is silently not inserted, which is
  `INSERT ... ON CONFLICT DO NOTHING` for a key the partitioned table cannot hold.
- AFTER UPDATE follows a change of those columns, AFTER DELETE removes the key.

Foreign keys that pointed INTO the table point at `<table>_unique(id)` instead (same name,
same deferral), so a review still cannot name a log that never existed.

Partitions are `<table>_pYYYYMM` with a `<table>_default` catching anything outside them (a
clock far off, a test travelling in time); `partitions_ensure` creates months ahead and moves
any rows the default holds for them. Dropping a partition fires no trigger: `partition_drop`
removes its keys first.

On SQLite every function here is a no-op (the tables stay plain; `make run` needs nothing more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

SKIP_DUPLICATES = "partitions.skip_duplicates"
# Months created ahead of the current one: the daily task has three months to fail and be fixed
# before a row would land in the default partition (where it still lands safely).
MONTHS_AHEAD = 3
# The partitioned tables and their partition keys (server times, never a device's clock).
PARTITIONED_TABLES = {
    "canvass_conversationlog": "received_at",
    "events_smsmessage": "created_at",
}
# A partition whose personal fields were trimmed past retention carries this table comment,
# so a later purge never rescans it (logs stay; only their personal content went).
TRIMMED = "trimmed past retention"


@dataclass(frozen=True)
class Partition:
    name: str
    start: date
    end: date


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def skip_duplicates_sql(*, on: bool = True) -> str:
    """The statement that makes duplicates silently skipped (or refused again) until the end of
    the transaction at most (transaction-local, like SET LOCAL)."""
    return f"SELECT set_config('{SKIP_DUPLICATES}', '{'on' if on else 'off'}', true)"


def _fetch(
    sql: str, params: list[Any] | None = None, using: BaseDatabaseWrapper | None = None
) -> list[tuple[Any, ...]]:
    with (using or connection).cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def _execute(
    sql: str, params: list[Any] | None = None, using: BaseDatabaseWrapper | None = None
) -> None:
    with (using or connection).cursor() as cursor:
        cursor.execute(sql, params or [])


def is_partitioned(table: str, using: BaseDatabaseWrapper | None = None) -> bool:
    conn = using or connection
    if conn.vendor != "postgresql":
        return False
    rows = _fetch(
        "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.relname = %s AND c.relnamespace = 'public'::regnamespace",
        [table],
        conn,
    )
    return bool(rows)


def partitions_of(table: str, using: BaseDatabaseWrapper | None = None) -> list[Partition]:
    """The table's monthly partitions, oldest first (the default partition is not among them)."""
    conn = using or connection
    if not is_partitioned(table, conn):
        return []
    rows = _fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        [table],
        conn,
    )
    found = []
    prefix = f"{table}_p"
    for (name,) in rows:
        suffix = name.removeprefix(prefix)
        if name.startswith(prefix) and len(suffix) == 6 and suffix.isdigit():
            start = date(int(suffix[:4]), int(suffix[4:]), 1)
            found.append(Partition(name=name, start=start, end=add_months(start, 1)))
    return found


def _bound(month: date) -> str:
    return f"'{month.isoformat()} 00:00:00+00'"


def _create_partition(table: str, key: str, month: date, conn: BaseDatabaseWrapper) -> str:
    """One month's partition; rows the default partition holds for that month move into it."""
    name = partition_name(table, month)
    start, end = _bound(month), _bound(add_months(month, 1))
    default = f"{table}_default"
    in_default = _fetch(
        f"SELECT 1 FROM {default} WHERE {key} >= {start} AND {key} < {end} LIMIT 1",  # noqa: S608
        using=conn,
    )
    if not in_default:
        _execute(
            f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ({start}) TO ({end})",
            using=conn,
        )
        return name
    # A partition cannot be created while the default holds its rows: build it beside, move
    # the rows (their keys stay in the key table: ids do not change), then attach it.
    _execute(
        f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", using=conn
    )
    _execute(
        f"WITH moved AS (DELETE FROM {default} WHERE {key} >= {start} AND {key} < {end} "  # noqa: S608
        f"RETURNING *) INSERT INTO {name} SELECT * FROM moved",
        using=conn,
    )
    _execute(
        f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({start}) TO ({end})",
        using=conn,
    )
    return name


def partition_key(table: str, using: BaseDatabaseWrapper | None = None) -> str:
    rows = _fetch(
        "SELECT a.attname FROM pg_partitioned_table p "
        "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
        "WHERE p.partrelid = %s::regclass",
        [table],
        using,
    )
    return str(rows[0][0])


def partitions_ensure(
    table: str,
    *,
    months_ahead: int,
    now: datetime | None = None,
    using: BaseDatabaseWrapper | None = None,
) -> list[str]:
    """Create the partitions of this month and the `months_ahead` next ones that are missing;
    returns the names created (nothing on a plain table)."""
    conn = using or connection
    if not is_partitioned(table, conn):
        return []
    key = partition_key(table, conn)
    existing = {p.start for p in partitions_of(table, conn)}
    this_month = month_start((now or timezone.now()).astimezone(UTC).date())
    created = []
    for offset in range(months_ahead + 1):
        month = add_months(this_month, offset)
        if month not in existing:
            created.append(_create_partition(table, key, month, conn))
    return created


def partition_drop(
    table: str, partition: Partition, using: BaseDatabaseWrapper | None = None
) -> int:
    """Drop one partition and its keys in the key table; returns the number of rows it held."""
    conn = using or connection
    (count,) = _fetch(f"SELECT count(*) FROM {partition.name}", using=conn)[0]  # noqa: S608
    _execute(
        f"DELETE FROM {table}_unique WHERE id IN (SELECT id FROM {partition.name})",  # noqa: S608
        using=conn,
    )
    _execute(f"DROP TABLE {partition.name}", using=conn)
    return int(count)


def partitions_before(
    table: str, cutoff: datetime, using: BaseDatabaseWrapper | None = None
) -> list[Partition]:
    """Partitions whose whole month lies before `cutoff`."""
    limit = cutoff.astimezone(UTC).date()
    return [p for p in partitions_of(table, using) if p.end <= limit]


def is_trimmed(partition: Partition, using: BaseDatabaseWrapper | None = None) -> bool:
    rows = _fetch("SELECT obj_description(%s::regclass, 'pg_class')", [partition.name], using)
    return bool(rows and rows[0][0] == TRIMMED)


def mark_trimmed(partition: Partition, using: BaseDatabaseWrapper | None = None) -> None:
    _execute(f"COMMENT ON TABLE {partition.name} IS '{TRIMMED}'", using=using)


def index_size(name: str, using: BaseDatabaseWrapper | None = None) -> int:
    """Bytes of an index, of a partitioned index with all its partitions' indexes."""
    rows = _fetch(
        "SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0) FROM pg_index i "
        "WHERE i.indexrelid = %s::regclass OR i.indexrelid IN "
        "(SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
        [name, name],
        using,
    )
    return int(rows[0][0])


# --- Converting a plain table, and back ------------------------------------------------------


def _indexes(table: str, conn: BaseDatabaseWrapper) -> list[tuple[str, str, bool, bool, bool]]:
    """(name, definition, unique, primary, backs a UNIQUE constraint) of the table's own indexes."""
    return [
        (name, definition, unique, primary, constraint)
        for name, definition, unique, primary, constraint in _fetch(
            "SELECT ic.relname, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary, "
            "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
            "AND k.contype = 'u') "
            "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass ORDER BY ic.relname",
            [table],
            conn,
        )
    ]


def _unique_columns(table: str, conn: BaseDatabaseWrapper) -> list[str]:
    """Columns of the table's unique indexes other than the primary key, predicates included."""
    rows = _fetch(
        "SELECT DISTINCT a.attname, a.attnum FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum > 0 "
        "AND (a.attnum = ANY(i.indkey) OR pg_get_expr(i.indpred, i.indrelid) ~ ('\\m' || a.attname || '\\M')) "
        "WHERE i.indrelid = %s::regclass AND i.indisunique AND NOT i.indisprimary "
        "AND NOT a.attisdropped ORDER BY a.attnum",
        [table],
        conn,
    )
    return [name for name, _ in rows if name != "id"]


def _foreign_keys_out(table: str, conn: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    return [
        (name, definition)
        for name, definition in _fetch(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
            conn,
        )
    ]


def _foreign_keys_in(table: str, conn: BaseDatabaseWrapper) -> list[tuple[str, str, str]]:
    """(referencing table, name, definition) of the foreign keys that point at `table`."""
    return [
        (referencing, name, definition)
        for referencing, name, definition in _fetch(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE confrelid = %s::regclass AND contype = 'f' AND conrelid <> confrelid "
            "AND conparentid = 0 ORDER BY conname",
            [table],
            conn,
        )
    ]


def _own_triggers(table: str, conn: BaseDatabaseWrapper) -> list[str]:
    """Definitions of the table's own triggers (change stamps...), not the key table's."""
    return [
        definition
        for (definition,) in _fetch(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal AND tgparentid = 0 AND tgname NOT LIKE %s ORDER BY tgname",
            [table, f"{table}_keys_%"],
            conn,
        )
    ]


def _on(definition: str, old: str, new: str) -> str:
    return definition.replace(f" ON public.{old} ", f" ON public.{new} ").replace(
        f" ON ONLY public.{old} ", f" ON public.{new} "
    )


def _create_indexes(
    table: str,
    target: str,
    indexes: list[tuple[str, str, bool, bool, bool]],
    conn: BaseDatabaseWrapper,
) -> None:
    for name, definition, _unique, _primary, constraint in indexes:
        _execute(_on(definition, table, target), using=conn)
        if constraint:
            _execute(
                f"ALTER TABLE {target} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}", using=conn
            )


def _sequence_follow(table: str, conn: BaseDatabaseWrapper) -> None:
    _execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
        f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)",
        using=conn,
    )


def _triggers(table: str, columns: list[str], conn: BaseDatabaseWrapper) -> None:
    unique = f"{table}_unique"
    names = ", ".join(["id", *columns])
    new_values = ", ".join(f"NEW.{c}" for c in ["id", *columns])
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in ["id", *columns])
    assignments = ", ".join(f"{c} = NEW.{c}" for c in ["id", *columns])
    excluded = ", ".join(f"{c} = EXCLUDED.{c}" for c in ["id", *columns])
    # Names from the catalog and our own constants, never from input.
    _execute(
        f"""
        CREATE FUNCTION {table}_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('{SKIP_DUPLICATES}', true) = 'on' THEN
                INSERT INTO {unique} ({names}) VALUES ({new_values}) ON CONFLICT DO NOTHING;
                IF NOT FOUND THEN
                    -- The same id: an UPDATE moving the row to another month, not a duplicate.
                    IF NOT EXISTS (SELECT 1 FROM {unique} WHERE id = NEW.id) THEN
                        RETURN NULL;
                    END IF;
                    UPDATE {unique} SET {assignments} WHERE id = NEW.id;
                END IF;
            ELSE
                -- An UPDATE that moves a row to another month inserts it there before the
                -- old copy's AFTER DELETE: the key is already there and follows the row.
                INSERT INTO {unique} ({names}) VALUES ({new_values})
                    ON CONFLICT (id) DO UPDATE SET {excluded};
            END IF;
            RETURN NEW;
        END $$;
        CREATE FUNCTION {table}_keys_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {changed} THEN
                UPDATE {unique} SET {assignments} WHERE id = OLD.id;
            END IF;
            RETURN NULL;
        END $$;
        CREATE FUNCTION {table}_keys_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Not when the row only moved to another month (it is there again).
            IF NOT EXISTS (SELECT 1 FROM {table} WHERE id = OLD.id) THEN
                DELETE FROM {unique} WHERE id = OLD.id;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER {table}_keys_insert BEFORE INSERT ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_keys_insert();
        CREATE TRIGGER {table}_keys_update AFTER UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_keys_update();
        CREATE TRIGGER {table}_keys_delete AFTER DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_keys_delete();
        """,  # noqa: S608
        using=conn,
    )


def _drop_triggers(table: str, conn: BaseDatabaseWrapper) -> None:
    for action in ("insert", "update", "delete"):
        _execute(f"DROP TRIGGER IF EXISTS {table}_keys_{action} ON {table}", using=conn)
        _execute(f"DROP FUNCTION IF EXISTS {table}_keys_{action}()", using=conn)


def convert_to_partitioned(
    table: str, *, key: str, months_ahead: int, using: BaseDatabaseWrapper | None = None
) -> None:
    """Turn a plain table into one partitioned by month of `key`, keeping every row, id,
    column (whatever columns it has: the copy is by introspection), index, check, foreign key
    and the sequence; unique constraints move to `<table>_unique` (module docstring)."""
    conn = using or connection
    if conn.vendor != "postgresql" or is_partitioned(table, conn):
        return
    old = f"{table}_unpartitioned"
    indexes = _indexes(table, conn)
    unique_columns = _unique_columns(table, conn)
    fks_out = _foreign_keys_out(table, conn)
    fks_in = _foreign_keys_in(table, conn)
    triggers = _own_triggers(table, conn)
    for referencing, name, _ in fks_in:
        _execute(f"ALTER TABLE {referencing} DROP CONSTRAINT {name}", using=conn)
    _execute(f"ALTER TABLE {table} RENAME TO {old}", using=conn)
    _execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({key})",
        using=conn,
    )
    _execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT", using=conn)
    (oldest,) = _fetch(f"SELECT min({key}) FROM {old}", using=conn)[0]  # noqa: S608
    this_month = month_start(timezone.now().astimezone(UTC).date())
    month = month_start(oldest.astimezone(UTC).date()) if oldest else this_month
    while month <= add_months(this_month, months_ahead):
        _execute(
            f"CREATE TABLE {partition_name(table, month)} PARTITION OF {table} "
            f"FOR VALUES FROM ({_bound(month)}) TO ({_bound(add_months(month, 1))})",
            using=conn,
        )
        month = add_months(month, 1)
    _execute(f"INSERT INTO {table} SELECT * FROM {old}", using=conn)  # noqa: S608
    _execute(
        f"CREATE TABLE {table}_unique AS SELECT {', '.join(['id', *unique_columns])} FROM {old}",  # noqa: S608
        using=conn,
    )
    _execute(f"DROP TABLE {old}", using=conn)
    _execute(
        f"ALTER TABLE {table}_unique ADD CONSTRAINT {table}_unique_pkey PRIMARY KEY (id)",
        using=conn,
    )
    _execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, {key})", using=conn)
    for name, definition, unique, primary, constraint in indexes:
        if primary:
            continue
        if unique:
            _create_indexes(
                table, f"{table}_unique", [(name, definition, unique, primary, constraint)], conn
            )
        else:
            _execute(definition, using=conn)
    for name, definition in fks_out:
        _execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}", using=conn)
    for referencing, name, definition in fks_in:
        pointing = definition.replace(f"REFERENCES {table}(", f"REFERENCES {table}_unique(")
        _execute(f"ALTER TABLE {referencing} ADD CONSTRAINT {name} {pointing}", using=conn)
    _triggers(table, unique_columns, conn)
    for definition in triggers:
        _execute(definition, using=conn)
    _sequence_follow(table, conn)


def convert_to_plain(table: str, using: BaseDatabaseWrapper | None = None) -> None:
    """Undo `convert_to_partitioned`: one plain table with every row, its unique constraints
    back on it and the foreign keys pointing at it again."""
    conn = using or connection
    if not is_partitioned(table, conn):
        return
    partitioned = f"{table}_partitioned"
    unique = f"{table}_unique"
    indexes = [i for i in _indexes(table, conn) if not i[3]]
    unique_indexes = [i for i in _indexes(unique, conn) if not i[3]]
    fks_out = _foreign_keys_out(table, conn)
    fks_in = _foreign_keys_in(unique, conn)
    triggers = _own_triggers(table, conn)
    for referencing, name, _ in fks_in:
        _execute(f"ALTER TABLE {referencing} DROP CONSTRAINT {name}", using=conn)
    _drop_triggers(table, conn)
    _execute(f"ALTER TABLE {table} RENAME TO {partitioned}", using=conn)
    _execute(
        f"CREATE TABLE {table} (LIKE {partitioned} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS)",
        using=conn,
    )
    _execute(f"INSERT INTO {table} SELECT * FROM {partitioned}", using=conn)  # noqa: S608
    _execute(f"DROP TABLE {partitioned}", using=conn)
    _execute(f"DROP TABLE {unique}", using=conn)
    _execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id)", using=conn)
    for _name, definition, *_ in indexes:
        _execute(
            definition.replace(f" ON ONLY public.{table} ", f" ON public.{table} "), using=conn
        )
    _create_indexes(unique, table, unique_indexes, conn)
    for name, definition in fks_out:
        _execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}", using=conn)
    for referencing, name, definition in fks_in:
        pointing = definition.replace(f"REFERENCES {unique}(", f"REFERENCES {table}(")
        _execute(f"ALTER TABLE {referencing} ADD CONSTRAINT {name} {pointing}", using=conn)
    for definition in triggers:
        _execute(definition, using=conn)
    _sequence_follow(table, conn)


def partitions_ensure_all(
    *, months_ahead: int = MONTHS_AHEAD, now: datetime | None = None
) -> dict[str, list[str]]:
    """`partitions_ensure` for every partitioned table: table -> partitions created."""
    return {
        table: partitions_ensure(table, months_ahead=months_ahead, now=now)
        for table in PARTITIONED_TABLES
    }


def rows_purge(table: str, *, key: str, cutoff: datetime) -> dict[str, int]:
    """Remove the rows whose `key` is before `cutoff`: whole months by dropping their partitions
    (no row is read or rewritten, no index bloats, no vacuum follows), the rest (the month the
    cutoff falls in, the default partition; every row on a plain table) by DELETE."""
    dropped_partitions = dropped_rows = 0
    if is_partitioned(table):
        for partition in partitions_before(table, cutoff):
            dropped_rows += partition_drop(table, partition)
            dropped_partitions += 1
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {key} < %s", [cutoff])  # noqa: S608
        deleted = cursor.rowcount
    return {
        "partitions_dropped": dropped_partitions,
        "rows_dropped": dropped_rows,
        "rows_deleted": deleted,
    }


def untrimmed_since(table: str, cutoff: datetime) -> tuple[date, date] | None:
    """(first partition's start, end of the trimmed months after it) when the oldest months
    before `cutoff` were trimmed already: a purge then only looks at rows before the first
    partition (in the default one) or from the second date on. None: look at every row."""
    found = partitions_of(table)
    if not found:
        return None
    floor = found[0].start
    for partition in found:
        if partition.end > cutoff.astimezone(UTC).date() or not is_trimmed(partition):
            break
        floor = partition.end
    return (found[0].start, floor) if floor != found[0].start else None


def mark_trimmed_before(table: str, cutoff: datetime) -> int:
    """Mark every partition wholly before `cutoff` as trimmed; returns how many were new."""
    marked = 0
    for partition in partitions_before(table, cutoff):
        if not is_trimmed(partition):
            mark_trimmed(partition)
            marked += 1
    return marked
