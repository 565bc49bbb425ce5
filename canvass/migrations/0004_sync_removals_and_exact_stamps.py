# ruff: noqa: S608 -- every SQL string here is built from this file's own constants
"""Tombstones for the pull, and stamps that move only when a row really changes.

`canvass_syncremoval` is written by triggers, so every path that removes something a phone may
hold leaves a tombstone in the same transaction (stamped like any synced row): a voter deleted or
erased, a voter moved to another door (the door left is recorded), a door taken out of a turf, a
log or a turf assignment deleted.

The PostgreSQL stamp trigger now restamps only when the row's values differ; columns named as
trigger arguments are bookkeeping no phone receives (a voter's `last_import_id`, written for every
voter a re-import sees, and `updated_at`), so re-importing an unchanged voter file re-stamps
nothing. SQLite's voter trigger gets the same rule as a WHEN clause.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

# Voter columns a phone never receives: changing only these must not re-send the voter.
VOTER_BOOKKEEPING = ("updated_at", "last_import_id")
VOTER_COMPARED = (
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
    "created_at",
)

STAMP_FUNCTION = """
CREATE OR REPLACE FUNCTION canvass_set_change_stamp() RETURNS trigger AS $$
BEGIN
    -- A real change only: rewriting the same values (or only the bookkeeping columns named as
    -- trigger arguments) keeps the stamp, so no phone downloads the row again.
    IF (to_jsonb(NEW) - 'change_stamp' - COALESCE(TG_ARGV, '{}'::text[]))
       IS DISTINCT FROM (to_jsonb(OLD) - 'change_stamp' - COALESCE(TG_ARGV, '{}'::text[])) THEN
        NEW.change_stamp := pg_current_xact_id()::text::bigint;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

OLD_STAMP_FUNCTION = """
CREATE OR REPLACE FUNCTION canvass_set_change_stamp() RETURNS trigger AS $$
BEGIN
    NEW.change_stamp := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# table -> (trigger event, WHEN condition or "", tombstone columns and values from OLD)
TOMBSTONES = {
    "voter_deleted": (
        "canvass_voter",
        "DELETE",
        "",
        "'voter', OLD.id, OLD.household_id, NULL, NULL",
    ),
    "voter_moved": (
        "canvass_voter",
        "UPDATE OF household_id",
        "OLD.household_id IS DISTINCT FROM NEW.household_id",
        "'voter', OLD.id, OLD.household_id, NULL, NULL",
    ),
    "stop_deleted": (
        "canvass_turfhousehold",
        "DELETE",
        "",
        "'household', OLD.household_id, OLD.household_id, OLD.turf_id, NULL",
    ),
    "log_deleted": (
        "canvass_conversationlog",
        "DELETE",
        "",
        "'log', OLD.id, OLD.household_id, OLD.turf_id, NULL",
    ),
    "assignment_deleted": (
        "canvass_turfassignment",
        "DELETE",
        "",
        "'assignment', OLD.id, NULL, OLD.turf_id, OLD.canvasser_id",
    ),
}
INSERT = "INSERT INTO canvass_syncremoval (kind, object_id, household_id, turf_id, canvasser_id)"


def create(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(STAMP_FUNCTION)
            cursor.execute(
                "ALTER TABLE canvass_syncremoval ALTER COLUMN change_stamp "
                "SET DEFAULT (pg_current_xact_id()::text::bigint)"
            )
            cursor.execute("DROP TRIGGER canvass_voter_change_stamp ON canvass_voter")
            arguments = ", ".join(f"'{name}'" for name in VOTER_BOOKKEEPING)
            cursor.execute(
                "CREATE TRIGGER canvass_voter_change_stamp BEFORE UPDATE ON canvass_voter "
                f"FOR EACH ROW EXECUTE FUNCTION canvass_set_change_stamp({arguments})"
            )
            for name, (table, event, when, values) in TOMBSTONES.items():
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION canvass_tombstone_{name}() RETURNS trigger AS $$ "
                    f"BEGIN {INSERT} VALUES ({values}); RETURN NULL; END; $$ LANGUAGE plpgsql"
                )
                condition = f"WHEN ({when}) " if when else ""
                cursor.execute(
                    f"CREATE TRIGGER canvass_tombstone_{name} AFTER {event} ON {table} "
                    f"FOR EACH ROW {condition}EXECUTE FUNCTION canvass_tombstone_{name}()"
                )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER canvass_syncremoval_change_stamp_insert AFTER INSERT "
                "ON canvass_syncremoval FOR EACH ROW BEGIN "
                "INSERT INTO canvass_syncsequence (id, value) SELECT 1, 0 WHERE NOT "
                "EXISTS (SELECT 1 FROM canvass_syncsequence WHERE id = 1); "
                "UPDATE canvass_syncsequence SET value = value + 1 WHERE id = 1; "
                "UPDATE canvass_syncremoval SET change_stamp = "
                "(SELECT value FROM canvass_syncsequence WHERE id = 1) WHERE id = NEW.id; END"
            )
            # IF EXISTS: a table rebuild of an earlier-run migration may have dropped it already.
            cursor.execute("DROP TRIGGER IF EXISTS canvass_voter_change_stamp_update")
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in VOTER_COMPARED)
            cursor.execute(
                "CREATE TRIGGER canvass_voter_change_stamp_update AFTER UPDATE ON canvass_voter "
                f"FOR EACH ROW WHEN {changed} BEGIN "
                "INSERT INTO canvass_syncsequence (id, value) SELECT 1, 0 WHERE NOT "
                "EXISTS (SELECT 1 FROM canvass_syncsequence WHERE id = 1); "
                "UPDATE canvass_syncsequence SET value = value + 1 WHERE id = 1; "
                "UPDATE canvass_voter SET change_stamp = "
                "(SELECT value FROM canvass_syncsequence WHERE id = 1) WHERE id = NEW.id; END"
            )
            for name, (table, event, when, values) in TOMBSTONES.items():
                condition = f"WHEN {when.replace('IS DISTINCT FROM', 'IS NOT')} " if when else ""
                cursor.execute(
                    f"CREATE TRIGGER canvass_tombstone_{name} AFTER {event} ON {table} "
                    f"FOR EACH ROW {condition}BEGIN {INSERT} VALUES ({values}); END"
                )


def drop(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for name, (table, *_rest) in TOMBSTONES.items():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS canvass_tombstone_{name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS canvass_tombstone_{name}()")
            elif connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS canvass_tombstone_{name}")
        if connection.vendor == "postgresql":
            cursor.execute(OLD_STAMP_FUNCTION)
            cursor.execute("DROP TRIGGER canvass_voter_change_stamp ON canvass_voter")
            cursor.execute(
                "CREATE TRIGGER canvass_voter_change_stamp BEFORE UPDATE ON canvass_voter "
                "FOR EACH ROW EXECUTE FUNCTION canvass_set_change_stamp()"
            )
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS canvass_syncremoval_change_stamp_insert")
            cursor.execute("DROP TRIGGER canvass_voter_change_stamp_update")
            cursor.execute(
                "CREATE TRIGGER canvass_voter_change_stamp_update AFTER UPDATE "
                "ON canvass_voter FOR EACH ROW BEGIN "
                "INSERT INTO canvass_syncsequence (id, value) SELECT 1, 0 WHERE NOT "
                "EXISTS (SELECT 1 FROM canvass_syncsequence WHERE id = 1); "
                "UPDATE canvass_syncsequence SET value = value + 1 WHERE id = 1; "
                "UPDATE canvass_voter SET change_stamp = "
                "(SELECT value FROM canvass_syncsequence WHERE id = 1) WHERE id = NEW.id; END"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("canvass", "0003_change_stamp_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="SyncRemoval",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("voter", "Voter left this household (moved, erased or deleted)"),
                            ("household", "Household taken out of this turf"),
                            ("log", "Log deleted"),
                            ("assignment", "Turf assignment deleted"),
                        ],
                        max_length=16,
                    ),
                ),
                ("object_id", models.BigIntegerField()),
                ("household_id", models.BigIntegerField(null=True)),
                ("turf_id", models.BigIntegerField(null=True)),
                ("canvasser_id", models.BigIntegerField(null=True)),
                (
                    "removed_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
                ("change_stamp", models.BigIntegerField(db_default=0, editable=False)),
            ],
            options={
                "indexes": [models.Index(fields=["change_stamp"], name="syncremoval_stamp")],
            },
        ),
        migrations.RunPython(create, drop),
    ]
