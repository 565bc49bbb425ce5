"""Canvass defects found by trying the served app from outside (review "rv")."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from canvass.models import ConversationLog, LogRevision, Question, Script
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db
REPHRASE = "Please rephrase: do not record anyone's immigration or citizenship status."


@pytest.fixture
def script(db):
    script = Script.objects.create(name="Doors", is_default=True)
    Question.objects.create(script=script, code="why", text="Why?", kind="free_text", position=1)
    Question.objects.create(script=script, code="heard", text="Heard?", kind="yes_no", position=2)
    return script


def test_a_correction_whose_free_text_answer_is_refused_keeps_the_previous_answer(
    client_for, canvasser_a, turf_a, script
):
    """Free-text answers are treated like notes: a refused new note keeps the previous note, but
    a refused new free-text answer wiped the previous one."""
    client = client_for(canvasser_a)
    pushed = client.post(
        "/api/sync/push",
        batch(log_item(doors(turf_a)[0], answers={"why": "Rent doubled", "heard": False})),
        format="json",
    ).json()
    log_id = pushed["results"][0]["log"]["id"]

    response = client.patch(
        f"/api/logs/{log_id}",
        {"answers": {"why": "She is undocumented", "heard": True}},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == {"answers.why": [REPHRASE]}
    assert response.json()["log"]["answers"] == {"why": "Rent doubled", "heard": True}
    log = ConversationLog.objects.get(pk=log_id)
    assert log.all_answers == {"why": "Rent doubled", "heard": True}
    assert "undocumented" not in log.free_text_answers


def test_retention_clears_the_history_of_a_log_as_old_as_the_log_itself(
    client_for, canvasser_a, turf_a, script, settings
):
    """The docs: notes and free-text answers "of logs received more than RETENTION_DAYS ago" are
    cleared with their previous versions. The history was purged by the edit's own time, so a
    log received 30 days and 1 hour ago, corrected an hour after receipt, lost its note while its
    history kept the old note and answer."""
    settings.RETENTION_DAYS = 30
    client = client_for(canvasser_a)
    pushed = client.post(
        "/api/sync/push",
        batch(log_item(doors(turf_a)[0], notes="Ask for Rosa", answers={"why": "Rent doubled"})),
        format="json",
    ).json()
    log_id = pushed["results"][0]["log"]["id"]
    edited = client.patch(
        f"/api/logs/{log_id}", {"notes": "Rosa works nights", "answers": {}}, format="json"
    )
    assert edited.status_code == 200, edited.content
    now = timezone.now()
    ConversationLog.objects.filter(pk=log_id).update(received_at=now - timedelta(days=30, hours=1))
    LogRevision.objects.filter(log_id=log_id).update(changed_at=now - timedelta(days=29, hours=23))

    call_command("purge_expired", stdout=io.StringIO())

    log = ConversationLog.objects.get(pk=log_id)
    assert log.notes == ""
    revision = LogRevision.objects.get(log_id=log_id)
    assert (revision.previous_notes, revision.previous_free_text_answers) == ("", "")


@pytest.mark.parametrize(
    ("note", "refused"),
    [
        # Spanish verb forms of "deport" were stored without a warning ("deported" is caught).
        ("lo deportaron el año pasado", True),
        ("lo van a deportar", True),
        ("el gobierno lo deportó", True),
        ("tienen miedo de que los deporten", True),
        ("deportan a los vecinos", True),
        # The Spanish name of the green card.
        ("tiene tarjeta verde", True),
        ("su tarjeta verde venció", True),
        # Still innocent.
        ("a su hijo le gustan los deportes", False),
        ("juega al deporte cada sábado", False),
        ("pagó con tarjeta de regalo", False),
        ("la puerta verde", False),
    ],
)
def test_spanish_verb_forms_of_deport_are_screened(client_for, canvasser_a, turf_a, note, refused):
    response = client_for(canvasser_a).post(
        "/api/sync/push", batch(log_item(doors(turf_a)[0], notes=note)), format="json"
    )

    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["status"] == "created"
    assert ("notes" in result.get("warnings", {})) is refused
    assert ConversationLog.objects.get().notes == ("" if refused else note)


def test_a_pushed_log_reaches_an_incremental_pull_and_a_deleted_one_is_removed(
    client_for, canvasser_a, turf_a
):
    """On SQLite the log table was rebuilt by a later migration and lost its triggers: a pushed
    log kept change_stamp 0, so a phone that had already pulled never received it, and a deleted
    log left no removal. (PostgreSQL was unaffected.)"""
    from canvass.models import SyncRemoval

    client = client_for(canvasser_a)
    first = client.get("/api/sync/pull").json()
    assert first["logs"] == []
    pushed = client.post("/api/sync/push", batch(log_item(doors(turf_a)[0])), format="json").json()
    log_id = pushed["results"][0]["log"]["id"]

    second = client.get("/api/sync/pull", {"cursor": first["cursor"]}).json()

    assert [log["id"] for log in second["logs"]] == [log_id]
    assert ConversationLog.objects.get(pk=log_id).change_stamp > 0
    ConversationLog.objects.filter(pk=log_id).delete()
    assert SyncRemoval.objects.filter(kind="log", object_id=log_id).exists()
    third = client.get("/api/sync/pull", {"cursor": second["cursor"]}).json()
    assert [removal["log"] for removal in third["removed_logs"]] == [log_id]


@pytest.mark.django_db
def test_every_change_stamp_and_tombstone_trigger_survives_the_migrations():
    """SQLite drops a table's triggers when a migration rebuilds it; migration 0008 puts back
    what any rebuild took, whatever order the graph ran the migrations in."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps triggers across ALTER TABLE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        found = {row[0] for row in cursor.fetchall()}
    tables = [
        "canvass_household",
        "canvass_voter",
        "canvass_turfassignment",
        "canvass_turfhousehold",
        "canvass_script",
        "canvass_conversationlog",
    ]
    expected = {f"{t}_change_stamp_{e}" for t in tables for e in ("insert", "update")}
    expected |= {"canvass_syncremoval_change_stamp_insert"}
    expected |= {
        f"canvass_tombstone_{name}"
        for name in ("voter_deleted", "voter_moved", "stop_deleted", "log_deleted")
    } | {"canvass_tombstone_assignment_deleted"}
    assert expected <= found
