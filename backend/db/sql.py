"""Running raw SQL through Django's cursor, and the small pieces every engine spells differently.

Every statement goes through `connection.cursor()`, so Django's own query log (`connection.queries`,
`CaptureQueriesContext`, the query-count tests) records it; a COPY, which has no `execute()`, is
recorded through the same debug wrapper Django uses for its own statements.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def cursor() -> Iterator[Any]:
    """Django's cursor wrapper (query log, error wrapping) on the same connection and
    transaction. On PostgreSQL around a server-side binding psycopg cursor: Django's own binds
    client-side, quoting every parameter in Python, which was a visible share of a sync batch."""
    if not is_postgresql():
        with connection.cursor() as wrapped:
            yield wrapped
        return
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    try:
        # Django's own wrapper (debug or not, as connection.cursor() picks it).
        yield connection._prepare_cursor(raw)  # type: ignore[attr-defined]
    finally:
        raw.close()


def fetch_all(sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one statement on Django's connection (same transaction) and return its rows."""
    with cursor() as cursor_:
        cursor_.execute(sql, params)
        return list(cursor_.fetchall()) if cursor_.description else []


def execute(sql: str, params: Sequence[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextlib.contextmanager
def logged(cursor: Any, sql: str) -> Iterator[None]:
    """Record a statement that does not run through `execute()` (COPY) in Django's query log."""
    if isinstance(cursor, CursorDebugWrapper):
        with cursor.debug_sql(sql):
            yield
    else:
        yield


_NOT_IN_AN_ELEMENT = re.compile(r'[,{}"\\ \t\n]')  # what the array syntax would read


def _literal(value: Any) -> str:
    if type(value) is int or isinstance(value, uuid.UUID):
        return str(value)  # digits (and a sign), or hex digits and hyphens
    text = str(value)
    if not text or _NOT_IN_AN_ELEMENT.search(text):
        raise ValueError(f"not an array element: {text!r}")
    return text


def any_of(column: str, values: Collection[Any], kind: str) -> tuple[str, list[Any]]:
    """`column` is one of `values`: (SQL condition, its parameters).

    `kind` is the SQL element type ("bigint", "uuid", "text"). On PostgreSQL it is one array
    parameter sent as a single text literal (`= ANY(%s::bigint[])`): a list of a thousand
    placeholders costs more to build and parse than the lookup itself, and a text parameter is
    quoted in C where a list is adapted item by item in Python. Elsewhere an IN list (UUIDs in
    Django's SQLite spelling, 32 hex digits). An empty collection matches nothing.
    """
    if not values:
        return "1 = 0", []
    if is_postgresql():
        if kind == "text":
            return f"{column} = ANY(%s)", [list(values)]
        return f"{column} = ANY(%s::{kind}[])", ["{" + ",".join(map(_literal, values)) + "}"]
    if kind == "uuid":
        values = [v.hex if isinstance(v, uuid.UUID) else uuid.UUID(str(v)).hex for v in values]
    placeholders = ", ".join(["%s"] * len(values))
    return f"{column} IN ({placeholders})", list(values)


def as_uuid(value: Any) -> uuid.UUID | None:
    """A UUID read back from a raw query (PostgreSQL returns UUIDs, SQLite 32 hex digits)."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def tables_analyze(*models: Any) -> None:
    """Refresh the planner's statistics of these models' tables (PostgreSQL's ANALYZE; nothing
    on SQLite) after a bulk load: until autovacuum gets to them, the planner guesses from no
    statistics at all. Without them a turf's door languages at 2.2 million voters scanned every
    voter (200 ms; 3 ms after ANALYZE)."""
    if not is_postgresql():
        return
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as raw:
        raw.execute(f"ANALYZE {names}")
