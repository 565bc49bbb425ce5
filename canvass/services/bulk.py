"""Bulk upserts for the voter import.

Rows go into a temporary staging table and move with one `INSERT ... SELECT ... ON CONFLICT`
(backend.db.staging: a COPY on PostgreSQL, several times faster than `bulk_create`, whose
per-value preparation dominates at voter-file sizes; the same statements on SQLite).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model

from backend.crypto import encrypt_many
from backend.db.sql import any_of, fetch_all
from backend.db.staging import columns_of, copy_rows, reserve_ids, staged_insert
from canvass.models import Household, ImportSeenVoter, Voter

M = TypeVar("M", bound=Model)

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
    """Rows whose `column` is one of `values` (one array parameter on PostgreSQL: see
    `backend.db.sql.any_of`). `fields` limits the columns loaded (the rest are deferred)."""
    table = model._meta.db_table
    selected = ", ".join(["id", *fields]) if fields else "*"
    condition, params = any_of(column, values, "text")
    return list(
        model._default_manager.raw(
            f"SELECT {selected} FROM {table} WHERE {condition}",  # noqa: S608
            params,
        )
    )


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
            now,
            now,
        )
        for h in households
    ]
    table = Household._meta.db_table
    columns = columns_of(Household, HOUSEHOLD_COLUMNS)
    # Fast path: the caller checked these addresses are new, so take ids from the sequence and
    # COPY straight into the table. A concurrent import that inserted one of them meanwhile
    # trips the unique index; then the staged merge below reuses its row instead.
    ids = reserve_ids(table, len(households))
    if ids is not None:
        try:
            with transaction.atomic():
                copy_rows(
                    table,
                    (*columns_of(Household, ("id",)), *columns),
                    [(pk, *row) for pk, row in zip(ids, values, strict=True)],
                    binary=False,
                )
        except IntegrityError:
            pass
        else:
            for household, pk in zip(households, ids, strict=True):
                household.pk = pk
            return
    merged = staged_insert(
        target=table,
        staging="import_household",
        columns=columns,
        rows=values,
        on_conflict="(address_key) DO UPDATE SET updated_at = EXCLUDED.updated_at",
        returning=("id", "address_key"),
        binary=False,
    )
    by_key = {key: pk for pk, key in merged}
    for household in households:
        household.pk = by_key[household.address_key]


def voters_upsert(rows: list[tuple[Any, ...]], *, all_new: bool = False) -> None:
    """Insert or update voters by state voter id; each row follows VOTER_COLUMNS, with the
    phone in plain E.164 (encrypted here, on its way to the column). `all_new` says the caller
    found none of them in the table (a hint for a faster path; conflicts are still merged)."""
    if not rows:
        return
    phone = VOTER_COLUMNS.index("phone")
    phones = [row[phone] for row in rows if row[phone]]
    tokens = iter(encrypt_many(phones))
    values = [(*row[:phone], next(tokens) if row[phone] else "", *row[phone + 1 :]) for row in rows]
    table = Voter._meta.db_table
    columns = columns_of(Voter, VOTER_COLUMNS)
    if all_new:
        # Fast path for voters the caller found absent: straight into the table; a concurrent
        # import that inserted one meanwhile trips the unique index, and the staged merge below
        # merges instead.
        try:
            with transaction.atomic():
                copy_rows(table, columns, values, binary=False)
        except IntegrityError:
            pass
        else:
            return
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in VOTER_UPDATE_COLUMNS)
    staged_insert(
        target=table,
        staging="import_voter",
        columns=columns,
        rows=values,
        on_conflict=f"(state_voter_id) DO UPDATE SET {updates}",
        binary=False,
    )


def voters_known(
    state_voter_ids: Collection[str], *, with_geocoding: bool = True
) -> dict[str, tuple[str, int | None, bool]]:
    """state voter id -> (source hash, last import id, door still waiting for geocoding), in one
    query and without building model instances (the unchanged re-import's hot path). Without
    `with_geocoding` the households are not read and the flag is False."""
    if not state_voter_ids:
        return {}
    known, params = any_of("v.state_voter_id", state_voter_ids, "text")
    if not with_geocoding:
        rows = fetch_all(
            "SELECT v.state_voter_id, v.source_hash, v.last_import_id "  # noqa: S608
            f"FROM canvass_voter v WHERE {known}",
            params,
        )
        return {row[0]: (row[1], row[2], False) for row in rows}
    waiting, waiting_params = any_of("h.geocode_status", ["pending", "failed"], "text")
    rows = fetch_all(
        f"SELECT v.state_voter_id, v.source_hash, v.last_import_id, "  # noqa: S608
        f"(h.latitude IS NULL AND {waiting}) "
        "FROM canvass_voter v JOIN canvass_household h ON h.id = v.household_id "
        f"WHERE {known}",
        [*waiting_params, *params],
    )
    return {row[0]: (row[1], row[2], bool(row[3])) for row in rows}


SEEN_COLUMNS = ("import_run_id", "state_voter_id")


def seen_record(import_id: int, state_voter_ids: list[str]) -> set[str]:
    """Remember voter ids this run found unchanged (nothing else records that they were seen);
    returns those not remembered before (the others are duplicates within the file)."""
    if not state_voter_ids:
        return set()
    table = ImportSeenVoter._meta.db_table
    columns = columns_of(ImportSeenVoter, SEEN_COLUMNS)
    rows = [(import_id, voter_id) for voter_id in state_voter_ids]
    # Fast path: the caller has already looked these ids up (seen_lookup), so they are
    # normally all new: copy them in. A duplicate trips the unique index, and the staged insert
    # below then sorts the new from the already remembered.
    try:
        with transaction.atomic():
            copy_rows(table, columns, rows, binary=False)
    except IntegrityError:
        pass
    else:
        return set(state_voter_ids)
    inserted = staged_insert(
        target=table,
        staging="import_seen",
        columns=columns,
        rows=rows,
        on_conflict="DO NOTHING",
        returning=("state_voter_id",),
        binary=False,
    )
    return {voter_id for (voter_id,) in inserted}


def seen_lookup(import_id: int, state_voter_ids: Collection[str]) -> set[str]:
    if not state_voter_ids:
        return set()
    seen, params = any_of("state_voter_id", state_voter_ids, "text")
    rows = fetch_all(
        f"SELECT state_voter_id FROM {ImportSeenVoter._meta.db_table} "  # noqa: S608
        f"WHERE import_run_id = %s AND {seen}",
        [import_id, *params],
    )
    return {voter_id for (voter_id,) in rows}


def seen_forget(import_id: int) -> None:
    ImportSeenVoter.objects.filter(import_run_id=import_id).delete()
