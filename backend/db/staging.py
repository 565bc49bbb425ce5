"""Bulk writes through a temporary staging table: COPY the rows in, move them with one
`INSERT ... SELECT ... ON CONFLICT`, empty the staging table.

On PostgreSQL the rows go in with a binary COPY (psycopg dumps them in C; array parameters for
`unnest()` are dumped in Python at ~100 µs per row, which was most of a sync batch's time) into a
session temp table emptied on commit. On SQLite (development and tests) the same statements run
with one `executemany()` INSERT in place of the COPY; SQLite has one writer at a time, so the
conflict handling is race-free there too.

Column types come from the model's own fields (`columns_of`), so a caller never lists them again.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import connection, models

from backend.db.sql import as_uuid, cursor, is_postgresql, logged


@dataclass(frozen=True)
class Column:
    """One column of a staged write: its name, the staging column's SQL type, the type the binary
    COPY dumps, and how a value is read back in the INSERT ... SELECT."""

    name: str
    sql_type: str
    copy_type: str
    select: str
    kind: str  # "uuid", "datetime", "json" or "plain"


def _kind(field: models.Field[Any, Any]) -> str:
    target = getattr(field, "target_field", None) if field.is_relation else None
    internal = (target or field).get_internal_type()
    if internal == "UUIDField":
        return "uuid"
    if internal == "DateTimeField":
        return "datetime"
    if internal == "JSONField":
        return "json"
    return "plain"


def columns_of(model: type[models.Model], names: Iterable[str]) -> tuple[Column, ...]:
    """The columns `names` (field names) of `model`, typed as the model declares them. JSON
    columns are staged as text (the caller sends `json.dumps` output) and cast on the way in.
    Worked out once per model, names and engine (asking each field its type costs more than a
    small staged write)."""
    return _columns_of(model, tuple(names), connection.vendor)


@functools.cache
def _columns_of(
    model: type[models.Model], names: tuple[str, ...], vendor: str
) -> tuple[Column, ...]:
    out = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        db_type = field.db_type(connection) or "text"
        kind = _kind(field)
        column = str(field.column)
        if kind == "json":
            select = f"{column}::jsonb" if is_postgresql() else column
            out.append(Column(column, "text", "text", select, kind))
            continue
        copy_type = re.sub(r"\(.*\)", "", db_type).strip()
        out.append(Column(column, db_type, copy_type, column, kind))
    return tuple(out)


def _sqlite_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "uuid":
        return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex
    if column.kind == "datetime" and isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _text_stamps(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Rows with their datetimes as text, each distinct datetime formatted once (a batch shares
    one or two: formatting them per row in the driver was a visible share of an import)."""
    positions = [i for i, c in enumerate(columns) if c.kind == "datetime"]
    if not positions:
        return list(rows)
    text: dict[datetime, str] = {}
    out = []
    for row in rows:
        row = list(row)
        for i in positions:
            value = row[i]
            if isinstance(value, datetime):
                row[i] = text.get(value) or text.setdefault(value, value.isoformat())
        out.append(row)
    return out


def copy_rows(
    table: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *, binary: bool = True
) -> None:
    """Append `rows` (values in `columns` order) to `table`: a COPY on PostgreSQL (binary, or
    text, where datetimes are formatted once per distinct value), one `executemany()` INSERT
    elsewhere. A unique violation raises Django's IntegrityError on both."""
    names = ", ".join(c.name for c in columns)
    with connection.cursor() as cursor:
        if not is_postgresql():
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608
                [[_sqlite_value(c, v) for c, v in zip(columns, row, strict=True)] for row in rows],
            )
            return
        if not binary:
            rows = _text_stamps(columns, rows)
        sql = f"COPY {table} ({names}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper: COPY has no execute()
        with logged(cursor, sql), connection.wrap_database_errors, raw.copy(sql) as copy:
            if binary:
                copy.set_types([c.copy_type for c in columns])
            # A binary UUID column takes `uuid.UUID`s, a UUID column staged as text takes text.
            wanted = {
                i: uuid.UUID if c.copy_type == "uuid" else str
                for i, c in enumerate(columns)
                if c.kind == "uuid" and binary
            }
            for row in rows:
                if any(row[i] is not None and not isinstance(row[i], t) for i, t in wanted.items()):
                    row = list(row)
                    for i, kind in wanted.items():
                        if row[i] is not None and not isinstance(row[i], kind):
                            row[i] = kind(row[i])
                copy.write_row(row)


def staging_table(name: str, columns: Sequence[Column]) -> str:
    """A per-connection temporary table with `columns` (PostgreSQL: emptied at commit as well)."""
    definition = ", ".join(f"{c.name} {c.sql_type}" for c in columns)
    tail = " ON COMMIT DELETE ROWS" if is_postgresql() else ""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({definition}){tail}")
    return name


def reserve_ids(table: str, count: int) -> list[int] | None:
    """`count` ids from the table's own sequence (PostgreSQL), for rows COPYed with their ids;
    None where there is no sequence to take them from (the caller inserts another way)."""
    if not is_postgresql() or not count:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def staged_insert(
    *,
    target: str,
    staging: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    constants: Sequence[tuple[Column, Any]] = (),
    on_conflict: str,
    returning: Sequence[str] = (),
    order_by: str = "",
    binary: bool = True,
) -> list[tuple[Any, ...]]:
    """COPY `rows` into the staging table, then one `INSERT INTO target ... SELECT` with
    `on_conflict` (e.g. "(client_uuid) DO NOTHING"); returns the RETURNING rows (UUID columns as
    UUIDs on every engine). `constants` are (column, value) pairs set on every row, sent as
    parameters. Four statements whatever the number of rows.

    On PostgreSQL the UUID columns are staged as text and cast on the way in: a UUID's text is
    dumped in C and parsed by the server, where a binary UUID needs a `uuid.UUID` built in Python
    for each value (text is what a caller has, e.g. from JSON)."""
    if is_postgresql():
        columns = [
            replace(c, sql_type="text", copy_type="text", select=f"{c.name}::uuid")
            if c.kind == "uuid"
            else c
            for c in columns
        ]
    staging_table(staging, columns)
    copy_rows(staging, columns, rows, binary=binary)
    names = ", ".join([*(c.name for c in columns), *(c.name for c, _ in constants)])
    selected = ", ".join([*(c.select for c in columns), *("%s" for _ in constants)])
    params = [value if is_postgresql() else _sqlite_value(c, value) for c, value in constants]
    # `WHERE true`: SQLite's parser needs it before ON CONFLICT in an INSERT ... SELECT.
    sql = (
        f"INSERT INTO {target} ({names}) SELECT {selected} FROM {staging} WHERE true "  # noqa: S608
        + (f"ORDER BY {order_by} " if order_by else "")
        + f"ON CONFLICT {on_conflict}"
        + (f" RETURNING {', '.join(returning)}" if returning else "")
    )
    uuids = {c.name for c in columns if c.kind == "uuid"}
    uuid_positions = [i for i, name in enumerate(returning) if name in uuids]
    with cursor() as wrapped:
        wrapped.execute(sql, params)
        found = list(wrapped.fetchall()) if returning else []
        wrapped.execute(f"DELETE FROM {staging}")  # noqa: S608 -- our own table name
    if uuid_positions and not is_postgresql():
        found = [
            tuple(as_uuid(v) if i in uuid_positions else v for i, v in enumerate(row))
            for row in found
        ]
    return found
