"""The data migration turns the languages older imports stored verbatim into configured codes,
empties what names none, and narrows the column."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("canvass", "0014_log_review_reason")]
AFTER = [("canvass", "0015_voter_language_codes")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_written_languages_become_codes():
    apps = _migrate(BEFORE)
    try:
        Household = apps.get_model("canvass", "Household")
        Voter = apps.get_model("canvass", "Voter")
        door = Household.objects.create(street="1 OLD ST", address_key="1 OLD ST||")
        written = ["Spanish", "Español", "es", "Vietnamese", "Tiếng Việt", "fr-CA", "Hmong", ""]
        for n, language in enumerate(written):
            Voter.objects.create(
                state_voter_id=f"OLD{n}",
                first_name="Old",
                last_name="Voter",
                household=door,
                language=language,
            )

        _migrate(AFTER)

        from canvass.models import Voter as CurrentVoter

        stored = dict(CurrentVoter.objects.values_list("state_voter_id", "language"))
        assert stored == {
            "OLD0": "es",
            "OLD1": "es",
            "OLD2": "es",
            "OLD3": "vi",
            "OLD4": "vi",
            "OLD5": "fr",
            "OLD6": "",
            "OLD7": "",
        }
        with connection.cursor() as cursor:
            description = connection.introspection.get_table_description(cursor, "canvass_voter")
        column = next(c for c in description if c.name == "language")
        assert column.display_size == 8 or column.internal_size == 8
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
