# ruff: noqa: S608 -- every SQL string here is built from the earlier migrations' own constants
"""SQLite: re-create every change-stamp and tombstone trigger a table rebuild dropped.

SQLite has no ALTER COLUMN: Django adds most fields by rebuilding the table, and a rebuilt table
loses its triggers. Adding `free_text_answers` (0004_free_text_answers_encrypted), the import
fields (0004_import_jobs_and_hand_placed_doors, 0006_voter_source_hash_and_import_seen) rebuilt
tables that 0003 and 0004_sync_removals_and_exact_stamps gave triggers, in whichever order the
graph ran them: pushed logs kept stamp 0 (never pulled) and deleted ones left no tombstone.
This puts back whatever is missing, newest definition first (the voter's update trigger with its
WHEN clause from 0004 before 0003's plain one). PostgreSQL keeps triggers across ALTER TABLE.

A later migration that rebuilds one of these tables on SQLite must end the same way.
"""

import importlib

from django.db import migrations

stamps = importlib.import_module("canvass.migrations.0003_change_stamp_triggers")
removals = importlib.import_module("canvass.migrations.0004_sync_removals_and_exact_stamps")

COUNTER = (
    "INSERT INTO canvass_syncsequence (id, value) SELECT 1, 0 WHERE NOT "
    "EXISTS (SELECT 1 FROM canvass_syncsequence WHERE id = 1); "
    "UPDATE canvass_syncsequence SET value = value + 1 WHERE id = 1; "
)


def _stamp(table: str, event: str, when: str = "") -> str:
    condition = f"WHEN {when} " if when else ""
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_change_stamp_{event.lower()} AFTER {event} "
        f"ON {table} FOR EACH ROW {condition}BEGIN {COUNTER}"
        f"UPDATE {table} SET change_stamp = "
        "(SELECT value FROM canvass_syncsequence WHERE id = 1) WHERE id = NEW.id; END"
    )


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in removals.VOTER_COMPARED)
    statements = [
        _stamp("canvass_syncremoval", "INSERT"),
        _stamp("canvass_voter", "UPDATE", changed),
    ]
    for name, (table, event, when, values) in removals.TOMBSTONES.items():
        condition = f"WHEN {when.replace('IS DISTINCT FROM', 'IS NOT')} " if when else ""
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS canvass_tombstone_{name} AFTER {event} ON {table} "
            f"FOR EACH ROW {condition}BEGIN {removals.INSERT} VALUES ({values}); END"
        )
    for table in stamps.TABLES:
        statements += [_stamp(table, "INSERT"), _stamp(table, "UPDATE")]
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("canvass", "0007_merge_import_jobs_with_sync_and_answers")]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
