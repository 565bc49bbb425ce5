"""On SQLite, adding `free_text_answers` (0004_free_text_answers_encrypted) rebuilt the
conversation log table, and a rebuilt SQLite table loses its triggers: pushed and corrected logs
kept change_stamp 0 (never delivered by an incremental pull) and a deleted log left no tombstone.
Re-create them where missing. PostgreSQL keeps triggers across ALTER TABLE: nothing to do."""

from __future__ import annotations

from django.db import migrations

TABLE = "canvass_conversationlog"
STAMP = (
    "CREATE TRIGGER IF NOT EXISTS {table}_change_stamp_{event_name} AFTER {event} "
    "ON {table} FOR EACH ROW BEGIN "
    "INSERT INTO canvass_syncsequence (id, value) SELECT 1, 0 WHERE NOT "
    "EXISTS (SELECT 1 FROM canvass_syncsequence WHERE id = 1); "
    "UPDATE canvass_syncsequence SET value = value + 1 WHERE id = 1; "
    "UPDATE {table} SET change_stamp = "
    "(SELECT value FROM canvass_syncsequence WHERE id = 1) WHERE id = NEW.id; END"
)
TOMBSTONE = (
    "CREATE TRIGGER IF NOT EXISTS canvass_tombstone_log_deleted AFTER DELETE ON {table} "
    "FOR EACH ROW BEGIN INSERT INTO canvass_syncremoval "
    "(kind, object_id, household_id, turf_id, canvasser_id) "
    "VALUES ('log', OLD.id, OLD.household_id, OLD.turf_id, NULL); END"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for event in ("INSERT", "UPDATE"):
            cursor.execute(STAMP.format(table=TABLE, event=event, event_name=event.lower()))
        cursor.execute(TOMBSTONE.format(table=TABLE))


class Migration(migrations.Migration):
    dependencies = [("canvass", "0005_merge_sync_removals_and_free_text_answers")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
