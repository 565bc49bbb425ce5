"""Conversation logs partitioned by month of `received_at` on PostgreSQL (docs/partitions.md):
every row, id and foreign key kept; the unique `client_uuid` moves to the key table
`canvass_conversationlog_unique`, which reviews and revisions now reference. SQLite: nothing."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "canvass_conversationlog"


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from backend.db import partitions

    partitions.convert_to_partitioned(
        TABLE,
        key="received_at",
        months_ahead=partitions.MONTHS_AHEAD,
        using=schema_editor.connection,
    )


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from backend.db import partitions

    partitions.convert_to_plain(TABLE, using=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("canvass", "0015_voter_language_codes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
