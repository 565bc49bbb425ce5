"""Bulk upserts for the voter import.

On PostgreSQL rows are COPYed into a temporary staging table and moved with one
`INSERT ... SELECT ... ON CONFLICT DO UPDATE`: several times faster than `bulk_create`, whose
per-value preparation dominates at voter-file sizes. Elsewhere (SQLite in development and
tests) the same contract is met with `bulk_create(update_conflicts=True)`.


"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from backend.crypto import encrypt_many
from canvass.models import Household, ImportSeenVoter, Voter

M = TypeVar("M", bound=Model)
# COPY runs on the raw psycopg cursor, so its errors arrive unwrapped by Django.
UNIQUE_VIOLATIONS = (IntegrityError, psycopg.IntegrityError)

HOUSEHOLD_COLUMNS = (
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "address_key",
    "county",
    "latitude",
    "longitude",
    "geocode_status",
    "precinct_id",
    "created_at",
    "updated_at",
)
VOTER_COLUMNS = (
    "state_voter_id",
    "first_name",
    "middle_name",
    "last_name",
    "party",
    "birth_year",
    "phone",
    "phone_hash",
    "language",
    "household_id",
    "last_import_id",
    "source_hash",
    "created_at",
    "updated_at",
)
# Columns an update may change: never created_at.
VOTER_UPDATE_COLUMNS = tuple(c for c in VOTER_COLUMNS if c not in ("state_voter_id", "created_at"))


def matching(
    model: type[M], column: str, values: Collection[str], fields: Sequence[str] = ()
) -> list[M]:
    """Rows whose `column` is one of `values`. On PostgreSQL one array parameter
    (`= ANY(%s)`) replaces an IN list of a thousand placeholders, which costs more to build and
    parse than the lookup itself. `fields` limits the columns loaded (the rest are deferred)."""
    if connection.vendor != "postgresql":
        queryset = model._default_manager.filter(**{f"{column}__in": list(values)})
        return list(queryset.only(*fields) if fields else queryset)
    table = model._meta.db_table
    selected = ", ".join(["id", *fields]) if fields else "*"
    return list(
        model._default_manager.raw(
            f"SELECT {selected} FROM {table} WHERE {column} = ANY(%s)",  # noqa: S608
            [list(values)],
        )
    )


def _staging(table: str, source: str, columns: Sequence[str]) -> str:
    """A per-connection temporary table shaped like `columns` of `source`, emptied on commit."""
    name = f"import_{table}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {', '.join(columns)} FROM {source} WITH NO DATA"
        )
    return name


def _copy(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class NewHousehold:
    """A household about to be inserted: the attributes the import sets, without a model
    instance (building one costs ~100 µs, mostly its database-default expressions)."""

    __slots__ = (
        "address_key",
        "city",
        "county",
        "geocode_status",
        "latitude",
        "longitude",
        "pk",
        "precinct_id",
        "state",
        "street",
        "unit",
        "zip_code",
    )

    def __init__(self, **values: Any) -> None:
        self.pk: int | None = None
        self.latitude: float | None = None
        self.longitude: float | None = None
        self.geocode_status = "pending"
        self.precinct_id: int | None = None
        for name, value in values.items():
            setattr(self, name, value)


def households_insert(households: list[Any], now: datetime) -> None:
    """Insert new households (NewHousehold or Household) and set their pk (an address
    inserted meanwhile is reused)."""
    if not households:
        return
    if connection.vendor != "postgresql":
        models = [
            Household(
                **{name: getattr(h, name) for name in NewHousehold.__slots__ if name != "pk"},
                created_at=now,
                updated_at=now,
            )
            for h in households
        ]
        Household.objects.bulk_create(
            models,
            update_conflicts=True,
            unique_fields=["address_key"],
            update_fields=["updated_at"],
        )
        for household, model in zip(households, models, strict=True):
            household.pk = model.pk
        return
    stamp = now.isoformat()  # once, not a datetime dumped per row by COPY
    values = [
        (
            h.street,
            h.unit,
            h.city,
            h.state,
            h.zip_code,
            h.address_key,
            h.county,
            h.latitude,
            h.longitude,
            h.geocode_status,
            h.precinct_id,
            stamp,
            stamp,
        )
        for h in households
    ]
    table = Household._meta.db_table
    # Fast path: the caller checked these addresses are new, so take ids from the sequence and
    # COPY straight into the table. A concurrent import that inserted one of them meanwhile
    # trips the unique index; then the staging path below merges instead.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(households)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    try:
        with transaction.atomic():
            _copy(
                table,
                ("id", *HOUSEHOLD_COLUMNS),
                [(pk, *row) for pk, row in zip(ids, values, strict=True)],
            )
    except UNIQUE_VIOLATIONS:
        pass
    else:
        for household, pk in zip(households, ids, strict=True):
            household.pk = pk
        return
    staging = _staging("household", table, HOUSEHOLD_COLUMNS)
    _copy(staging, HOUSEHOLD_COLUMNS, values)
    columns = ", ".join(HOUSEHOLD_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            f"SELECT {columns} FROM {staging} "
            "ON CONFLICT (address_key) DO UPDATE SET updated_at = EXCLUDED.updated_at "
            "RETURNING id, address_key"
        )
        by_key = {key: pk for pk, key in cursor.fetchall()}
        cursor.execute(f"TRUNCATE {staging}")
    for household in households:
        household.pk = by_key[household.address_key]


def _stamp(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def voters_upsert(rows: list[tuple[Any, ...]], *, all_new: bool = False) -> None:
    """Insert or update voters by state voter id; each row follows VOTER_COLUMNS, with the
    phone in plain E.164 (encrypted here, on its way to the column). `all_new` says the caller
    found none of them in the table (a hint for a faster path; conflicts are still merged)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Voter.objects.bulk_create(
            [Voter(**dict(zip(VOTER_COLUMNS, row, strict=True))) for row in rows],
            update_conflicts=True,
            unique_fields=["state_voter_id"],
            update_fields=[c.removesuffix("_id") for c in VOTER_UPDATE_COLUMNS],
        )
        return
    phone = VOTER_COLUMNS.index("phone")
    phones = [row[phone] for row in rows if row[phone]]
    tokens = iter(encrypt_many(phones))
    # The change times are one datetime per batch: COPY them as text, formatted once.
    stamps: dict[Any, Any] = {}
    values = [
        (
            *row[:phone],
            next(tokens) if row[phone] else "",
            *row[phone + 1 : -2],
            *(stamps.get(t) or stamps.setdefault(t, _stamp(t)) for t in row[-2:]),
        )
        for row in rows
    ]
    if all_new:
        # Fast path for voters the caller found absent: COPY straight into the table; a
        # concurrent import that inserted one meanwhile trips the unique index, and the
        # staging path below merges instead.
        try:
            with transaction.atomic():
                _copy(Voter._meta.db_table, VOTER_COLUMNS, values)
        except UNIQUE_VIOLATIONS:
            pass
        else:
            return
    staging = _staging("voter", Voter._meta.db_table, VOTER_COLUMNS)
    _copy(staging, VOTER_COLUMNS, values)
    columns = ", ".join(VOTER_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in VOTER_UPDATE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Voter._meta.db_table} ({columns}) "  # noqa: S608
            f"SELECT {columns} FROM {staging} "
            f"ON CONFLICT (state_voter_id) DO UPDATE SET {updates}"
        )
        cursor.execute(f"TRUNCATE {staging}")


def voters_known(
    state_voter_ids: Collection[str], *, with_geocoding: bool = True
) -> dict[str, tuple[str, int | None, bool]]:
    """state voter id -> (source hash, last import id, door still waiting for geocoding), in one
    query and without building model instances (the unchanged re-import's hot path). Without
    `with_geocoding` the households are not read and the flag is False."""
    if not state_voter_ids:
        return {}
    if connection.vendor == "postgresql" and not with_geocoding:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT state_voter_id, source_hash, last_import_id FROM canvass_voter "
                "WHERE state_voter_id = ANY(%s)",
                [list(state_voter_ids)],
            )
            return {row[0]: (row[1], row[2], False) for row in cursor.fetchall()}
    waiting = ("pending", "failed")
    if connection.vendor != "postgresql":
        return {
            voter_id: (source_hash, last_import, latitude is None and status in waiting)
            for voter_id, source_hash, last_import, latitude, status in Voter.objects.filter(
                state_voter_id__in=list(state_voter_ids)
            ).values_list(
                "state_voter_id",
                "source_hash",
                "last_import_id",
                "household__latitude",
                "household__geocode_status",
            )
        }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.state_voter_id, v.source_hash, v.last_import_id, "
            "(h.latitude IS NULL AND h.geocode_status = ANY(%s)) "
            "FROM canvass_voter v JOIN canvass_household h ON h.id = v.household_id "
            "WHERE v.state_voter_id = ANY(%s)",
            [list(waiting), list(state_voter_ids)],
        )
        return {row[0]: (row[1], row[2], bool(row[3])) for row in cursor.fetchall()}


def seen_record(import_id: int, state_voter_ids: list[str]) -> set[str]:
    """Remember voter ids this run found unchanged (nothing else records that they were seen);
    returns those not remembered before (the others are duplicates within the file)."""
    if not state_voter_ids:
        return set()
    if connection.vendor != "postgresql":
        before = seen_lookup(import_id, state_voter_ids)
        new = [voter_id for voter_id in dict.fromkeys(state_voter_ids) if voter_id not in before]
        ImportSeenVoter.objects.bulk_create(
            ImportSeenVoter(import_run_id=import_id, state_voter_id=voter_id) for voter_id in new
        )
        return set(new)
    table = ImportSeenVoter._meta.db_table
    # Fast path: the caller has already looked these ids up (seen_lookup), so they are
    # normally all new: COPY them. A duplicate trips the unique index, and the statement below
    # then sorts the new from the already remembered.
    try:
        with transaction.atomic():
            _copy(
                table,
                ("import_run_id", "state_voter_id"),
                [(import_id, voter_id) for voter_id in state_voter_ids],
            )
    except UNIQUE_VIOLATIONS:
        pass
    else:
        return set(state_voter_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (import_run_id, state_voter_id) "
            "SELECT %s, unnest(%s::text[]) ON CONFLICT DO NOTHING RETURNING state_voter_id",
            [import_id, list(state_voter_ids)],
        )
        return {row[0] for row in cursor.fetchall()}


def seen_lookup(import_id: int, state_voter_ids: Collection[str]) -> set[str]:
    if not state_voter_ids:
        return set()
    if connection.vendor != "postgresql":
        return set(
            ImportSeenVoter.objects.filter(
                import_run_id=import_id, state_voter_id__in=list(state_voter_ids)
            ).values_list("state_voter_id", flat=True)
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT state_voter_id FROM {ImportSeenVoter._meta.db_table} "  # noqa: S608
            "WHERE import_run_id = %s AND state_voter_id = ANY(%s)",
            [import_id, list(state_voter_ids)],
        )
        return {row[0] for row in cursor.fetchall()}


def seen_forget(import_id: int) -> None:
    ImportSeenVoter.objects.filter(import_run_id=import_id).delete()
