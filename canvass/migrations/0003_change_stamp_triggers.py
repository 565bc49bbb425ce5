"""Stamp every change of a synced row so the pull cursor never skips one.

PostgreSQL: `change_stamp` is the writing transaction's id (`pg_current_xact_id()`, a 64-bit
xid8 stored as bigint): the column default on insert (cheaper than a per-row trigger on the
sync hot path and in COPY imports) and a BEFORE UPDATE trigger on every update. A pull's watermark is the xmin of
its snapshot: every transaction with a smaller id has finished, so a row with a smaller stamp is
already visible, and a slow transaction still running gets a stamp >= the watermark.

SQLite (one writer at a time): AFTER triggers stamp the row from a single-row counter, bumped per
change; a reader's watermark is the counter it sees plus one.
"""

from django.db import migrations

TABLES = [
    "canvass_household",
    "canvass_voter",
    "canvass_turfassignment",
    "canvass_turfhousehold",
    "canvass_script",
    "canvass_conversationlog",
]


def create(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                CREATE OR REPLACE FUNCTION canvass_set_change_stamp() RETURNS trigger AS $$
                BEGIN
                    NEW.change_stamp := pg_current_xact_id()::text::bigint;
                    RETURN NEW;
                END;
                $$ LANGUAGE plpgsql;
                """
            )
            for table in TABLES:
                cursor.execute(
                    f"ALTER TABLE {table} ALTER COLUMN change_stamp "
                    "SET DEFAULT (pg_current_xact_id()::text::bigint)"
                )
                cursor.execute(
                    f"CREATE TRIGGER {table}_change_stamp BEFORE UPDATE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION canvass_set_change_stamp()"
                )
        elif connection.vendor == "sqlite":
            cursor.execute("INSERT INTO canvass_syncsequence (id, value) VALUES (1, 0)")
            for table in TABLES:
                for event in ("INSERT", "UPDATE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_change_stamp_{event.lower()} AFTER {event} "  # noqa: S608
                        f"ON {table} FOR EACH ROW BEGIN "
                        # The counter row comes back if a test flush emptied the table.
                        # (Not INSERT OR IGNORE: the firing statement's conflict clause would
                        # override it.)
                        "INSERT INTO canvass_syncsequence (id, value) SELECT 1, 0 WHERE NOT "
                        "EXISTS (SELECT 1 FROM canvass_syncsequence WHERE id = 1); "
                        "UPDATE canvass_syncsequence SET value = value + 1 WHERE id = 1; "
                        f"UPDATE {table} SET change_stamp = "
                        "(SELECT value FROM canvass_syncsequence WHERE id = 1) "
                        "WHERE id = NEW.id; END"
                    )


def drop(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_change_stamp ON {table}")
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN change_stamp SET DEFAULT 0")
            elif connection.vendor == "sqlite":
                for event in ("insert", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_change_stamp_{event}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS canvass_set_change_stamp()")


class Migration(migrations.Migration):
    dependencies = [("canvass", "0002_scripts_conversation_logs_sync")]

    operations = [migrations.RunPython(create, drop)]
