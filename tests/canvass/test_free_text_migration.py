"""The data migration encrypts free-text answers written in plaintext before it, in the log and
in its revisions, and leaves choice answers where they were."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("canvass", "0003_change_stamp_triggers")]
AFTER = [("canvass", "0004_free_text_answers_encrypted")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_plaintext_answers_are_encrypted():
    apps = _migrate(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Team = apps.get_model("accounts", "Team")
        Household = apps.get_model("canvass", "Household")
        Turf = apps.get_model("canvass", "Turf")
        Script = apps.get_model("canvass", "Script")
        Question = apps.get_model("canvass", "Question")
        Log = apps.get_model("canvass", "ConversationLog")
        Revision = apps.get_model("canvass", "LogRevision")
        user = User.objects.create(username="old_canvasser", role="canvasser")
        turf = Turf.objects.create(name="Old turf", team=Team.objects.create(name="Old team"))
        door = Household.objects.create(street="1 OLD ST", address_key="1 OLD ST||")
        script = Script.objects.create(name="Old script")
        Question.objects.create(
            script=script, code="why", text="Why?", kind="free_text", position=1
        )
        Question.objects.create(script=script, code="heard", text="?", kind="yes_no", position=2)
        now = timezone.now()
        log = Log.objects.create(
            client_uuid="8a6f6a1e-2d1c-4d1b-9d7e-5e9d8c7b6a50",
            canvasser=user,
            household=door,
            turf=turf,
            script=script,
            result="contacted",
            answers={"why": "Plaintext worry", "heard": True},
            contacted_at=now,
            received_at=now,
        )
        Revision.objects.create(
            log=log,
            action="edit",
            changed_at=now,
            previous={"answers": {"why": "Older worry", "heard": False}, "result": "contacted"},
        )

        _migrate(AFTER)

        with connection.cursor() as cursor:
            cursor.execute("SELECT answers, free_text_answers FROM canvass_conversationlog")
            answers, free_text = cursor.fetchone()
            cursor.execute("SELECT previous, previous_free_text_answers FROM canvass_logrevision")
            previous, previous_free_text = cursor.fetchone()
        load = lambda value: json.loads(value) if isinstance(value, str) else value  # noqa: E731
        assert load(answers) == {"heard": True}
        assert free_text.startswith("fernet:") and "worry" not in free_text
        assert load(previous) == {"answers": {"heard": False}, "result": "contacted"}
        assert previous_free_text.startswith("fernet:") and "worry" not in previous_free_text
        from canvass.models import ConversationLog, LogRevision

        assert ConversationLog.objects.get().all_answers == {
            "why": "Plaintext worry",
            "heard": True,
        }
        assert json.loads(LogRevision.objects.get().previous_free_text_answers) == {
            "why": "Older worry"
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
