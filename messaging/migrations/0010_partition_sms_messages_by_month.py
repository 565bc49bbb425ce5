"""SMS messages (the outbox, table events_smsmessage) partitioned by month of `created_at` on
PostgreSQL (docs/partitions.md). The copy takes whatever columns the table has (introspection),
so columns added by earlier migrations come along; the unique constraints (one text per
signup/kind/offset, one invitation per endorser and event, one reply per inbound text) move to
the key table `events_smsmessage_unique`. SQLite: nothing."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "events_smsmessage"


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from backend.db import partitions

    partitions.convert_to_partitioned(
        TABLE,
        key="created_at",
        months_ahead=partitions.MONTHS_AHEAD,
        using=schema_editor.connection,
    )


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from backend.db import partitions

    partitions.convert_to_plain(TABLE, using=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0009_sms_segments_and_send_plans")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
