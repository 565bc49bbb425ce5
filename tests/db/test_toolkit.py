"""The raw-SQL toolkit of backend.db: the same results on PostgreSQL and SQLite, and every
statement in Django's own query log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from backend.db.snapshots import snapshot_bounds
from backend.db.sql import any_of, fetch_all
from backend.db.staging import columns_of, copy_rows, staged_insert
from canvass.models import ConversationLog, DeviceSync, SyncSequence, Turf
from tests.canvass.conftest import make_household

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 1, 10, 14, 5, tzinfo=UTC)


def device_rows(canvasser_id: int, *names: str) -> list[list[object]]:
    return [[canvasser_id, name, "1.0", MOMENT, 0] for name in names]


DEVICE_FIELDS = ("canvasser", "device_id", "app_version", "last_sync_at", "pending_count")


def test_a_staged_insert_skips_conflicts_and_returns_only_the_rows_it_inserted(canvasser_a):
    DeviceSync.objects.create(canvasser=canvasser_a, device_id="old", pending_count=3)
    columns = columns_of(DeviceSync, DEVICE_FIELDS)

    inserted = staged_insert(
        target=DeviceSync._meta.db_table,
        staging="test_devices_incoming",
        columns=columns,
        rows=device_rows(canvasser_a.pk, "old", "new"),
        on_conflict="(canvasser_id, device_id) DO NOTHING",
        returning=("device_id",),
        order_by="device_id",
    )

    assert inserted == [("new",)]
    assert DeviceSync.objects.get(device_id="old").pending_count == 3
    assert DeviceSync.objects.get(device_id="new").last_sync_at == MOMENT


def test_a_staged_insert_sets_constants_and_reads_uuids_back_as_uuids(canvasser_a, team_a):
    household = make_household(41.6, -93.6)
    turf = Turf.objects.create(name="T", team=team_a)
    key, batch = uuid.uuid4(), uuid.uuid4()
    fields = ("client_uuid", "household", "turf", "result", "answers", "contacted_at")
    given = {"canvasser": canvasser_a.pk, "batch_id": batch, "received_at": MOMENT}
    for field in ConversationLog._meta.concrete_fields:  # the rest: the model's defaults
        taken = (*fields, *given, "id", "change_stamp")
        if field.name not in taken and not field.null:
            given[field.name] = field.get_default()
    constants = columns_of(ConversationLog, given)

    inserted = staged_insert(
        target=ConversationLog._meta.db_table,
        staging="test_logs_incoming",
        columns=columns_of(ConversationLog, fields),
        rows=[[key, household.pk, turf.pk, "not_home", '{"heard": true}', MOMENT]],
        constants=list(zip(constants, given.values(), strict=True)),
        on_conflict="DO NOTHING",  # the logs are partitioned: no arbiter index on client_uuid
        returning=("client_uuid", "id"),
    )

    log = ConversationLog.objects.get()
    assert inserted == [(key, log.pk)]
    assert (log.canvasser, log.batch_id, log.received_at) == (canvasser_a, batch, MOMENT)
    assert log.answers == {"heard": True}


def test_copied_rows_land_and_a_duplicate_is_djangos_integrity_error(canvasser_a):
    columns = columns_of(DeviceSync, DEVICE_FIELDS)
    copy_rows(DeviceSync._meta.db_table, columns, device_rows(canvasser_a.pk, "a", "b"))

    with pytest.raises(IntegrityError), transaction.atomic():
        copy_rows(DeviceSync._meta.db_table, columns, device_rows(canvasser_a.pk, "a"))

    assert sorted(DeviceSync.objects.values_list("device_id", flat=True)) == ["a", "b"]


def test_every_statement_is_in_djangos_query_log(canvasser_a):
    columns = columns_of(DeviceSync, DEVICE_FIELDS)

    with CaptureQueriesContext(connection) as queries:
        copy_rows(DeviceSync._meta.db_table, columns, device_rows(canvasser_a.pk, "a", "b", "c"))
        staged_insert(
            target=DeviceSync._meta.db_table,
            staging="test_devices_incoming",
            columns=columns,
            rows=device_rows(canvasser_a.pk, "d", "e"),
            on_conflict="(canvasser_id, device_id) DO NOTHING",
        )

    # One COPY (or one executemany), then: staging table, COPY, INSERT ... SELECT, DELETE.
    assert len(queries) == 5


def test_any_of_matches_ids_and_uuids(canvasser_a, organizer):
    condition, params = any_of("id", [canvasser_a.pk, organizer.pk], "bigint")
    found = fetch_all(f"SELECT id FROM accounts_user WHERE {condition}", params)

    none, none_params = any_of("client_uuid", [uuid.uuid4(), str(uuid.uuid4())], "uuid")
    empty, empty_params = any_of("id", [], "bigint")

    assert sorted(pk for (pk,) in found) == sorted([canvasser_a.pk, organizer.pk])
    table = ConversationLog._meta.db_table
    assert fetch_all(f"SELECT id FROM {table} WHERE {none}", none_params) == []
    assert fetch_all(f"SELECT id FROM {table} WHERE {empty}", empty_params) == []


def test_a_snapshot_sees_what_was_committed_before_it(canvasser_a):
    before = snapshot_bounds(counter_table=SyncSequence._meta.db_table, max_in_progress=64)
    make_household(41.6, -93.6)  # stamped by the triggers

    after = snapshot_bounds(counter_table=SyncSequence._meta.db_table, max_in_progress=64)

    assert before.xmin <= before.xmax
    assert after.xmin <= after.xmax
    assert after.xmax >= before.xmax
    if connection.vendor == "postgresql":
        # The test's own transaction has written: it counts as still in progress.
        assert after.in_progress
    else:
        assert after.xmin == after.xmax > before.xmax
        assert after.in_progress == ()
